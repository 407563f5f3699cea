"""``nn.utils.mc_dropout_predict``: dropout sampled and everything else in evaluation mode (batch
norm's running statistics untouched), modes restored, the mean and variance equal to a hand loop
under the same seed (variance from torch.var), zero variance without dropout, clear errors."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn
from gradbook.nn import functional as F
from gradbook.nn.utils import mc_dropout_predict


def _net(p=0.3):
    gb.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(p), nn.Linear(16, 3))


def _x():
    return gb.tensor(np.random.default_rng(1).standard_normal((8, 5)).astype(np.float32))


def _warm_up(model):
    model.train()
    for _ in range(3):  # give batch norm non-trivial running statistics
        model(gb.tensor(np.random.default_rng(2).standard_normal((32, 5)).astype(np.float32) * 2 + 1))


def test_mean_and_variance_equal_a_hand_loop_with_the_same_seed():
    model, x = _net(), _x()
    _warm_up(model)
    gb.manual_seed(42)
    mean, var = mc_dropout_predict(model, x, T=25, output_fn=lambda z: F.softmax(z, dim=1))
    # the hand loop: eval everywhere, then dropout alone back in training mode
    model.eval()
    model[3].train()
    gb.manual_seed(42)
    with gb.no_grad():
        samples = np.stack([F.softmax(model(x), dim=1).data for _ in range(25)]).astype(np.float64)
    np.testing.assert_allclose(mean.data, samples.mean(0), rtol=1e-5, atol=1e-7)
    want_var = torch.var(torch.from_numpy(samples), dim=0, unbiased=False).numpy()
    np.testing.assert_allclose(var.data, want_var, rtol=1e-4, atol=1e-9)
    assert var.data.max() > 1e-4 and mean.dtype == np.float32
    np.testing.assert_allclose(mean.data.sum(1), 1, rtol=1e-5)


@pytest.mark.parametrize("start_training", [True, False])
def test_batch_norm_stays_in_eval_and_modes_are_restored(start_training):
    model = _net()
    _warm_up(model)
    model.train(start_training)
    model[4].train(not start_training)   # a mixed state must come back as it was
    before_modes = [m.training for m in model.modules()]
    bn = model[1]
    stats = {k: v.data.copy() for k, v in bn.named_buffers()}
    mc_dropout_predict(model, _x(), T=5)
    for k, v in bn.named_buffers():
        np.testing.assert_array_equal(v.data, stats[k])
    assert [m.training for m in model.modules()] == before_modes


def test_variance_is_zero_without_dropout_and_the_mean_is_the_eval_output():
    for model in (_net(p=0.0), nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Tanh())):
        _warm_up(model)
        x = _x()
        if len(model) == 3:
            with pytest.warns(UserWarning, match="Sequential holds no dropout module"):
                mean, var = mc_dropout_predict(model, x, T=7)
        else:
            mean, var = mc_dropout_predict(model, x, T=7)
        assert np.all(var.data == 0)
        model.eval()
        with gb.no_grad():
            np.testing.assert_allclose(mean.data, model(x).data, rtol=1e-6, atol=1e-7)


def test_dropout2d_and_the_sample_count():
    gb.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Dropout2d(0.5), nn.Flatten(), nn.Linear(4 * 4 * 4, 2))
    x = gb.tensor(np.random.default_rng(0).standard_normal((2, 1, 6, 6)).astype(np.float32))
    mean1, var1 = mc_dropout_predict(model, x, T=1)
    assert np.all(var1.data == 0) and mean1.shape == (2, 2)
    assert mc_dropout_predict(model, x, T=30)[1].data.min() > 0


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="mc_dropout_predict: T .* must be a positive int, got 0"):
        mc_dropout_predict(_net(), _x(), T=0)
    with pytest.raises(TypeError, match="model must be a gradbook nn.Module, got function"):
        mc_dropout_predict(lambda x: x, _x(), T=3)
