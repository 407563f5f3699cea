"""Hypothesis strategies shared by the parity tests."""
import numpy as np
from hypothesis import strategies as st


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
