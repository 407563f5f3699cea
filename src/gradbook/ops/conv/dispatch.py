"""The one place that picks how conv2d is computed: the fast path chosen for a shape, and the list of
every path with the shapes it can compute (which the tests run against :mod:`.reference`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ...autograd.tensor import Tensor
from .._util import shape_of
from .._windows import Pads, out_size
from . import (columns, depthwise, depthwise_dense, depthwise_polyphase, depthwise_same, depthwise_strided, winograd,
               winograd4)
from .reference import ReferenceConv2d

__all__: list[str] = []  # internal to the conv family


class Path(NamedTuple):
    """A way to compute conv2d: ``applies(x_shape, w_shape, stride, pads, dilation, groups)`` says
    whether it can compute that conv at all (not whether it is the fastest); ``apply(x, w, b,
    stride, pads, dilation, groups)`` computes it."""

    applies: Callable[..., bool]
    apply: Callable[..., Tensor]


def conv2d_by_path(x: Tensor, weight: Tensor, bias, stride, pads: Pads, dilation, groups: int) -> Tensor:
    """conv2d of checked arguments by the path chosen for its shape, by measurement: depthwise
    (:mod:`.depthwise_dense` on maps of at most 64 pixels, :mod:`.depthwise_same` for 'same' sizes,
    :mod:`.depthwise`, :mod:`.depthwise_polyphase` for 3x3 stride 2 padding 1, other strides
    :mod:`.depthwise_strided`),
    Winograd for large 3x3 'same' convs (F(4x4, 3x3) :mod:`.winograd4` on maps of sides 4k, else
    F(2x2, 3x3) :mod:`.winograd`), else the column product in the layout
    :func:`.columns.choose_layout` picks."""
    n, c, h, w = shape_of(x)
    o, cg, kh, kw = shape_of(weight)
    if depthwise_dense.fits(groups, c, cg, (h, w)):
        return depthwise_dense.DenseDepthwiseConv2d.apply(x, weight, bias, stride=stride, pads=pads,
                                                          dilation=dilation)
    if depthwise_same.fits(groups, c, cg, stride, (h, w), (kh, kw), pads, dilation):
        return depthwise_same.SameDepthwiseConv2d.apply(x, weight, bias, pads=pads, dilation=dilation)
    if depthwise.fits(groups, c, cg, stride):
        return depthwise.DepthwiseConv2d.apply(x, weight, bias, pads=pads, dilation=dilation)
    if depthwise_polyphase.fits(groups, c, cg, (kh, kw), stride, pads, dilation):
        return depthwise_polyphase.PolyphaseDepthwiseConv2d.apply(x, weight, bias)
    if depthwise_strided.fits(groups, c, cg, stride):
        return depthwise_strided.StridedDepthwiseConv2d.apply(x, weight, bias, stride=stride, pads=pads,
                                                              dilation=dilation)
    if winograd4.fits((kh, kw), stride, dilation, groups, pads, (h, w), c, o):
        return winograd4.Winograd4Conv2d.apply(x, weight, bias)
    if winograd.fits((kh, kw), stride, dilation, groups, pads, (h, w), c, o):
        return winograd.WinogradConv2d.apply(x, weight, bias)
    return columns.Conv2d.apply(x, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)


def _same_size(x_shape, w_shape, stride, pads, dilation) -> bool:
    h, w = x_shape[2:]
    kh, kw = w_shape[2:]
    return tuple(stride) == (1, 1) and (out_size(h, kh, 1, pads[0] + pads[1], dilation[0]),
                                        out_size(w, kw, 1, pads[2] + pads[3], dilation[1])) == (h, w)


def _layout(name: str) -> Path:
    applies = (lambda x_shape, w_shape, stride, pads, dilation, groups: _same_size(x_shape, w_shape, stride, pads,
                                                                                 dilation)) \
        if name == "taps" else (lambda *shapes: True)
    return Path(applies, lambda x, w, b, stride, pads, dilation, groups: columns.Conv2d.apply(
        x, w, b, stride=stride, pads=pads, dilation=dilation, groups=groups, layout=name))


PATHS: dict[str, Path] = {
    "reference": Path(lambda *shapes: True, lambda x, w, b, stride, pads, dilation, groups: ReferenceConv2d.apply(
        x, w, b, stride=stride, pads=pads, dilation=dilation, groups=groups)),
    **{f"columns:{name}": _layout(name) for name in columns.LAYOUTS},
    "depthwise": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: depthwise.fits(
                          groups, x_shape[1], w_shape[1], stride),
                      lambda x, w, b, stride, pads, dilation, groups: depthwise.DepthwiseConv2d.apply(
                          x, w, b, pads=pads, dilation=dilation)),
    "depthwise:dense": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: depthwise_dense.fits(
                                groups, x_shape[1], w_shape[1], x_shape[2:]),
                            lambda x, w, b, stride, pads, dilation, groups:
                            depthwise_dense.DenseDepthwiseConv2d.apply(x, w, b, stride=stride, pads=pads,
                                                                       dilation=dilation)),
    "depthwise:same": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: depthwise_same.fits(
                               groups, x_shape[1], w_shape[1], stride, x_shape[2:], w_shape[2:], pads, dilation),
                           lambda x, w, b, stride, pads, dilation, groups: depthwise_same.SameDepthwiseConv2d.apply(
                               x, w, b, pads=pads, dilation=dilation)),
    "depthwise:strided": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: depthwise_strided.fits(
                                  groups, x_shape[1], w_shape[1], stride),
                              lambda x, w, b, stride, pads, dilation, groups:
                              depthwise_strided.StridedDepthwiseConv2d.apply(x, w, b, stride=stride, pads=pads,
                                                                             dilation=dilation)),
    "depthwise:polyphase": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: depthwise_polyphase.fits(
                                    groups, x_shape[1], w_shape[1], w_shape[2:], stride, pads, dilation),
                                lambda x, w, b, stride, pads, dilation, groups:
                                depthwise_polyphase.PolyphaseDepthwiseConv2d.apply(x, w, b)),
    "winograd": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: winograd.applies(
                         w_shape[2:], stride, dilation, groups, pads, x_shape[2:]),
                     lambda x, w, b, stride, pads, dilation, groups: winograd.WinogradConv2d.apply(x, w, b)),
    "winograd4": Path(lambda x_shape, w_shape, stride, pads, dilation, groups: winograd4.applies(
                          w_shape[2:], stride, dilation, groups, pads, x_shape[2:]),
                      lambda x, w, b, stride, pads, dilation, groups: winograd4.Winograd4Conv2d.apply(x, w, b)),
}
