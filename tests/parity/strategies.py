"""Hypothesis strategies shared by the parity tests."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    cg, og = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    same = draw(st.booleans()) and draw(st.booleans())
    stride = (1, 1) if same else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = "same" if same else (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    pad = (0, 0) if same else padding
    hw = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 5)) for d, k, p in zip(dilation, kernel, pad))
    return dict(n=draw(st.integers(1, 3)), groups=groups, cg=cg, og=og, kernel=kernel, hw=hw, stride=stride,
                padding=padding, dilation=dilation, bias=draw(st.booleans()),
                dtype=draw(st.sampled_from([np.float32, np.float64])), seed=draw(st.integers(0, 2**16)))


# ----------------------------------------------------------------------------- PyTorch's own edge cases
# The inputs PyTorch's op tests feed every op besides the typical ones: 0-d tensors, sides of size 0
# (empty tensors), reductions over dim 0 / -1 of a scalar, over () (every dim) and over a size-0 dim,
# tensor-valued clamp bounds with ties and crossed bounds, window arguments spelled as 1-tuples.

def edge_shapes(max_dims: int = 4, max_side: int = 4):
    """0-d shapes and shapes with sides of 0 (empty) and 1, beside ordinary ones."""
    return st.one_of(st.just(()), array_shapes(min_dims=1, max_dims=max_dims, min_side=0, max_side=max_side),
                     array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side))


@st.composite
def reduce_dims(draw, ndim: int, allow_all: bool = True):
    """A ``dim`` argument as PyTorch accepts it for a tensor of ``ndim`` dimensions: an int, a tuple
    of distinct dims, and (with ``allow_all``) None or () for every dim. A 0-d tensor takes 0 and -1."""
    n = max(ndim, 1)
    options = [st.integers(-n, n - 1),
               st.lists(st.integers(-n, n - 1), min_size=1, max_size=n, unique_by=lambda d: d % n).map(tuple)]
    if allow_all:
        options += [st.none(), st.just(())]
    return draw(st.one_of(*options))


@st.composite
def reduction_edge_cases(draw, allow_all: bool = True):
    """(shape, dim, keepdim) over edge shapes: a 0-d tensor, a size-0 dim reduced or kept."""
    shape = draw(edge_shapes())
    return shape, draw(reduce_dims(len(shape), allow_all)), draw(st.booleans())


@st.composite
def clamp_cases(draw):
    """x, min and max shapes that broadcast together (a bound may be larger than x), which bounds are
    tensors, and values on a half-integer grid so that ties x = min, x = max and min > max all occur."""
    shapes = draw(mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    bounds = draw(st.sampled_from(["min", "max", "both"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x, lo, hi = (np.asarray(rng.integers(-3, 4, s) / 2, dtype=np.float64) for s in shapes.input_shapes)
    return x, (lo if bounds != "max" else None), (hi if bounds != "min" else None)


def window_arg(low: int, high: int):
    """An int window argument in PyTorch's spellings: n, (n,), [n] or a pair (a, b)."""
    n = st.integers(low, high)
    return st.one_of(n, n.map(lambda v: (v,)), n.map(lambda v: [v]), st.tuples(n, n))
