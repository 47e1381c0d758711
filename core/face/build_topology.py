"""Generate `resources/face_topology.json` from MediaPipe's face-mesh tessellation (run once).

    PYTHONPATH=. python -m core.face.build_topology

Why derived rather than copied: mediapipe 0.10.14 ships no canonical mesh file, only
`FACEMESH_TESSELATION`, the edge set of its 468-vertex triangle mesh (with holes at the eyes and
the mouth). The faces are the 3-cliques of that graph minus the few spurious ones, oriented
consistently by a flood fill over shared edges.

The global winding is chosen on a frontal face tracked from the project's own
synthetic demo clip, so that in MediaPipe's landmark frame (x right, y down, z away from the
camera) the normal (v1 - v0) x (v2 - v0) points at the camera (negative z): counter-clockwise
as seen on screen. The same layout places the semantic regions (polygon containment).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "resources" / "face_topology.json"

# Contour start points and corner pairs (MediaPipe vertex ids). "left"/"right" are the
# subject's, as in mediapipe's FACEMESH_LEFT_* names (the subject's left is the image right).
CONTOUR_START = {
    "lips_outer": (61, 146),
    "lips_inner": (78, 95),
    "left_eye": (362, 382),
    "right_eye": (33, 7),
    "face_oval": (10, 338),
}
EYE_CORNERS = {"left_eye": (362, 263), "right_eye": (133, 33)}
MOUTH_CORNERS = (78, 308)
IRIS = {"left_iris": (473, [474, 475, 476, 477]), "right_iris": (468, [469, 470, 471, 472])}


def mesh_triangles(edges: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Faces of the triangulated surface given by its edges, consistently oriented (sign arbitrary).

    Every 3-clique of the edge graph is a candidate; a spurious one (three edges closing a loop
    around a vertex, not a face) shares each of its edges with two real faces, so on a manifold
    mesh it is the clique whose three edges all lie in three cliques.
    """
    und = {tuple(sorted(e)) for e in edges}
    nbr = defaultdict(set)
    for a, b in und:
        nbr[a].add(b)
        nbr[b].add(a)
    cliques = sorted({tuple(sorted((a, b, c))) for a, b in und for c in nbr[a] & nbr[b]})
    use = defaultdict(list)
    for t in cliques:
        for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2])):
            use[e].append(t)
    spurious = {
        t for t in cliques if all(len(use[e]) > 2 for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2])))
    }
    tris = [t for t in cliques if t not in spurious]
    count = defaultdict(int)
    for t in tris:
        for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2])):
            count[e] += 1
    if len(count) != len(und) or max(count.values()) > 2:
        raise RuntimeError(f"the tessellation is not a manifold triangle mesh ({len(tris)} faces)")
    return orient(tris)


def orient(tris: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Give every face the winding of its neighbours (flood fill over shared edges)."""
    by_edge = defaultdict(list)
    for i, t in enumerate(tris):
        for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2])):
            by_edge[e].append(i)
    out: list[tuple[int, int, int] | None] = [None] * len(tris)
    for seed in range(len(tris)):
        if out[seed] is not None:
            continue
        out[seed] = tris[seed]
        todo = [seed]
        while todo:
            i = todo.pop()
            a, b, c = out[i]
            for x, y in ((a, b), (b, c), (c, a)):
                for j in by_edge[tuple(sorted((x, y)))]:
                    if j == i or out[j] is not None:
                        continue
                    t = tris[j]
                    k = next(v for v in t if v not in (x, y))
                    out[j] = (y, x, k)  # the shared edge runs the other way in a consistent neighbour
                    todo.append(j)
    return out


def ordered_loop(edges: set[tuple[int, int]], start: int, second: int) -> list[int]:
    """Walk an undirected closed chain from `start` towards `second`."""
    nbr = defaultdict(set)
    for a, b in edges:
        nbr[a].add(b)
        nbr[b].add(a)
    loop, prev, cur = [start], start, second
    while cur != start:
        loop.append(cur)
        nxt = [v for v in nbr[cur] if v != prev]
        prev, cur = cur, nxt[0]
    return loop


def component_with(edges: set[tuple[int, int]], vertex: int) -> set[tuple[int, int]]:
    seen, todo = {vertex}, [vertex]
    while todo:
        v = todo.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == v and y not in seen:
                    seen.add(y)
                    todo.append(y)
    return {e for e in edges if e[0] in seen}


def strip_fill(loop: list[int], corner_a: int, corner_b: int) -> list[tuple[int, int, int]]:
    """Triangulate a hole between two corners as a strip pairing its two chains (stays valid when closed)."""
    i, j = loop.index(corner_a), loop.index(corner_b)
    n = len(loop)
    chain1 = [loop[(i + k) % n] for k in range((j - i) % n + 1)]
    chain2 = [loop[(i - k) % n] for k in range((i - j) % n + 1)]
    if len(chain1) != len(chain2):
        raise RuntimeError("hole chains differ in length")
    tris = []
    for k in range(len(chain1) - 1):
        a0, a1, b0, b1 = chain1[k], chain1[k + 1], chain2[k], chain2[k + 1]
        if a0 != b0:
            tris.append((a0, a1, b0))
        if a1 != b1:
            tris.append((b0, a1, b1))
    return tris


def facing(tris: list[tuple[int, int, int]], xy: np.ndarray) -> list[tuple[int, int, int]]:
    """Flip each triangle so its screen-space cross product is negative (normal toward camera)."""
    out = []
    for a, b, c in tris:
        d1, d2 = xy[b] - xy[a], xy[c] - xy[a]
        out.append((a, b, c) if d1[0] * d2[1] - d1[1] * d2[0] < 0 else (a, c, b))
    return out


def inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    import cv2

    poly = polygon.astype(np.float32).reshape(-1, 1, 2)
    return np.array([cv2.pointPolygonTest(poly, (float(x), float(y)), False) > 0 for x, y in points])


def frontal_layout() -> np.ndarray:
    """Mean MediaPipe landmarks [478, 3] (pixels) over the synthetic demo clip's frames."""
    import mediapipe as mp

    from core.synth.talking_head import DemoClipSpec, generate

    clip = generate(DemoClipSpec(size=384, duration=3.0))
    pts = []
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False, refine_landmarks=True, max_num_faces=1
    ) as fm:
        for frame in clip.frames:
            res = fm.process(frame[:, :, ::-1].copy())
            if res.multi_face_landmarks:
                lm = res.multi_face_landmarks[0].landmark
                pts.append([(p.x * 384, p.y * 384, p.z * 384) for p in lm])
    return np.asarray(pts, np.float64).mean(axis=0)


def build() -> dict:
    from mediapipe.python.solutions import face_mesh_connections as fmc

    layout = frontal_layout()
    xy = layout[:, :2]
    tris = mesh_triangles(set(fmc.FACEMESH_TESSELATION))
    arr = np.asarray(tris)
    d1, d2 = xy[arr[:, 1]] - xy[arr[:, 0]], xy[arr[:, 2]] - xy[arr[:, 0]]
    cross = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    if np.mean(cross < 0) < 0.5:  # the tessellation's winding is the other way: flip all
        tris = [(a, c, b) for a, b, c in tris]
        cross = -cross
    print(f"{len(tris)} triangles, {np.mean(cross < 0):.3f} facing the camera on the frontal layout")

    lips = set(fmc.FACEMESH_LIPS)
    contours = {
        "lips_outer": ordered_loop(component_with(lips, 61), *CONTOUR_START["lips_outer"]),
        "lips_inner": ordered_loop(component_with(lips, 78), *CONTOUR_START["lips_inner"]),
        "left_eye": ordered_loop(set(fmc.FACEMESH_LEFT_EYE), *CONTOUR_START["left_eye"]),
        "right_eye": ordered_loop(set(fmc.FACEMESH_RIGHT_EYE), *CONTOUR_START["right_eye"]),
        "face_oval": ordered_loop(set(fmc.FACEMESH_FACE_OVAL), *CONTOUR_START["face_oval"]),
    }
    fills = {
        "mouth_interior": facing(strip_fill(contours["lips_inner"], *MOUTH_CORNERS), xy),
        "left_eye": facing(strip_fill(contours["left_eye"], *EYE_CORNERS["left_eye"]), xy),
        "right_eye": facing(strip_fill(contours["right_eye"], *EYE_CORNERS["right_eye"]), xy),
    }
    iris_tris = {}
    for name, (centre, ring) in IRIS.items():
        iris_tris[name] = facing([(centre, ring[k], ring[(k + 1) % 4]) for k in range(4)], xy)

    # All triangles: tessellation, then hole fills (mouth, left eye, right eye), then iris fans.
    all_tris = list(tris)
    offsets = {}
    for name, group in [*fills.items(), *iris_tris.items()]:
        offsets[name] = (len(all_tris), len(all_tris) + len(group))
        all_tris.extend(group)

    tess = np.asarray(tris)
    centroids = xy[tess].mean(axis=1)
    mesh_vertices = np.arange(468)

    def tess_inside(poly: list[int]) -> set[int]:
        return set(np.flatnonzero(inside(centroids, xy[poly])).tolist())

    def verts_inside(poly: list[int]) -> set[int]:
        return set(mesh_vertices[inside(xy[:468], xy[poly])].tolist()) | set(poly)

    def touching(tri_ids: set[int], verts: set[int]) -> set[int]:
        return {t for t in tri_ids if verts & set(tris[t])}

    def brow_loop(edges: set[tuple[int, int]]) -> list[int]:
        nbr = defaultdict(set)
        for a, b in edges:
            nbr[a].add(b)
            nbr[b].add(a)
        ends = [v for v in nbr if len(nbr[v]) == 1]
        chains, seen = [], set()
        for e in ends:
            if e in seen:
                continue
            chain, prev = [e], None
            while True:
                nxt = [v for v in nbr[chain[-1]] if v != prev]
                if not nxt:
                    break
                prev = chain[-1]
                chain.append(nxt[0])
            seen.update(chain)
            chains.append(chain)
        a, b = chains
        if np.linalg.norm(xy[a[0]] - xy[b[0]]) > np.linalg.norm(xy[a[0]] - xy[b[-1]]):
            b = b[::-1]
        return a + b[::-1]

    regions: dict[str, dict[str, list[int]]] = {}
    outer, inner = contours["lips_outer"], contours["lips_inner"]
    lip_tris = tess_inside(outer) - tess_inside(inner)
    lip_verts = verts_inside(outer)
    regions["lips"] = {"vertices": lip_verts, "triangles": lip_tris}
    regions["lips_outer"] = {"vertices": set(outer), "triangles": touching(lip_tris, set(outer))}
    regions["lips_inner"] = {"vertices": set(inner), "triangles": touching(lip_tris, set(inner))}
    regions["mouth_interior"] = {"vertices": set(inner), "triangles": set(range(*offsets["mouth_interior"]))}
    for side in ("left", "right"):
        eye = contours[f"{side}_eye"]
        regions[f"{side}_eye"] = {"vertices": set(eye), "triangles": set(range(*offsets[f"{side}_eye"]))}
        brow = brow_loop(set(getattr(fmc, f"FACEMESH_{side.upper()}_EYEBROW")))
        regions[f"{side}_brow"] = {"vertices": set(brow), "triangles": tess_inside(brow)}
        centre, ring = IRIS[f"{side}_iris"]
        regions[f"{side}_iris"] = {
            "vertices": {centre, *ring},
            "triangles": set(range(*offsets[f"{side}_iris"])),
        }
    nose_verts = {v for e in fmc.FACEMESH_NOSE for v in e}
    nose_tris = {
        t
        for t in range(len(tris))
        if set(tris[t]) <= nose_verts
        or (len(set(tris[t]) & nose_verts) >= 2 and np.all(xy[list(tris[t]), 1] > xy[168, 1]))
    }
    regions["nose"] = {"vertices": nose_verts, "triangles": nose_tris}
    oval = contours["face_oval"]
    regions["face_oval"] = {"vertices": set(oval), "triangles": touching(set(range(len(tris))), set(oval))}
    # Jaw: the face below the mouth corners and outside the lips (chin, jaw line, lower cheeks).
    corner_y = max(xy[61, 1], xy[291, 1])
    jaw_verts = {v for v in range(468) if xy[v, 1] > corner_y and v not in lip_verts}
    regions["jaw"] = {
        "vertices": jaw_verts,
        "triangles": {t for t in range(len(tris)) if set(tris[t]) <= jaw_verts},
    }

    return {
        "schema": 1,
        "about": "MediaPipe face-mesh topology from FACEMESH_TESSELATION (core/face/build_topology.py)",
        "winding": "normals toward the camera in MediaPipe's frame (x right, y down, z away): CCW on screen",
        "num_vertices": 478,
        "num_tessellation_triangles": len(tris),
        "triangles": [list(t) for t in all_tris],
        "groups": {"tessellation": [0, len(tris)], **{k: list(v) for k, v in offsets.items()}},
        "contours": {k: list(v) for k, v in contours.items()},
        "regions": {
            name: {
                "vertices": sorted(int(v) for v in r["vertices"]),
                "triangles": sorted(int(t) for t in r["triangles"]),
            }
            for name, r in regions.items()
        },
        "frontal_layout": np.round(layout / (xy[:468, 0].max() - xy[:468, 0].min()), 5).tolist(),
    }


def main() -> None:
    from core.io import atomic

    data = build()
    atomic.write_text(OUT, json.dumps(data, separators=(",", ":")) + "\n")
    for name, r in data["regions"].items():
        print(f"  {name:15s} {len(r['vertices']):4d} vertices {len(r['triangles']):4d} triangles")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
