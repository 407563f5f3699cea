"""Shape ops: reshape/view, flatten, squeeze, unsqueeze, transpose, permute, expand, cat, stack,
split, chunk, constant pad, clone, channel shuffle. Their backward moves the gradient back into place."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import padding
from ._util import normalize_dim
from .indexing import getitem


def _sizes(args) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class Reshape(Function):
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.shape), None

    def differentiable_backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(Function):
    def forward(ctx, x, dims):
        ctx.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    def backward(ctx, g):
        return g.transpose(ctx.inverse), None

    def differentiable_backward(ctx, g):
        return g.permute(*ctx.inverse), None


class Expand(Function):
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    def backward(ctx, g):
        return g, None  # the engine sums the broadcast axes away

    def differentiable_backward(ctx, g):
        return g, None


class Cat(Function):
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.bounds = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    def backward(ctx, g):
        return (None, *np.split(g, ctx.bounds, axis=ctx.dim))

    def differentiable_backward(ctx, g):
        edges = [0, *ctx.bounds, g.shape[ctx.dim]]
        lead = (slice(None),) * ctx.dim
        return (None, *(getitem(g, lead + (slice(lo, hi),)) for lo, hi in zip(edges[:-1], edges[1:])))


class Stack(Function):
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    def backward(ctx, g):
        return (None, *(np.take(g, i, axis=ctx.dim) for i in range(g.shape[ctx.dim])))

    def differentiable_backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return (None, *(getitem(g, lead + (i,)) for i in range(g.shape[ctx.dim])))


class Pad(Function):
    def forward(ctx, x, widths, value):
        ctx.crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    def backward(ctx, g):
        return g[ctx.crop], None, None

    def differentiable_backward(ctx, g):
        return getitem(g, ctx.crop), None, None


class Clone(Function):
    def forward(ctx, x):
        return x.copy()

    def backward(ctx, g):
        return g

    def differentiable_backward(ctx, g):
        return g


def reshape(x: Tensor, *shape) -> Tensor:
    shape = _sizes(shape)
    try:
        size = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
        if shape.count(-1) > 1 or (-1 not in shape and size != x.data.size) or (
                -1 in shape and (size == 0 or x.data.size % size)):
            raise ValueError
    except ValueError:
        raise ValueError(f"reshape: shape {tuple(shape)} is invalid for a tensor of shape {x.shape} "
                         f"({x.data.size} elements)") from None
    return Reshape.apply(x, shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = normalize_dim(start_dim, x.ndim, "flatten"), normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, *x.shape[:s], -1, *x.shape[e + 1:]) if x.data.size else reshape(
        x, *x.shape[:s], int(np.prod(x.shape[s:e + 1])), *x.shape[e + 1:])


def squeeze(x: Tensor, dim=None) -> Tensor:
    if dim is None:
        return reshape(x, *(n for n in x.shape if n != 1))
    dims = {normalize_dim(d, max(x.ndim, 1), "squeeze") for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return reshape(x, *(n for i, n in enumerate(x.shape) if not (i in dims and n == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, *x.shape[:d], 1, *x.shape[d:])


def permute(x: Tensor, *dims) -> Tensor:
    dims = _sizes(dims)
    norm = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(norm) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {x.ndim} dimensions of {x.shape}")
    return Permute.apply(x, norm)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(x.ndim))
    a, b = normalize_dim(dim0, max(x.ndim, 1), "transpose"), normalize_dim(dim1, max(x.ndim, 1), "transpose")
    if x.ndim:  # a 0-d tensor takes dims 0 and -1, and stays as it is
        dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(x, tuple(dims))


def expand(x: Tensor, *sizes) -> Tensor:
    sizes = _sizes(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a tensor of shape {x.shape}")
    target = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    for i, n in enumerate(x.shape):
        if n != 1 and n != target[i + lead]:
            raise ValueError(f"expand: cannot expand shape {x.shape} to {tuple(sizes)}")
    return Expand.apply(x, target)


def _check_joinable(op: str, tensors, dim: int, same_shape: bool) -> None:
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    first = tensors[0].shape
    for t in tensors[1:]:
        other = t.shape
        ok = other == first if same_shape else (
            len(other) == len(first) and all(a == b for i, (a, b) in enumerate(zip(first, other)) if i != dim))
        if not ok:
            raise ValueError(f"{op}: shapes {first} and {other} do not match "
                             f"{'exactly' if same_shape else f'outside dim {dim}'}")


def cat(tensors, dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise ValueError(f"cat: the zero-dimensional tensor at position {i} cannot be concatenated "
                             "(stack joins scalars)")
    # PyTorch's legacy rule: an empty 1-D tensor, shape (0,), is skipped beside tensors of more dimensions
    kept = [t for t in tensors if t.shape != (0,)]
    if kept and kept[0].ndim > 1:
        tensors = kept
    d = normalize_dim(dim, tensors[0].ndim, "cat") if tensors else 0
    _check_joinable("cat", tensors, d, same_shape=False)
    return Cat.apply(d, *tensors)


def stack(tensors, dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack") if tensors else 0
    _check_joinable("stack", tensors, d, same_shape=True)
    return Stack.apply(d, *tensors)


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - s) for s in range(0, n, step)] or [0]  # a size-0 dim gives one empty piece
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} has size {n}")
    out, start = [], 0
    for size in sizes:
        index = (slice(None),) * d + (slice(start, start + size),)
        out.append(getitem(x, index))
        start += size
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    if n == 0:  # PyTorch gives ``chunks`` empty pieces
        return split(x, [0] * chunks, dim)
    return split(x, max(-(-n // chunks), 1), dim)


def pad(x: Tensor, pad: tuple[int, ...], mode: str = "constant", value: float | None = None) -> Tensor:
    """PyTorch's ``F.pad``: ``pad`` lists (left, right) pairs from the last dim backwards. ``mode``
    'constant' fills with ``value`` (0 when None); 'reflect', 'replicate' and 'circular' are
    :func:`gradbook.ops.padding.pad_by_mode` (which takes no ``value``)."""
    if mode != "constant":
        if mode not in padding.MODES:
            raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
        if value is not None:
            raise ValueError(f"pad: mode={mode!r} takes no value argument, got value={value!r}")
        if len(pad) % 2:
            raise ValueError(f"pad: expected an even number of pad values, got {tuple(pad)}")
        return padding.pad_by_mode(x, tuple(int(p) for p in pad), mode)
    value = 0.0 if value is None else value
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of at most {2 * x.ndim} values, got {tuple(pad)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding (cropping) is not supported, got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return Pad.apply(x, tuple(widths), value)


def clone(x: Tensor) -> Tensor:
    return Clone.apply(x)


def channel_shuffle(input: Tensor, groups: int, op: object = "channel_shuffle") -> Tensor:
    """ShuffleNet's channel shuffle: channels viewed as (groups, C/groups), transposed, flattened
    back, so channel g·(C/groups) + k moves to k·groups + g and every group of a following grouped
    convolution receives channels from every group of the one before. Input (N, C, *) with C
    divisible by ``groups``; the same shape out. Its gradient is the inverse permutation."""
    groups = check_shuffle_groups(op, groups)
    shape = tuple(input.shape)
    if len(shape) < 3:
        raise ValueError(f"{op}: expected an input of shape (N, C, *) with at least 3 dimensions, got {shape}")
    if shape[1] % groups:
        raise ValueError(f"{op}: the {shape[1]} channels of an input of shape {shape} do not split into "
                         f"{groups} groups")
    n, c, rest = shape[0], shape[1], shape[2:]
    return reshape(transpose(reshape(input, n, groups, c // groups, *rest), 1, 2), n, c, *rest)


def check_shuffle_groups(op: object, groups) -> int:
    """``groups`` as an int, or a ValueError naming ``op`` unless it is a positive int."""
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    return int(groups)

