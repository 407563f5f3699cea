"""k-means weight sharing (its twin with scikit-learn's KMeans is in tests/parity): the three
initialisations as defined by Han et al.; the centroid gradient is the sum of the weight gradients
per cluster (by hand); pruned zeros stay zero; bad bits are refused."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn, optim
from gradbook.compress import prune, quantize
from gradbook.nn import functional as F


def test_initialisations_as_defined():
    v = np.random.default_rng(0).standard_normal(1001)
    np.testing.assert_allclose(quantize.init_centroids(v, 5, "linear"),
                               v.min() + (v.max() - v.min()) * np.arange(5) / 4)
    dens = quantize.init_centroids(v, 5, "density")
    s = np.sort(v)
    np.testing.assert_allclose(dens, s[[0, 250, 500, 750, 1000]])  # CDF levels 0, 1/4, ... hit sample points
    rand = quantize.init_centroids(v, 5, "random", seed=3)
    assert len(set(rand)) == 5 and set(rand) <= set(v)


def test_quantised_layer_holds_k_values_and_its_zeros():
    layer = nn.Linear(20, 10)
    prune.l1_unstructured(layer, "weight", 0.3)
    prune.remove(layer, "weight")
    zeros = layer.weight.data == 0
    quantize.quantize(layer, bits=3, init="density")
    assert set(layer.state_dict()) == {"bias", "weight_centroids", "weight_indices"}
    w = layer.weight.data
    assert np.all(w[zeros] == 0) and len(np.unique(w[~zeros])) <= 8
    c, idx = quantize.codebook(layer)
    np.testing.assert_array_equal(w[~zeros], c[idx[~zeros]])


def test_centroid_gradient_is_the_sum_of_weight_gradients_per_cluster_and_sgd_moves_clusters_together():
    rng = np.random.default_rng(1)
    layer = nn.Linear(7, 5)
    quantize.quantize(layer, bits=2)
    x, y = rng.standard_normal((9, 7)).astype(np.float32), rng.integers(0, 5, 9)
    c, idx = (a.copy() for a in quantize.codebook(layer))
    # the dense weights' gradient, by torch, from the same shared values
    w = torch.tensor(np.concatenate([c, np.zeros(1, c.dtype)])[idx], requires_grad=True)
    torch.nn.functional.cross_entropy(torch.from_numpy(x) @ w.T + torch.from_numpy(layer.bias.data),
                                      torch.from_numpy(y)).backward()
    by_hand = np.bincount(idx.ravel(), weights=w.grad.numpy().ravel(), minlength=5)[:4]
    opt = optim.SGD(layer.parameters(), lr=0.1)
    opt.zero_grad()
    F.cross_entropy(layer(gb.tensor(x)), gb.tensor(y)).backward()
    np.testing.assert_allclose(layer.weight_centroids.grad.data, by_hand, rtol=1e-5, atol=1e-7)
    opt.step()
    layer(gb.tensor(x))
    np.testing.assert_allclose(layer.weight.data, np.concatenate([c - 0.1 * by_hand, [0]])[idx], rtol=1e-5, atol=1e-7)


def test_model_quantise_and_remove():
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    quantize.quantize(model, bits=2, init="random")
    assert quantize.is_quantized(model[0]) and quantize.is_quantized(model[2])
    before = [model[i].weight.data.copy() for i in (0, 2)]
    quantize.remove(model)
    assert set(model.state_dict()) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    for i, w in zip((0, 2), before):
        np.testing.assert_array_equal(model[i].weight.data, w)


@pytest.mark.parametrize("bits, match", [(0, "bits must be"), (1.5, "bits must be"), (17, "bits must be"),
                                         (6, "only 48 nonzero")])
def test_bad_bits_are_refused(bits, match):
    with pytest.raises(ValueError, match=match):
        quantize.quantize(nn.Linear(6, 8), bits=bits)


def test_quantising_a_masked_weight_asks_for_remove_first():
    layer = nn.Linear(6, 8)
    prune.l1_unstructured(layer, "weight", 0.5)
    with pytest.raises(ValueError, match="prune.remove"):
        quantize.quantize(layer)
    with pytest.raises(ValueError, match="init must be"):
        quantize.quantize(nn.Linear(6, 8), init="kmeans++")
