"""``pad(x, pad, mode='reflect' | 'replicate' | 'circular')`` and ``Conv2d``/``Conv1d``'s
``padding_mode`` equal PyTorch's on random shapes and pads (negative pads crop), forward and every
gradient; where torch refuses, gradbook refuses too with an error that names the op or the layer."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.autograd import gradcheck, gradgradcheck
from gradbook.nn import functional as F
from parity.harness import assert_layer_matches_torch, assert_matches_torch

MODES = ["reflect", "replicate", "circular"]


def _torch_gives_garbage(mode: str, shape, pads) -> bool:
    """Circular pads that wrap past a cropped core: torch reads memory it never wrote (or refuses
    with an aliasing error) where gradbook refuses with a clear error; nothing to compare."""
    if mode != "circular":
        return False
    k = len(pads) // 2
    for i in range(k):
        n, left, right = shape[len(shape) - 1 - i], pads[2 * i], pads[2 * i + 1]
        core = n - max(-left, 0) - max(-right, 0)
        if n + left + right >= 0 and left <= n and right <= n and (
                (left > 0 and left > core) or (right > 0 and right > core)):
            return True
    return False


@st.composite
def pad_cases(draw):
    k = draw(st.integers(1, 3))
    ndim = draw(st.sampled_from([k + 1, k + 2, k + 2, k]))  # k: a shape torch refuses for these modes
    shape = tuple(draw(st.integers(0 if i == 0 else 1, 4)) for i in range(ndim))
    pads = tuple(draw(st.integers(-2, 4)) for _ in range(2 * k))
    return shape, pads, draw(st.sampled_from(MODES)), draw(st.integers(0, 2**16))


@given(pad_cases())
def test_pad_modes_match_torch(case):
    shape, pads, mode, seed = case
    assume(not _torch_gives_garbage(mode, shape, pads))
    x = np.random.default_rng(seed).standard_normal(shape)
    try:
        TF.pad(torch.from_numpy(x), pads, mode=mode)
    except (RuntimeError, NotImplementedError):  # torch refuses: gradbook must too, with its own words
        with pytest.raises(ValueError, match=r"^pad: "):
            F.pad(gb.tensor(x), pads, mode=mode)
        return
    assert_matches_torch(lambda t: F.pad(t, pads, mode=mode), lambda t: TF.pad(t, pads, mode=mode), [x],
                         atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_pad_modes_float32_and_integers(mode):
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    pads = (2, 1, -1, 3)
    want = TF.pad(torch.from_numpy(x), pads, mode=mode).numpy()
    np.testing.assert_array_equal(F.pad(gb.tensor(x), pads, mode=mode).data, want)
    x32 = x.astype(np.float32)
    assert_matches_torch(lambda t: F.pad(t, pads, mode=mode), lambda t: TF.pad(t, pads, mode=mode), [x32])


@pytest.mark.parametrize("mode", MODES)
def test_pad_modes_gradcheck_and_gradgradcheck(mode):
    rng = np.random.default_rng(1)
    x = gb.tensor(rng.standard_normal((2, 2, 4, 3)), requires_grad=True)
    fn = lambda t: F.pad(t, (2, 1, 3, -1), mode=mode) * 1.5  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(lambda t: F.pad(t, (2, 1, 3, -1), mode=mode) ** 2, [x])


@pytest.mark.parametrize("call, message", [
    (lambda x: F.pad(x, (1, 1), mode="reflect", value=1.0), "mode='reflect' takes no value"),
    (lambda x: F.pad(x, (1, 1, 1), mode="replicate"), "even number of pad values"),
    (lambda x: F.pad(x, (1, 1), mode="mirror"), "mode must be 'constant', 'reflect', 'replicate' or 'circular'"),
    (lambda x: F.pad(x, (1, 1), mode="circular"), "got 2 pad values for an input of shape (1, 2, 3, 4)"),
    (lambda x: F.pad(x, (0, 0, 3, 0), mode="reflect"),
     "reflect padding must be less than the padded dimension's size, got padding (3, 0) for dimension 2 of "
     "size 3"),
    (lambda x: F.pad(x, (5, 0, 0, 0), mode="circular"), "circular padding may wrap around at most once"),
    (lambda x: F.pad(x, (-4, 0, -3, 0), mode="reflect"), "needs at least one padded dimension of size 1 or more"),
    (lambda x: F.pad(x, (-3, -2, 0, 0), mode="replicate"), "gives a negative size -1"),
])
def test_pad_mode_errors_say_what_was_expected(call, message):
    with pytest.raises(ValueError) as info:
        call(gb.randn(1, 2, 3, 4))
    assert message in str(info.value)


def test_reflect_and_replicate_refuse_empty_non_batch_dimensions_as_torch():
    assert F.pad(gb.randn(0, 2, 3, 3), (1, 1, 1, 1), mode="reflect").shape == (0, 2, 5, 5)
    with pytest.raises(ValueError, match="every dimension except the batch to be non-empty"):
        F.pad(gb.randn(1, 0, 3, 3), (1, 1, 1, 1), mode="replicate")
    assert F.pad(gb.randn(1, 0, 3, 3), (1, 1, 1, 1), mode="circular").shape == (1, 0, 5, 5)


# ------------------------------------------------------------------------------- Conv2d padding_mode

@st.composite
def padded_conv_cases(draw):
    groups = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = draw(st.sampled_from([1, (1, 2), 2]))
    stride = draw(st.sampled_from([1, 2, (2, 1)]))
    padding = draw(st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 2), st.integers(0, 3)),
                             st.sampled_from(["same", "valid"]) if stride == 1 else st.just(1)))
    hw = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    return dict(cin=groups * draw(st.integers(1, 2)), cout=groups * draw(st.integers(1, 2)), groups=groups,
                kernel=kernel, dilation=dilation, stride=stride, padding=padding, hw=hw,
                n=draw(st.integers(1, 2)), bias=draw(st.booleans()), mode=draw(st.sampled_from(MODES)),
                seed=draw(st.integers(0, 2**16)))


def _load_torch_weights_and_compare(gb_layer, torch_layer, x: np.ndarray, atol=1e-10, rtol=1e-9) -> None:
    """``gb_layer`` takes ``torch_layer``'s weights; then outputs and the gradients of the input and
    of every parameter agree."""
    gb_layer.load_state_dict({k: v.detach().numpy().copy() for k, v in torch_layer.state_dict().items()})
    assert_layer_matches_torch(gb_layer, torch_layer, x, atol=atol, rtol=rtol)


@given(padded_conv_cases())
def test_conv2d_padding_modes_match_torch(c):
    args = (c["cin"], c["cout"], c["kernel"])
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"],
                bias=c["bias"], padding_mode=c["mode"])
    torch.manual_seed(c["seed"])
    t_layer = torch.nn.Conv2d(*args, **opts).double()
    g_layer = nn.Conv2d(*args, **opts, dtype=np.float64)
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], c["cin"], *c["hw"]))
    try:
        t_layer(torch.from_numpy(x))
    except RuntimeError:  # reflect padding as large as the input, or a kernel larger than the padded input
        with pytest.raises(ValueError, match=r"^Conv2d\("):
            g_layer(gb.tensor(x))
        return
    _load_torch_weights_and_compare(g_layer, t_layer, x)


@pytest.mark.parametrize("mode", MODES)
def test_conv1d_padding_modes_and_unbatched_input_match_torch(mode):
    torch.manual_seed(0)
    t_layer = torch.nn.Conv1d(2, 3, 3, padding=2, dilation=2, padding_mode=mode).double()
    g_layer = nn.Conv1d(2, 3, 3, padding=2, dilation=2, padding_mode=mode, dtype=np.float64)
    _load_torch_weights_and_compare(g_layer, t_layer, np.random.default_rng(1).standard_normal((2, 2, 7)))
    torch.manual_seed(0)
    t2 = torch.nn.Conv2d(2, 3, 3, padding="same", padding_mode=mode).double()
    g2 = nn.Conv2d(2, 3, 3, padding="same", padding_mode=mode, dtype=np.float64)
    _load_torch_weights_and_compare(g2, t2, np.random.default_rng(2).standard_normal((2, 5, 4)))


def test_padding_mode_errors_and_repr_as_torch():
    assert repr(nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")) == repr(
        torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"))
    with pytest.raises(ValueError, match="padding_mode must be one of 'zeros', 'reflect', 'replicate', "
                                         "'circular', got 'mirror'"):
        nn.Conv2d(2, 3, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="ConvTranspose2d: only padding_mode='zeros' is supported"):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    layer = nn.Conv2d(2, 3, 3, padding=3, padding_mode="reflect")
    with pytest.raises(ValueError) as info:
        layer(gb.randn(1, 2, 3, 8))
    assert str(info.value).startswith("Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(3, 3), "
                                      "padding_mode=reflect): reflect padding must be less than the padded "
                                      "dimension's size, got padding (3, 3) for dimension 2 of size 3")
