"""MediaPipe's face-mesh graph (mediapipe 0.10.14, the legacy FaceMesh solution), run frame by frame.

The graph, the side packets and the two thresholds are exactly `mp.solutions.face_mesh.FaceMesh`'s;
two things differ:
- one more graph output, `all_face_detections`: every face the detector found, before the graph
  clips them to `num_faces` (present only on frames where the detector ran), so one one-face graph
  also tells when a second person is in view;
- results come back as serialized landmark lists (bytes) read with numpy (`landmarks_array`), not as
  Python protobuf objects read point by point: MediaPipe's own `process()` parses every landmark
  list into Python protos and builds a new namedtuple class per frame;
- the outputs are observed without timestamp bounds: FaceMesh's observer also runs on every frame
  for the detector's (empty) output, and each observer call is Python, so a graph thread must take
  the GIL for it; with decode and side threads running Python, a frame's graph then waits for the
  GIL (often a whole 5 ms switch interval) before it can finish. One call per frame is left: the
  landmarks (the detections only on frames where the detector runs).

A frame goes in as `send(frame_packet(rgb))` and comes out with `receive()`, so a caller can make
the next frame's packet, and do its own per-frame Python, while the graph works (`run` does both).
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


def frame_packet(rgb: np.ndarray):
    """An RGB frame [H, W, 3] uint8 (C-contiguous) copied into an ImageFrame packet, no timestamp yet.

    Copied: MediaPipe would wrap a read-only view instead, but then a graph thread takes the GIL to
    release each frame, which puts the side threads' Python on the tracking chain (and measured no
    faster). Needs no graph, so the next frame's packet can be made while the graph works.
    """
    return _image_frame_packet()(rgb)


@functools.cache
def _image_frame_packet():
    """MediaPipe's packet creator for SRGB frames, imported once (not per frame)."""
    from mediapipe.python import packet_creator
    from mediapipe.python._framework_bindings import image_frame

    return functools.partial(
        packet_creator.create_image_frame, image_format=image_frame.ImageFormat.SRGB, copy=True
    )


@functools.cache
def _graph_class() -> type:
    """FaceMesh's base class, started with timestamp-bound-free observers, and a frame API that skips
    building protos (mediapipe imported on first use).

    `_packet_getter` is the binding mediapipe's own `packet_getter.get_proto_list` reads serialized
    protos and vector sizes through (mediapipe is pinned to 0.10.14).
    """
    import mediapipe
    from mediapipe.python._framework_bindings import (
        _packet_getter,
        calculator_graph,
        resource_util,
        validated_graph_config,
    )
    from mediapipe.python.solution_base import SolutionBase

    class FaceMeshGraph(SolutionBase):
        def __init__(self, side_inputs: dict, calculator_params: dict, outputs: list[str]) -> None:
            """`SolutionBase.__init__` for a graph config, but each output observed without
            timestamp bounds (see the module's docstring); the graph is started."""
            resource_util.set_resource_dir(os.path.dirname(os.path.dirname(mediapipe.__file__)))
            validated = validated_graph_config.ValidatedGraphConfig()
            validated.initialize(graph_config=_graph_config())
            config = self._initialize_graph_interface(validated, side_inputs, outputs)
            self._modify_calculator_options(config, calculator_params)
            self._graph = calculator_graph.CalculatorGraph(graph_config=config)
            self._simulated_timestamp = 0
            self._graph_outputs = {}

            def observe(stream_name: str, packet) -> None:  # on a graph thread, under the GIL
                self._graph_outputs[stream_name] = packet

            for stream_name in self._output_stream_type_info:
                self._graph.observe_output_stream(stream_name, observe, False)
            self._input_side_packets = {
                name: self._make_packet(self._side_input_type_info[name], data)
                for name, data in side_inputs.items()
            }
            self._graph.start_run(self._input_side_packets)

        def send(self, packet) -> None:
            """Start the graph on one frame's packet (`frame_packet`); `receive()` waits for it."""
            self._simulated_timestamp += FRAME_STEP_US
            self._graph.add_packet_to_input_stream(
                stream="image", packet=packet.at(self._simulated_timestamp)
            )

        def receive(self) -> tuple[list[bytes], int | None]:
            """The frame sent last, once the graph is done with it: (serialized landmark lists,
            faces the detector saw or None when it did not run on this frame)."""
            self._graph.wait_until_idle()
            outputs, self._graph_outputs = self._graph_outputs, {}
            faces, detected = outputs.get(LANDMARKS), outputs.get(ALL_DETECTIONS)
            landmarks = (
                [] if faces is None or faces.is_empty() else _packet_getter._get_serialized_proto_list(faces)
            )
            count = (
                None
                if detected is None or detected.is_empty()
                else _packet_getter._get_proto_vector_size(detected)
            )
            return landmarks, count

        def run(self, rgb: np.ndarray) -> tuple[list[bytes], int | None]:
            """One RGB frame [H, W, 3] uint8 -> `receive()`'s result."""
            self.send(frame_packet(rgb))
            return self.receive()

    return FaceMeshGraph


def open_graph(max_faces: int, min_detection_confidence: float, min_tracking_confidence: float):
    """A started FaceMesh graph (video mode, refined landmarks) tracking up to `max_faces` faces;
    `.run(rgb)` (or `.send(frame_packet(rgb))` then `.receive()`) per frame, `.close()` at the end."""
    return _graph_class()(
        side_inputs={"num_faces": max_faces, "with_attention": True, "use_prev_landmarks": True},
        calculator_params={  # as mediapipe.solutions.face_mesh.FaceMesh sets them
            "facedetectionshortrangecpu__facedetectionshortrange__facedetection"
            "__TensorsToDetectionsCalculator.min_score_thresh": min_detection_confidence,
            "facelandmarkcpu__ThresholdingCalculator.threshold": min_tracking_confidence,
        },
        outputs=[LANDMARKS, ALL_DETECTIONS],
    )
