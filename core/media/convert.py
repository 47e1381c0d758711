"""A decoded PyAV frame -> BT.709 SDR 8-bit pixels, by the frame's own colour tags.

Which route a frame takes (core.media.colour reads the tags):
- 8-bit 4:2:0, BT.601 matrix (or untagged), limited range: OpenCV's I420 conversion, as before
  (every file this project wrote until it tagged its output, and most web video), bit for bit.
- Other SDR BT.709-primaries YCbCr (a BT.709 or BT.2020 matrix, full range, 4:2:2, 10 bits):
  the matrix and range the stream declares (core.media.yuv), rounded once.
- HDR (HLG, PQ) or non-BT.709 primaries: tone-mapped / gamut-mapped in float (core.media.tonemap).
- Anything else (RGB, semi-planar, alpha formats): swscale, as before.
"""

from __future__ import annotations

import struct

import numpy as np

from core.media.colour import FrameColour, frame_colour


def frame_to_array(frame, rgb: bool) -> np.ndarray:
    """uint8 [H, W, 3], RGB with `rgb` else BGR, BT.709 SDR, as stored (not rotated)."""
    import cv2  # here, not at import: decoding's importers (the CLI) start without OpenCV

    from core.media import tonemap, yuv

    colour = frame_colour(frame)
    name = frame.format.name
    if (
        name == "yuv420p"
        and colour.matrix == "bt601"
        and not colour.full_range
        and not colour.needs_mapping
        and frame.width % 2 == 0
        and frame.height % 2 == 0
    ):
        i420 = frame.to_ndarray()
        if i420.shape == (frame.height * 3 // 2, frame.width):
            return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420 if rgb else cv2.COLOR_YUV2BGR_I420)
    p = yuv.planes(frame)
    if p is None and colour.needs_mapping:
        # semi-planar or packed HDR (p010 from a hardware decoder...): repack, no colour change
        frame = frame.reformat(format="yuv444p16le")
        colour = FrameColour(colour.matrix, colour.full_range, colour.transfer, colour.primaries, 16)
        p = yuv.planes(frame)
    if p is None:
        return frame.to_ndarray(format="rgb24" if rgb else "bgr24")
    if colour.needs_mapping:
        peak = content_peak(frame) if colour.transfer == "pq" else None
        return tonemap.to_sdr_rgb8(*p, colour, rgb=rgb, peak=peak)
    return yuv.yuv_to_rgb8(*p, colour.matrix, colour.full_range, colour.bits, rgb)


def content_peak(frame) -> float | None:
    """The peak luminance (cd/m^2) a PQ frame declares: its content light level (MaxCLL), else its
    mastering display's maximum; None when it declares neither."""
    cll = mastering = None
    for sd in frame.side_data:
        kind = getattr(sd.type, "name", str(sd.type))
        data = bytes(sd)
        if kind == "CONTENT_LIGHT_LEVEL" and len(data) >= 4:
            cll = struct.unpack_from("=I", data, 0)[0] or None
        elif kind == "MASTERING_DISPLAY_METADATA" and len(data) >= 88:
            num, den = struct.unpack_from("=ii", data, 72)  # AVRational max_luminance
            has_luminance = struct.unpack_from("=i", data, 84)[0]
            if has_luminance and den > 0 and num > 0:
                mastering = num / den
    peak = cll or mastering
    return float(peak) if peak else None
