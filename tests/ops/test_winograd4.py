"""Winograd F(4x4, 3x3) conv2d (ops.conv.winograd4): its matrices against the 1-d correlation,
each transform step against its definition and its adjoint, float64 gradient checks (pieces of
samples included), double backward, and when conv2d takes this path."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import gradbook as gb
from gradbook.ops.conv import dispatch, winograd, winograd4


def _t(rng, shape):
    return gb.tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


def test_matrices_compute_the_1d_correlation():
    """F(4, 3): Aᵀ [(G g) ⊙ (Bᵀ d)] = the four outputs of correlating 6 inputs d with 3 taps g."""
    rng = np.random.default_rng(0)
    for _ in range(5):
        d, g = rng.standard_normal(6), rng.standard_normal(3)
        got = winograd4.A_T @ ((winograd4.G @ g) * (winograd4.B_T @ d))
        np.testing.assert_allclose(got, np.correlate(d, g, "valid"), atol=1e-13)
        np.testing.assert_allclose(got, np.convolve(d, g[::-1], "valid"), atol=1e-13)


def test_input_transform_is_bt_d_b_of_every_padded_patch():
    """V[(a, b), c, tile] = (Bᵀ d B)[a, b] for d the 6x6 patch at rows 4t−1 … 4t+4, columns
    4s−1 … 4s+4 of the zero-padded maps (patches gathered directly)."""
    rng = np.random.default_rng(3)
    n, c, h, w = 2, 3, 8, 12
    x = rng.standard_normal((n, c, h, w))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    patches = sliding_window_view(padded, (6, 6), axis=(2, 3))[:, :, ::4, ::4]  # (n, c, h/4, w/4, 6, 6)
    want = np.einsum("au,nctsuv,bv->abcnts", winograd4.B_T, patches, winograd4.B_T).reshape(36, c, -1)
    np.testing.assert_allclose(winograd4._input_transform(x), want, atol=1e-12)


def test_transforms_adjoints_are_the_transposes():
    """⟨T a, z⟩ = ⟨a, Tᵀ z⟩ for the input and output transforms and random arrays."""
    rng = np.random.default_rng(5)
    x, z = rng.standard_normal((2, 3, 8, 4)), rng.standard_normal((36, 3, 4))
    back = np.empty_like(x)
    winograd4._input_transform_adjoint(z.copy(), back)
    assert np.isclose(np.sum(winograd4._input_transform(x) * z), np.sum(x * back), rtol=1e-12)
    m, dy = rng.standard_normal((36, 3, 4)), rng.standard_normal((2, 3, 8, 4))
    y = np.empty_like(dy)
    winograd4._output_transform(m, y)
    assert np.isclose(np.sum(y * dy), np.sum(m * winograd4._output_transform_adjoint(dy)), rtol=1e-12)


@pytest.mark.parametrize("x_shape, out_channels, bias", [
    ((2, 3, 4, 8), 4, True), ((1, 2, 4, 4), 3, True), ((3, 1, 8, 4), 2, False)])
def test_winograd4_conv2d_gradcheck(x_shape, out_channels, bias):
    rng = np.random.default_rng(sum(x_shape))
    x, w = _t(rng, x_shape), _t(rng, (out_channels, x_shape[1], 3, 3))
    inputs = [x, w, _t(rng, (out_channels,))] if bias else [x, w]
    assert gb.gradcheck(lambda *a: winograd4.Winograd4Conv2d.apply(*a, *([] if bias else [None])), inputs)


def test_double_backward():
    rng = np.random.default_rng(7)
    inputs = [_t(rng, (2, 2, 4, 4)), _t(rng, (2, 2, 3, 3)), _t(rng, (2,))]
    assert gb.autograd.gradgradcheck(lambda *a: winograd4.Winograd4Conv2d.apply(*a), inputs)


@pytest.mark.parametrize("bias", [True, False])
def test_pieces_of_samples_equal_the_reference(monkeypatch, bias):
    """Several pieces of samples (a tiny piece size: one or two samples each), with and without
    bias, on non-square maps: y, dx, dW, db equal the reference in float64."""
    monkeypatch.setattr(winograd4, "PIECE_BYTES", 1)
    assert len(winograd.cache_pieces(5, 1, 1)) == 5
    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal((5, 3, 8, 12)), rng.standard_normal((4, 3, 3, 3)),
              rng.standard_normal(4) if bias else None]
    upstream = rng.standard_normal((5, 4, 8, 12))
    got, want = ([] for _ in range(2))
    for path, out in ((dispatch.PATHS["winograd4"], got), (dispatch.PATHS["reference"], want)):
        x, w, b = (None if a is None else gb.tensor(a, requires_grad=True) for a in arrays)
        y = path.apply(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1)
        y.backward(gb.tensor(upstream))
        out += [y.data, x.grad.data, w.grad.data] + ([b.grad.data] if bias else [])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("grad", [(False, True, True), (True, False, True), (False, False, True)])
def test_partial_gradients_equal_the_reference(grad):
    """A first layer (input without gradient), a frozen weight, or only the bias: the backward
    computes what is asked, equal to the reference's."""
    rng = np.random.default_rng(13)
    arrays = [rng.standard_normal((2, 3, 4, 8)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2)]
    upstream = rng.standard_normal((2, 2, 4, 8))
    got, want = [], []
    for path, out in ((dispatch.PATHS["winograd4"], got), (dispatch.PATHS["reference"], want)):
        leaves = [gb.tensor(a, requires_grad=g) for a, g in zip(arrays, grad)]
        path.apply(*leaves, (1, 1), (1, 1, 1, 1), (1, 1), 1).backward(gb.tensor(upstream))
        out += [None if t.grad is None else t.grad.data for t in leaves]
    for a, b, g in zip(got, want, grad):
        assert (a is None) == (not g)
        if g:
            np.testing.assert_allclose(a, b, atol=1e-10, rtol=1e-9)


def test_conv2d_takes_winograd4_on_maps_of_sides_4k():
    fits = winograd4.fits
    ok = dict(kernel=(3, 3), stride=(1, 1), dilation=(1, 1), groups=1, pads=(1, 1, 1, 1), hw=(32, 32),
              channels=16, out_channels=16)
    assert fits(**ok) and fits(**{**ok, "hw": (8, 8), "channels": 64, "out_channels": 64})
    for change in [dict(hw=(30, 32)), dict(hw=(32, 10)), dict(kernel=(3, 5)), dict(stride=(2, 2)),
                   dict(channels=4), dict(pads=(0, 0, 0, 0))]:
        assert not fits(**{**ok, **change}), change
