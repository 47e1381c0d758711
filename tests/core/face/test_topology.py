from collections import Counter

import numpy as np
import pytest
from mediapipe.python.solutions import face_mesh_connections as fmc

from core.face import topology
from core.face.mouth_metrics import mouth_opening, mouth_width


def _edges(tris: np.ndarray) -> Counter:
    return Counter(
        tuple(sorted((int(a), int(b)))) for t in tris for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))
    )


def test_tessellation_triangles_cover_mediapipe_edges_exactly():
    tris = topology.triangles()
    assert tris.shape == (852, 3) and tris.dtype == np.int32
    assert tris.min() == 0 and tris.max() == 467
    edges = _edges(tris)
    assert set(edges) == {tuple(sorted(e)) for e in fmc.FACEMESH_TESSELATION}
    assert Counter(edges.values()) == {2: 1234, 1: 88}  # manifold with a boundary of 88 edges


def test_winding_is_consistent_and_faces_the_camera():
    tris = topology.triangles(fill_holes=True, irises=True)
    assert tris.shape == (906, 3)
    directed = Counter((int(a), int(b)) for t in tris for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])))
    assert max(directed.values()) == 1  # neighbours traverse a shared edge in opposite directions
    xy = topology.frontal_layout()[:, :2]
    d1, d2 = xy[tris[:, 1]] - xy[tris[:, 0]], xy[tris[:, 2]] - xy[tris[:, 0]]
    cross = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    assert np.all(cross < 0)


def test_hole_fills_close_the_mesh_except_the_face_oval():
    boundary = {e for e, n in _edges(topology.triangles(fill_holes=True)).items() if n == 1}
    oval = topology.contour("face_oval")
    assert boundary == {tuple(sorted((oval[i], oval[(i + 1) % len(oval)]))) for i in range(len(oval))}


def test_lip_contours_are_ordered_loops_of_mediapipe_lips():
    lips = {tuple(sorted(e)) for e in fmc.FACEMESH_LIPS}
    for loop in (topology.LIPS_OUTER, topology.LIPS_INNER):
        assert len(loop) == 20 and len(set(loop)) == 20
        assert all(tuple(sorted((loop[i], loop[(i + 1) % 20]))) in lips for i in range(20))
    assert topology.contour("lips_outer") == topology.LIPS_OUTER
    assert topology.contour("lips_inner") == topology.LIPS_INNER


@pytest.mark.parametrize("name", topology.REGION_NAMES)
def test_regions_are_consistent(name):
    verts = topology.region_vertices(name)
    tri_ids = topology.region_triangles(name)
    assert len(verts) > 0 and len(tri_ids) > 0
    assert np.all(np.diff(verts) > 0) and verts.max() < 478
    tris = topology.triangles(fill_holes=True, irises=True)[tri_ids]
    assert np.isin(tris, verts).any(axis=1).all()  # every region triangle touches the region


def test_regions_sit_where_they_should_on_a_frontal_face():
    xy = topology.frontal_layout()[:, :2]
    centre = {n: xy[topology.region_vertices(n)].mean(axis=0) for n in topology.REGION_NAMES}
    assert centre["left_eye"][0] > centre["right_eye"][0]  # the subject's left is the image right
    assert centre["left_brow"][1] < centre["left_eye"][1] < centre["nose"][1] < centre["lips"][1]
    assert centre["jaw"][1] > centre["lips"][1]
    assert set(topology.region_vertices("left_iris")) == set(range(473, 478))
    with pytest.raises(KeyError, match="known regions"):
        topology.region_vertices("ear")


def test_mouth_opening_grows_when_the_lower_lip_drops():
    face = np.repeat(topology.frontal_layout()[None], 3, axis=0).astype(np.float64) * 200
    lower = [p for p in topology.LIPS_INNER[1:10]] + [p for p in topology.LIPS_OUTER[1:10]]
    face[1, lower, 1] += 10
    face[2, lower, 1] += 30
    opening = mouth_opening(face)
    assert opening.shape == (3,) and opening.dtype == np.float32
    assert opening[0] < opening[1] < opening[2]
    assert np.allclose(mouth_opening(face[:, :, :2] * 3), opening, atol=1e-5)  # scale invariant
    assert mouth_width(face).shape == (3,)
    with pytest.raises(ValueError):
        mouth_opening(np.zeros((2, 10, 2)))
