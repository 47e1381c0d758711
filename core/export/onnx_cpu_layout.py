"""Graph rewrites that fit ONNX Runtime's blocked (NCHWc) CPU convolutions; same function, less work.

ONNX Runtime's CPU provider runs convolutions in NCHWc: channels in blocks of 8 (AVX2) or 16
(AVX-512). A tensor whose channel count is not a multiple of the block breaks that: a Concat of
two such tensors cannot run blocked (each part carries its own padding), so the runtime reorders
both to NCHW, concatenates, and reorders back; a convolution that reads fewer channels than a
block takes its NCHW input through a slow path. DINet mini at width 8 has both at full crop
resolution (its first level is 8 channels wide, on a 16-channel block).

`pad_channels` widens every such convolution output to a whole number of blocks with zero
filters (and zero bias), and gives each convolution that reads a widened tensor zero weights for
the added channels (depthwise convolutions get zero filters and a larger group). The graph
computes the same function; the blocked kernels compute no more than before (they padded
internally anyway). Only tensors whose every use is a convolution, an activation, a resize, a
channel concat or a shape query are widened; anything else (an Add with another layout, a graph
output) leaves its producer as it was.

A convolution with few outputs (DINet's RGB head: 8 -> 3 channels at full crop resolution) is the
opposite case: a blocked kernel computes a whole block of outputs (16 for 3, five times the work),
the most expensive node of DINet mini. `small_convs_as_transposed` writes such a convolution, where
its output only goes on to the graph's outputs, as the equivalent ConvTranspose
(kernel flipped and transposed), which ONNX Runtime runs as one small GEMM plus col2im in NCHW.

Example:
    >>> model = fit_cpu_layout(onnx.load("renderer.onnx"))
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

UNARY = {"Relu", "Sigmoid", "Resize", "LeakyRelu", "Tanh", "Clip"}


def nchwc_block() -> int:
    """ONNX Runtime's NCHWc channel block on this CPU: 16 with AVX-512, 8 with AVX2, else 0 (no
    blocked layout, e.g. ARM: padding would only add work)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # numpy < 2
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:  # numpy moved it again: run the graph as exported
            return 0
    if feats.get("AVX512F"):
        return 16
    if feats.get("AVX2") and feats.get("FMA3"):
        return 8
    return 0


def rewrite_holds(check: Callable[[], str | None], what: str) -> bool:
    """Whether to run `what` rewritten: `check()` returns None when the rewritten graph matches its
    reference, else how it differs. A rewrite that drifts or fails on this CPU costs speed, not the
    run: the caller then runs the graph as exported, and the log says why."""
    try:
        problem = check()
    except Exception as exc:  # the rewrite met a graph it does not handle
        problem = f"failed ({type(exc).__name__}: {exc})"
    if problem is not None:
        log.warning("%s rewritten for ONNX Runtime's CPU layout %s; running it as exported", what, problem)
    return problem is None


def fit_cpu_layout(model, block: int | None = None):
    """`model` rewritten for this CPU's NCHWc block (`nchwc_block()` unless given); unchanged without one."""
    block = nchwc_block() if block is None else block
    if block <= 1:
        return model
    return pad_channels(small_convs_as_transposed(model, block), block)


def small_convs_as_transposed(model, block: int):
    """A copy of `model` with each stride-1 convolution of fewer than `block` outputs whose output
    goes only to graph outputs (directly or through activations) written as the equivalent ConvTranspose."""
    import onnx
    from onnx import numpy_helper

    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    _inline_identities(graph)
    inits = {t.name: t for t in graph.initializer}
    for node in graph.node:
        shape = _conv_shape(node, inits)
        if shape is None or shape[0] >= block or shape[2] != 1 or not _only_to_outputs(graph, node.output[0]):
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if any(v != 1 for v in [*attrs.get("strides", []), *attrs.get("dilations", [])]):
            continue
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        weight = numpy_helper.to_array(inits[node.input[1]])
        if weight.ndim != 4:
            continue
        kernel = list(weight.shape[2:]) * 2  # kh, kw, kh, kw: the kernel size per entry of `pads`
        pads = attrs.get("pads", [0, 0, 0, 0])
        if any(p > k - 1 for p, k in zip(pads, kernel, strict=True)):
            continue
        # stride 1: conv(x, W, pads p) = conv_transpose(x, W', pads k - 1 - p), W'[i, o] = W[o, i] flipped
        flipped = np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
        name = f"{node.output[0]}_transposed_weight"
        graph.initializer.append(numpy_helper.from_array(flipped, name))
        node.input[1] = name
        node.op_type = "ConvTranspose"
        del node.attribute[:]
        node.attribute.append(
            onnx.helper.make_attribute("pads", [k - 1 - p for p, k in zip(pads, kernel, strict=True)])
        )
    return model


def _inline_identities(graph) -> None:
    """Read initializers directly where the exporter shares one through an Identity node (it does so
    for equal tensors, e.g. the zero biases of an untrained network), so each conv sees its weights."""
    inits = {t.name for t in graph.initializer}
    alias = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity" and n.input[0] in inits}
    outputs = {o.name for o in graph.output}
    alias = {k: v for k, v in alias.items() if k not in outputs}
    if not alias:
        return
    kept = [n for n in graph.node if not (n.op_type == "Identity" and n.output[0] in alias)]
    for node in kept:
        for i, name in enumerate(node.input):
            if name in alias:
                node.input[i] = alias[name]
    del graph.node[:]
    graph.node.extend(kept)


def _only_to_outputs(graph, name: str) -> bool:
    """Whether `name` goes only to graph outputs, directly or through unary activations."""
    users = [n for n in graph.node if name in n.input]
    if any(n.op_type not in UNARY or not _only_to_outputs(graph, n.output[0]) for n in users):
        return False
    return bool(users) or name in {o.name for o in graph.output}


@dataclass(frozen=True)
class Layout:
    """Where a tensor's real channels sit in its (padded) channel axis."""

    size: int
    positions: tuple[int, ...]

    @property
    def plain(self) -> bool:
        return self.positions == tuple(range(self.size))


def pad_channels(model, block: int):
    """A copy of `model` (an onnx ModelProto) with conv outputs widened to multiples of `block`."""
    import onnx

    model = onnx.ModelProto.FromString(model.SerializeToString())
    if block <= 1:
        return model
    graph = model.graph
    _inline_identities(graph)
    inits = {t.name: t for t in graph.initializer}
    outputs = {o.name for o in graph.output}
    candidates = [n for n in graph.node if _widenable(n, inits, block)]
    widen = {n.output[0] for n in candidates}
    while True:
        layouts, bad = _propagate(graph, inits, outputs, widen, block)
        if bad is None or bad not in widen:
            break
        widen.discard(bad)  # its layout reached a use that cannot take it: keep that conv as it was
    if not widen or bad is not None:
        return model
    _rewrite(graph, inits, layouts)
    return model


def _conv_shape(node, inits) -> tuple[int, int, int] | None:
    """(out channels, in channels per group, group) of a Conv with initializer weights."""
    if node.op_type != "Conv" or len(node.input) < 2 or node.input[1] not in inits:
        return None
    if len(node.input) > 2 and node.input[2] and node.input[2] not in inits:
        return None
    dims = inits[node.input[1]].dims
    return dims[0], dims[1], _attr(node, "group", 1)


def _attr(node, name: str, default: int | None = None) -> int | None:
    return next((a.i for a in node.attribute if a.name == name), default)


def _widenable(node, inits, block: int) -> bool:
    shape = _conv_shape(node, inits)
    return shape is not None and shape[2] == 1 and shape[0] % block != 0


def _propagate(graph, inits, outputs, widen, block):
    """Layouts of the widened tensors, or the widened conv output whose layout reaches a bad use."""
    layouts: dict[str, Layout] = {}
    origin: dict[str, str] = {}  # tensor -> the widened conv output it derives from
    for node in graph.node:
        ins = [layouts.get(i) for i in node.input]
        src = next((origin[i] for i in node.input if i in origin), None)
        if node.op_type == "Conv" and (shape := _conv_shape(node, inits)) is not None:
            cout, _, group = shape
            lay = ins[0]
            if group > 1:  # depthwise: channels stay where they are
                if lay is not None and not lay.plain:
                    if group != cout or shape[1] != 1:
                        return layouts, src
                    layouts[node.output[0]], origin[node.output[0]] = lay, src
                continue
            if node.output[0] in widen:
                size = -(-cout // block) * block
                layouts[node.output[0]] = Layout(size, tuple(range(cout)))
                origin[node.output[0]] = node.output[0]
            continue
        if all(lay is None for lay in ins):
            continue
        if node.op_type in UNARY and ins[0] is not None and all(lay is None for lay in ins[1:]):
            layouts[node.output[0]], origin[node.output[0]] = ins[0], src
        elif node.op_type == "Concat" and _attr(node, "axis") == 1:
            sizes = [_channels(i, layouts, graph, inits) for i in node.input]
            if any(s is None for s in sizes):
                return layouts, src
            positions, offset = [], 0
            for name, size in zip(node.input, sizes, strict=True):
                lay = layouts.get(name) or Layout(size, tuple(range(size)))
                positions += [offset + p for p in lay.positions]
                offset += lay.size
            layouts[node.output[0]], origin[node.output[0]] = Layout(offset, tuple(positions)), src
        elif node.op_type == "Shape":
            continue
        else:
            return layouts, src
    for name in outputs:
        if name in layouts:
            return layouts, origin[name]
    return layouts, None


def _channels(name, layouts, graph, inits) -> int | None:
    """The channel count of a plain tensor: from its producing conv's weights or a known shape."""
    if name in layouts:
        return layouts[name].size
    for node in graph.node:
        if name in node.output:
            shape = _conv_shape(node, inits)
            if shape is not None:
                return shape[0]
            if node.op_type in UNARY:
                return _channels(node.input[0], layouts, graph, inits)
    for vi in [*graph.value_info, *graph.input]:
        if vi.name == name and len(vi.type.tensor_type.shape.dim) > 1:
            dim = vi.type.tensor_type.shape.dim[1]
            return dim.dim_value or None
    return None


def _rewrite(graph, inits, layouts: dict[str, Layout]) -> None:
    from onnx import numpy_helper

    def put(node, slot: int, array: np.ndarray) -> None:
        # a new initializer per conv: the exporter shares equal tensors (e.g. zero biases) between nodes
        name = f"{node.output[0]}_padded_{slot}"
        graph.initializer.append(numpy_helper.from_array(array.astype(np.float32), name))
        node.input[slot] = name

    for node in graph.node:
        if (shape := _conv_shape(node, inits)) is None:
            continue
        cout, _, group = shape
        weight = numpy_helper.to_array(inits[node.input[1]])
        bias = numpy_helper.to_array(inits[node.input[2]]) if len(node.input) > 2 and node.input[2] else None
        lay_in, lay_out = layouts.get(node.input[0]), layouts.get(node.output[0])
        if group > 1:
            if lay_in is None or lay_in.plain:
                continue
            idx = list(lay_in.positions)
            w = np.zeros((lay_in.size, *weight.shape[1:]), weight.dtype)
            w[idx] = weight
            for attr in node.attribute:
                if attr.name == "group":
                    attr.i = lay_in.size
        else:
            w = weight
            if lay_in is not None and not lay_in.plain:
                w = np.zeros((cout, lay_in.size, *weight.shape[2:]), weight.dtype)
                w[:, list(lay_in.positions)] = weight
            if lay_out is not None:
                w = np.concatenate([w, np.zeros((lay_out.size - cout, *w.shape[1:]), w.dtype)])
            idx = list(range(cout))
        if w is weight:
            continue
        put(node, 1, w)
        if bias is not None:
            b = np.zeros(w.shape[0], bias.dtype)
            b[idx] = bias
            put(node, 2, b)
