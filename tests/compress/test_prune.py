"""Pruning masks hold through training (forward zeros, zero gradients, optimizer steps), remove()
makes them permanent, the schedule reaches its target, and bad amounts are refused by name."""
import copy

import numpy as np
import pytest

import gradbook as gb
from gradbook import nn, optim
from gradbook.compress import prune
from gradbook.nn import functional as F


def _mlp():
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return gb.tensor(rng.standard_normal((16, 6)).astype(np.float32)), gb.tensor(rng.integers(0, 3, 16))


def test_pruned_weights_stay_zero_and_get_zero_gradients_through_training():
    model = _mlp()
    prune.magnitude(model, amount=0.5, scope="global")
    masks = [m.weight_mask.data.copy() for m in (model[0], model[2])]
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-3)
    x, y = _batch()
    for _ in range(5):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        for m, mask in zip((model[0], model[2]), masks):
            assert np.all(m.weight_orig.grad.data[mask == 0] == 0)
            assert np.any(m.weight_orig.grad.data[mask == 1] != 0)
        opt.step()
    model(x)
    for m, mask in zip((model[0], model[2]), masks):
        assert np.all(m.weight.data[mask == 0] == 0)
        np.testing.assert_array_equal(m.weight.data, m.weight_orig.data * mask)


def test_the_masked_forward_equals_a_dense_layer_holding_the_zeros():
    layer = nn.Linear(6, 4)
    prune.l1_unstructured(layer, "weight", 0.5)
    dense = nn.Linear(6, 4)
    dense.load_state_dict({"weight": layer.weight_orig.data * layer.weight_mask.data, "bias": layer.bias.data})
    x, _ = _batch()
    np.testing.assert_allclose(layer(x).data, dense(x).data, rtol=1e-6)


def test_state_dict_keys_parameters_and_remove():
    layer = nn.Linear(5, 4)
    w = layer.weight.data.copy()
    prune.l1_unstructured(layer, "weight", 6)
    assert set(layer.state_dict()) == {"bias", "weight_orig", "weight_mask"}
    assert {n for n, _ in layer.named_parameters()} == {"bias", "weight_orig"}
    assert prune.is_pruned(layer) and (layer.weight.data == 0).sum() == 6
    prune.remove(layer, "weight")
    assert not prune.is_pruned(layer) and set(layer.state_dict()) == {"weight", "bias"}
    assert isinstance(layer.weight, nn.Parameter) and (layer.weight.data == 0).sum() == 6
    kept = layer.weight.data != 0
    np.testing.assert_array_equal(layer.weight.data[kept], w[kept])
    with pytest.raises(ValueError, match="not pruned"):
        prune.remove(layer, "weight")


def test_a_deep_copy_of_a_pruned_model_masks_its_own_weights():
    model = _mlp()
    prune.magnitude(model, amount=0.3)
    twin = copy.deepcopy(model)
    twin[0].weight_orig.data[...] = 1.0
    x, _ = _batch()
    twin(x), model(x)
    np.testing.assert_array_equal(twin[0].weight.data, twin[0].weight_mask.data)
    assert not np.all(model[0].weight.data[model[0].weight_mask.data == 1] == 1)


def test_layer_scope_prunes_each_tensor_by_its_share_global_scope_by_one_threshold():
    model = _mlp()
    model[2].weight.data *= 10  # the second layer's weights are all large
    per_layer = copy.deepcopy(model)
    prune.magnitude(per_layer, amount=0.5, scope="layer")
    assert [(m.weight.data == 0).mean() for m in (per_layer[0], per_layer[2])] == [0.5, 0.5]
    prune.magnitude(model, amount=0.5, scope="global")
    w0, w2 = np.abs(model[0].weight_orig.data), np.abs(model[2].weight_orig.data)
    cut = np.sort(np.concatenate([w0.ravel(), w2.ravel()]))[(w0.size + w2.size) // 2 - 1]
    assert (model[0].weight.data == 0).sum() == (w0 <= cut).sum()
    assert (model[2].weight.data == 0).sum() == (w2 <= cut).sum()


def test_structured_prunes_whole_filters_by_norm():
    conv = nn.Conv2d(2, 4, 3)
    conv.weight.data[...] = np.arange(1, 5, dtype=np.float32).reshape(4, 1, 1, 1)  # filter norms rise with index
    prune.structured(conv, amount=0.5, dim=0, n=1)
    assert conv.weight_mask.data.reshape(4, -1).min(1).tolist() == [0, 0, 1, 1]


def test_iterative_schedule_reaches_the_target_and_fine_tunes_between_steps():
    model = _mlp()
    x, y = _batch()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    calls = []

    def fine_tune(m, step):
        calls.append(step)
        opt.param_groups[0]["params"] = list(m.parameters())
        for _ in range(2):
            opt.zero_grad()
            F.cross_entropy(m(x), y).backward()
            opt.step()

    sparsities = prune.iterative(model, target=0.8, steps=4, fine_tune=fine_tune)
    total = 6 * 8 + 8 * 3
    assert calls == [1, 2, 3, 4]
    assert sparsities == pytest.approx([round(0.8 * total * k / 4) / total for k in range(1, 5)], abs=1e-12)


@pytest.mark.parametrize("amount, match", [(-0.1, r"amount=-0.1.*\[0, 1\]"), (1.5, r"amount=1.5"),
                                           (-2, "negative count"), (49, "only 48"), ("half", "amount must be")])
def test_bad_amounts_are_refused_naming_the_argument(amount, match):
    layer = nn.Linear(6, 8)
    with pytest.raises((ValueError, TypeError), match=match):
        prune.l1_unstructured(layer, "weight", amount)
    assert not prune.is_pruned(layer) and "weight" in layer._parameters


def test_other_bad_arguments():
    conv = nn.Conv2d(2, 4, 3)
    with pytest.raises(ValueError, match="dim=5"):
        prune.ln_structured(conv, "weight", 1, 2, 5)
    with pytest.raises(ValueError, match="no parameter 'kernel'"):
        prune.l1_unstructured(conv, "kernel", 0.5)
    with pytest.raises(ValueError, match="scope"):
        prune.magnitude(conv, amount=0.5, scope="model")
    with pytest.raises(ValueError, match="2 or more dimensions"):
        prune.structured(conv, "bias", 1)
    with pytest.raises(ValueError, match="target"):
        prune.iterative(conv, 1.2, 3, lambda m, k: None)
