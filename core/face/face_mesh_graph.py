"""MediaPipe's face-mesh graph (mediapipe 0.10.14, the legacy FaceMesh solution), run frame by frame.

The graph, the side packets and the two thresholds are exactly `mp.solutions.face_mesh.FaceMesh`'s;
two things differ:
- one more graph output, `all_face_detections`: every face the detector found, before the graph
  clips them to `num_faces` (present only on frames where the detector ran), so one one-face graph
  also tells when a second person is in view;
- results come back as serialized landmark lists (bytes) read with numpy (`landmarks_array`), not as
  Python protobuf objects read point by point: MediaPipe's own `process()` parses every landmark
  list into Python protos and builds a new namedtuple class per frame.
"""

from __future__ import annotations

import functools
import os

import numpy as np

GRAPH = "modules/face_landmark/face_landmark_front_cpu.binarypb"  # FaceMesh's, in the mediapipe package
LANDMARKS = "multi_face_landmarks"
ALL_DETECTIONS = "all_face_detections"  # the detector's faces before they are clipped to num_faces
FRAME_STEP_US = 33333  # timestamp step between frames, as FaceMesh uses

# A serialized NormalizedLandmark holding exactly x, y, z: tag+length, then three tagged float32s,
# 17 bytes: 0x0A 15 | 0x0D x(4) | 0x15 y(4) | 0x1D z(4).
_RECORD_SIZE = 17
_KEYS = ((0, 0x0A), (1, 15), (2, 0x0D), (7, 0x15), (12, 0x1D))  # (offset in the record, byte)
_X_OFFSET, _COORD_STRIDE = 3, 5  # x at byte 3, then y and z every 5 bytes


@functools.cache
def _key_runs(points: int) -> tuple[tuple[int, bytes], ...]:
    """(offset, that key byte repeated once per record) for a list of `points` records."""
    return tuple((offset, bytes([key]) * points) for offset, key in _KEYS)


@functools.cache
def _graph_config():
    """FaceMesh's own graph with the detector's unclipped output exposed as a graph output."""
    import mediapipe
    from mediapipe.framework import calculator_pb2

    config = calculator_pb2.CalculatorGraphConfig()
    with open(os.path.join(os.path.dirname(mediapipe.__file__), GRAPH), "rb") as fh:
        config.ParseFromString(fh.read())
    config.output_stream.append(f"ALL_DETECTIONS:{ALL_DETECTIONS}")
    return config


def landmarks_array(serialized: bytes) -> np.ndarray:
    """A serialized NormalizedLandmarkList -> float32 [P, 3] (x, y, z), without a loop per point.

    The face mesh writes a fixed 17-byte record per landmark (exactly x, y and z): the tags are
    checked as byte strides and numpy reads the floats in place; any other layout (visibility or
    presence set, a field missing) is parsed as a protobuf and read point by point.
    """
    points, rest = divmod(len(serialized), _RECORD_SIZE)
    if points and not rest and all(serialized[o::_RECORD_SIZE] == run for o, run in _key_runs(points)):
        # the floats in place: one strided view over the bytes (x, y, z 5 bytes apart), one copy
        view = np.ndarray((points, 3), "<f4", serialized, _X_OFFSET, (_RECORD_SIZE, _COORD_STRIDE))
        return np.array(view, np.float32)
    from mediapipe.framework.formats import landmark_pb2

    face = landmark_pb2.NormalizedLandmarkList.FromString(serialized)
    return np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float32).reshape(-1, 3)


@functools.cache
def _graph_class() -> type:
    """FaceMesh's base class with a `run` that skips building protos (mediapipe imported on first use).

    `_packet_getter` is the binding mediapipe's own `packet_getter.get_proto_list` reads serialized
    protos and vector sizes through (mediapipe is pinned to 0.10.14).
    """
    from mediapipe.python import packet_creator
    from mediapipe.python._framework_bindings import _packet_getter, image_frame
    from mediapipe.python.solution_base import SolutionBase

    class FaceMeshGraph(SolutionBase):
        def run(self, rgb: np.ndarray) -> tuple[list[bytes], int | None]:
            """One RGB frame [H, W, 3] uint8 -> (serialized landmark lists, faces the detector saw
            or None when it did not run on this frame)."""
            self._graph_outputs.clear()
            self._simulated_timestamp += FRAME_STEP_US
            # copied into the packet: MediaPipe would wrap a read-only view instead, but then a graph
            # thread takes the GIL to release each frame, which puts the side threads' Python on the
            # tracking chain (and measured no faster)
            packet = packet_creator.create_image_frame(rgb, image_format=image_frame.ImageFormat.SRGB)
            self._graph.add_packet_to_input_stream(
                stream="image", packet=packet.at(self._simulated_timestamp)
            )
            self._graph.wait_until_idle()
            faces, detected = self._graph_outputs.get(LANDMARKS), self._graph_outputs.get(ALL_DETECTIONS)
            landmarks = (
                [] if faces is None or faces.is_empty() else _packet_getter._get_serialized_proto_list(faces)
            )
            count = (
                None
                if detected is None or detected.is_empty()
                else _packet_getter._get_proto_vector_size(detected)
            )
            return landmarks, count

    return FaceMeshGraph


def open_graph(max_faces: int, min_detection_confidence: float, min_tracking_confidence: float):
    """A started FaceMesh graph (video mode, refined landmarks) tracking up to `max_faces` faces;
    `.run(rgb)` per frame, `.close()` at the end."""
    return _graph_class()(
        graph_config=_graph_config(),
        side_inputs={"num_faces": max_faces, "with_attention": True, "use_prev_landmarks": True},
        calculator_params={  # as mediapipe.solutions.face_mesh.FaceMesh sets them
            "facedetectionshortrangecpu__facedetectionshortrange__facedetection"
            "__TensorsToDetectionsCalculator.min_score_thresh": min_detection_confidence,
            "facelandmarkcpu__ThresholdingCalculator.threshold": min_tracking_confidence,
        },
        outputs=[LANDMARKS, ALL_DETECTIONS],
    )
