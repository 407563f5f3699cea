"""Winograd F(2x2, 3x3) conv2d (ops.conv.winograd): float64 gradient checks with random upstream
gradients, each transform step against its definition, and when conv2d takes this path."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import gradbook as gb
from gradbook.ops.conv import winograd

B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)


def _t(rng, shape):
    return gb.tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("x_shape, out_channels, bias", [
    ((2, 3, 4, 6), 4, True), ((1, 2, 2, 2), 3, True), ((3, 1, 6, 2), 2, False)])
def test_winograd_conv2d_gradcheck(x_shape, out_channels, bias):
    rng = np.random.default_rng(sum(x_shape))
    x, w = _t(rng, x_shape), _t(rng, (out_channels, x_shape[1], 3, 3))
    inputs = [x, w, _t(rng, (out_channels,))] if bias else [x, w]
    assert gb.gradcheck(lambda *a: winograd.WinogradConv2d.apply(*a, *([] if bias else [None])), inputs)


def test_input_transform_is_bt_d_b_of_every_padded_patch():
    """V[(a, b), c, tile] = (Bᵀ d B)[a, b] for d the 4x4 patch at rows 2t−1 … 2t+2, columns
    2s−1 … 2s+2 of the zero-padded maps (patches gathered directly, not by phases)."""
    rng = np.random.default_rng(3)
    n, c, h, w = 2, 3, 6, 8
    x = rng.standard_normal((n, c, h, w))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    patches = sliding_window_view(padded, (4, 4), axis=(2, 3))[:, :, ::2, ::2]  # (n, c, h/2, w/2, 4, 4)
    want = np.einsum("au,nctsuv,bv->abcnts", B_T, patches, B_T).reshape(16, c, -1)
    np.testing.assert_allclose(winograd._input_transform(x), want, atol=1e-12)


@pytest.mark.parametrize("line, step, size", [(12, 4, 36), (4, 1, 24), (2, 1, 2), (4, 4, 8)])
def test_tile_rows_adjoint_is_the_transpose(line, step, size):
    """⟨T(even, odd), z⟩ = ⟨(even, odd), Tᵀ z⟩ for random arrays: the backward's step is the exact
    adjoint of the forward's, line ends included."""
    rng = np.random.default_rng(line + step)
    even, odd = rng.standard_normal((2, 3, size))
    out = np.empty((4, 3, size))
    winograd._tile_rows(even, odd, out, line=line, step=step)
    z = rng.standard_normal((4, 3, size))
    back_even, back_odd = np.empty((3, size)), np.empty((3, size))
    winograd._tile_rows_adjoint(z, back_even, back_odd, line=line, step=step)
    assert np.isclose(np.sum(out * z), np.sum(even * back_even) + np.sum(odd * back_odd), rtol=1e-12)
    # and the forward step itself, element by element on the first line
    t = np.arange(line // step)
    o, e = odd[0, :line:step], even[0, :line:step]
    pad_o, pad_e = np.concatenate([[0], o]), np.concatenate([e, [0]])
    np.testing.assert_allclose(out[0, 0, :line:step], pad_o[t] - o)
    np.testing.assert_allclose(out[3, 0, :line:step], e - pad_e[t + 1])


def test_phases_round_trip():
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 6))
    p = winograd._phases(x)
    np.testing.assert_array_equal(p[1, 0].reshape(3, 2, 2, 3), x[:, :, 1::2, 0::2].transpose(1, 0, 2, 3))
    back = np.empty_like(x)
    winograd._from_phases(p, back)
    np.testing.assert_array_equal(back, x)


def test_conv2d_takes_winograd_only_where_it_fits():
    fits = winograd.fits
    ok = dict(kernel=(3, 3), stride=(1, 1), dilation=(1, 1), groups=1, pads=(1, 1, 1, 1), hw=(32, 32),
              channels=32, out_channels=64)
    assert fits(**ok)
    for change in [dict(kernel=(3, 5)), dict(stride=(2, 1)), dict(dilation=(1, 2)), dict(groups=2),
                   dict(pads=(0, 0, 0, 0)), dict(hw=(31, 32)), dict(hw=(6, 6)), dict(channels=4),
                   dict(out_channels=4)]:
        assert not fits(**{**ok, **change}), change


@pytest.mark.parametrize("whole_bytes", [0, 1 << 30])
def test_backward_by_whole_dm_or_element_by_element(monkeypatch, whole_bytes):
    """The backward's dM made element by element (a piece's dM over DM_WHOLE_BYTES) or all 16 at
    once: float64 gradients checked either way."""
    monkeypatch.setattr(winograd, "DM_WHOLE_BYTES", whole_bytes)
    rng = np.random.default_rng(11)
    inputs = [_t(rng, (2, 3, 4, 6)), _t(rng, (2, 3, 3, 3)), _t(rng, (2,))]
    assert gb.gradcheck(lambda *a: winograd.WinogradConv2d.apply(*a), inputs)
