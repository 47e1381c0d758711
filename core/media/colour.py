"""What a decoded frame's pixel values mean, read from the tags FFmpeg reports for it.

A frame's YCbCr values are only colours once four tags are known: the matrix (BT.601, BT.709,
BT.2020), the range (limited 16-235 or full 0-255), the transfer (SDR gamma, HLG, PQ) and the
primaries (BT.709, BT.2020, Display P3). Phones record HDR as HLG or PQ with BT.2020 primaries and
10-bit samples; decoded as if they were BT.709 SDR they look flat and washed out with shifted hues.

Untagged values follow FFmpeg's convention (and every file this project wrote before it tagged
its output): BT.601 matrix, limited range, SDR, BT.709 primaries; an HDR transfer without a matrix
tag takes BT.2020's. The numbers are FFmpeg's enums (AVColorSpace, AVColorRange,
AVColorTransferCharacteristic, AVColorPrimaries) as PyAV gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

# AVColorSpace -> the matrix's (Kr, Kb): Y' = Kr R' + (1 - Kr - Kb) G' + Kb B'
MATRICES: dict[str, tuple[float, float]] = {
    "bt601": (0.299, 0.114),
    "bt709": (0.2126, 0.0722),
    "bt2020": (0.2627, 0.0593),
}
# 10 (BT.2020 constant luminance) is read as the non-constant matrix
_MATRIX_OF = {1: "bt709", 5: "bt601", 6: "bt601", 9: "bt2020", 10: "bt2020"}
_TRANSFER_OF = {16: "pq", 18: "hlg"}  # every other transfer is an SDR gamma curve
_PRIMARIES_OF = {9: "bt2020", 12: "p3"}  # BT.601's primaries are within a hair of BT.709's: taken as them
FULL_RANGE = 2  # AVCOL_RANGE_JPEG
TRANSFER_NAMES = {"sdr": "SDR", "hlg": "HLG", "pq": "PQ"}
PRIMARIES_NAMES = {"bt709": "BT.709", "bt2020": "BT.2020", "p3": "Display P3"}


@dataclass(frozen=True)
class FrameColour:
    """How to read one frame's samples."""

    matrix: str  # a MATRICES key
    full_range: bool
    transfer: str  # "sdr", "hlg" or "pq"
    primaries: str  # "bt709", "bt2020" or "p3"
    bits: int  # bits per sample (8, 10, 12)

    @property
    def hdr(self) -> bool:
        return self.transfer != "sdr"

    @property
    def needs_mapping(self) -> bool:
        """True when the colours themselves must be converted (transfer or primaries), not only
        read through a matrix: the float path of :mod:`core.media.tonemap`."""
        return self.hdr or self.primaries != "bt709"

    def conversion(self) -> str | None:
        """What turning this into BT.709 SDR does, in words for the log; None when nothing but the matrix."""
        if self.hdr:
            return f"HDR ({TRANSFER_NAMES[self.transfer]}) converted to SDR BT.709"
        if self.primaries != "bt709":
            return f"{PRIMARIES_NAMES[self.primaries]} primaries converted to BT.709"
        return None


def frame_colour(frame) -> FrameColour:
    """The colour tags of a PyAV VideoFrame, untagged fields filled in as FFmpeg does."""
    transfer = _TRANSFER_OF.get(int(frame.color_trc or 2), "sdr")
    matrix = _MATRIX_OF.get(int(frame.colorspace or 2))
    if matrix is None:
        matrix = "bt2020" if transfer != "sdr" else "bt601"
    primaries = _PRIMARIES_OF.get(int(frame.color_primaries or 2))
    if primaries is None:
        primaries = "bt2020" if transfer != "sdr" else "bt709"
    name = frame.format.name
    full = int(frame.color_range or 0) == FULL_RANGE or name.startswith("yuvj")
    return FrameColour(matrix, full, transfer, primaries, _bits(frame.format))


def _bits(fmt) -> int:
    comps = fmt.components
    return int(comps[0].bits) if comps else 8
