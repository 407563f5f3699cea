"""The public convolutions (``conv2d``, ``conv_transpose2d``, ``conv1d``): PyTorch's arguments,
checked with errors that name the op, then handed to :mod:`.dispatch` (conv2d) or
:class:`.transpose.ConvTranspose2d`."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd.tensor import Tensor
from .._util import operand, shape_of
from .._windows import out_size, pair, same_padding
from .dispatch import conv2d_by_path
from .transpose import ConvTranspose2d

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]


class EmptyBatchConv(Function):
    """conv2d or conv_transpose2d of an empty batch (N = 0), as PyTorch gives it: an empty output of
    the shape the arguments imply; the weight's and bias's gradients are sums over no samples, 0."""

    def forward(ctx, x, w, b, out_shape):
        ctx.shapes = (x.shape, w.shape, None if b is None else b.shape)
        return np.zeros((0, *out_shape), np.result_type(x, w))

    def backward(ctx, g):
        return (*(None if s is None else np.zeros(s, g.dtype) for s in ctx.shapes), None)

    def differentiable_backward(ctx, g):
        return (*(None if s is None else Tensor._wrap(np.zeros(s, g.dtype)) for s in ctx.shapes), None)


# ----------------------------------------------------------------------------- argument checks
def _batched(op: object, x, weight, bias, spatial: int):
    """Validate ranks; an unbatched input gains a batch axis (removed again by the caller)."""
    xs, ws = shape_of(x), shape_of(weight)
    if len(ws) != spatial + 2:
        raise ValueError(f"{op}: expected a {spatial + 2}-D weight, got shape {tuple(ws)}")
    if len(xs) == spatial + 1:
        return x.unsqueeze(0) if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x)[None]), True
    if len(xs) != spatial + 2:
        names = "(N, C, H, W) or (C, H, W)" if spatial == 2 else "(N, C, L) or (C, L)"
        raise ValueError(f"{op}: expected a {spatial + 2}-D input {names}, got shape {tuple(xs)}")
    return x, False


def _check_groups(op: object, groups, in_ch: int, out_ch: int) -> int:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if in_ch % groups or out_ch % groups:
        raise ValueError(f"{op}: in_channels ({in_ch}) and out_channels ({out_ch}) must both be "
                         f"divisible by groups ({groups})")
    return int(groups)


def _check_bias(op: object, bias, out_ch: int) -> None:
    if bias is not None and tuple(shape_of(bias)) != (out_ch,):
        raise ValueError(f"{op}: expected a bias of shape ({out_ch},), got {tuple(shape_of(bias))}")


def _check_positive(op: object, name: str, p) -> None:
    if min(p) < 1:
        raise ValueError(f"{op}: {name} must be positive, got {p}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (``torch.nn.functional.conv2d``).

    ``padding`` is an int, a pair, ``'valid'`` (no padding) or ``'same'`` (stride 1 only; the
    output keeps H×W, an odd total padding puts the extra row/column at the bottom/right).
    Shapes: input (N, C, H, W) or (C, H, W); weight (O, C/groups, KH, KW); bias (O,);
    output (N, O, ⌊(H + 2p − d(KH−1) − 1)/s⌋ + 1, ...).
    """
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups)


def _conv2d(op: object, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    """conv2d whose errors name ``op`` (the function, or the layer that calls it)."""
    input, weight, bias = operand(input), operand(weight), None if bias is None else operand(bias)
    x, unbatched = _batched(op, input, weight, bias, 2)
    n, c, h, w = shape_of(x)
    o, cg, kh, kw = shape_of(weight)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if c != cg * groups:
        raise ValueError(f"{op}: expected input with {cg * groups} channels (weight of shape "
                         f"{tuple(shape_of(weight))}, groups={groups}), got input of shape "
                         f"{tuple(shape_of(input))} with {c} channels")
    groups = _check_groups(op, groups, c, o)
    _check_bias(op, bias, o)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    _check_positive(op, "stride", stride)
    _check_positive(op, "dilation", dilation)
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                                 f"(stride={stride})")
            pads = same_padding((kh, kw), dilation)
        else:
            raise ValueError(f"{op}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    else:
        ph, pw = pair(padding, "padding", op)
        if min(ph, pw) < 0:
            raise ValueError(f"{op}: padding must be non-negative, got {(ph, pw)}")
        pads = (ph, ph, pw, pw)
    oh = out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0])
    ow = out_size(w, kw, stride[1], pads[2] + pads[3], dilation[1])
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: the kernel ({kh}x{kw}, dilation {dilation}) is larger than the padded "
                         f"input ({h + pads[0] + pads[1]}x{w + pads[2] + pads[3]}) of shape "
                         f"{tuple(shape_of(input))}")
    if n == 0:
        y = EmptyBatchConv.apply(x, weight, bias, out_shape=(o, oh, ow))
    else:
        y = conv2d_by_path(x, weight, bias, stride, pads, dilation, groups)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution (``torch.nn.functional.conv_transpose2d``), the gradient of
    conv2d with respect to its input.

    Shapes: input (N, C, H, W) or (C, H, W); weight (C, O/groups, KH, KW); bias (O,);
    output (N, O, (H−1)·s − 2p + d(KH−1) + output_padding + 1, ...).
    """
    return _conv_transpose2d("conv_transpose2d", input, weight, bias, stride, padding, output_padding,
                             groups, dilation)


def _conv_transpose2d(op: object, input, weight, bias, stride, padding, output_padding, groups, dilation) -> Tensor:
    """conv_transpose2d whose errors name ``op``."""
    input, weight, bias = operand(input), operand(weight), None if bias is None else operand(bias)
    x, unbatched = _batched(op, input, weight, bias, 2)
    n, c, h, w = shape_of(x)
    cw, og, kh, kw = shape_of(weight)
    if c != cw:
        raise ValueError(f"{op}: expected input with {cw} channels (weight of shape "
                         f"{tuple(shape_of(weight))}), got input of shape {tuple(shape_of(input))} "
                         f"with {c} channels")
    groups = _check_groups(op, groups, c, og * groups if isinstance(groups, (int, np.integer)) else 1)
    _check_bias(op, bias, og * groups)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    padding, output_padding = pair(padding, "padding", op), pair(output_padding, "output_padding", op)
    _check_positive(op, "stride", stride)
    _check_positive(op, "dilation", dilation)
    if min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"{op}: padding and output_padding must be non-negative, got {padding} and "
                         f"{output_padding}")
    for a in range(2):
        if output_padding[a] >= max(stride[a], dilation[a]):
            raise ValueError(f"{op}: output_padding must be smaller than either stride or dilation, got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    ow = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: padding {padding} leaves an empty output ({oh}x{ow}) for input of shape "
                         f"{tuple(shape_of(input))} and kernel {kh}x{kw}")
    if n == 0:
        y = EmptyBatchConv.apply(x, weight, bias, out_shape=(og * groups, oh, ow))
    else:
        y = ConvTranspose2d.apply(x, weight, bias, stride=stride, padding=padding,
                                  output_padding=output_padding, groups=groups, dilation=dilation)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation (``torch.nn.functional.conv1d``): conv2d on a height-1 view.

    Shapes: input (N, C, L) or (C, L); weight (O, C/groups, K); bias (O,); output (N, O, L_out).
    """
    op = "conv1d"
    input, weight = operand(input), operand(weight)
    x, unbatched = _batched(op, input, weight, bias, 1)
    if shape_of(x)[1] != shape_of(weight)[1] * groups:
        raise ValueError(f"{op}: expected input with {shape_of(weight)[1] * groups} channels (weight of "
                         f"shape {tuple(shape_of(weight))}, groups={groups}), got input of shape "
                         f"{tuple(shape_of(input))} with {shape_of(x)[1]} channels")

    def one(v, name):
        if isinstance(v, str):
            return v
        if isinstance(v, (tuple, list)) and len(v) == 1:
            v = v[0]
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise ValueError(f"{op}: {name} must be an int, got {v!r}")
        return (1 if name != "padding" else 0, int(v))

    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, one(stride, "stride"), one(padding, "padding"),
               one(dilation, "dilation"), groups).squeeze(2)
    return y.squeeze(0) if unbatched else y

