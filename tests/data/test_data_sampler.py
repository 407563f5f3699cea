"""Samplers: ``WeightedRandomSampler`` draws with torch's probabilities (chi-square on 60,000 draws,
inclusion probabilities without replacement from the hand formula, torch's own sampler as a
second reference), torch's errors, ``ImbalancedSampler``'s weights against scikit-learn's balanced
sample weights, and both as a ``DataLoader``'s ``sampler=``."""
import numpy as np
import pytest
import torch
from scipy.stats import chisquare
from sklearn.utils.class_weight import compute_sample_weight

import gradbook as gb
from gradbook.data import DataLoader, ImbalancedSampler, TensorDataset, WeightedRandomSampler

W = np.array([0.1, 0.9, 0.4, 0.7, 3.0, 0.6])


def test_with_replacement_frequencies_follow_the_weights():
    n = 60_000
    got = np.bincount(list(WeightedRandomSampler(W, n, generator=0)), minlength=len(W))
    assert chisquare(got, W / W.sum() * n).pvalue > 1e-3
    twin = torch.utils.data.WeightedRandomSampler(W.tolist(), n, generator=torch.Generator().manual_seed(0))
    want = np.bincount(list(twin), minlength=len(W))
    assert chisquare(want, W / W.sum() * n).pvalue > 1e-3   # the same distribution torch samples from
    assert np.abs(got - want).max() < 6 * np.sqrt(n * 0.5)


def test_without_replacement_is_distinct_with_the_sequential_inclusion_probabilities():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    p = w / w.sum()
    # P(i among two sequential draws without replacement) = pᵢ + Σ_{j≠i} pⱼ pᵢ / (1 − pⱼ)
    inclusion = np.array([p[i] + sum(p[j] * p[i] / (1 - p[j]) for j in range(4) if j != i) for i in range(4)])
    first = np.zeros(4)
    counts = np.zeros(4)
    s = WeightedRandomSampler(w, 2, replacement=False, generator=1)
    runs = 20_000
    for _ in range(runs):
        draw = s.draw()
        assert len(set(draw.tolist())) == 2
        first[draw[0]] += 1
        counts[draw] += 1
    assert np.all(np.abs(counts / runs - inclusion) < 5 * np.sqrt(inclusion * (1 - inclusion) / runs))
    assert chisquare(first, p * runs).pvalue > 1e-3     # the first draw is an ordinary weighted draw
    for seed in range(20):  # as in torch, zero weights come only after every positive one
        everything = WeightedRandomSampler([0.0, 1.0, 2.0, 0.0, 5.0], 5, replacement=False, generator=seed).draw()
        assert sorted(everything[:3]) == [1, 2, 4] and sorted(everything[3:]) == [0, 3]
    twin = list(torch.utils.data.WeightedRandomSampler([0.0, 1.0, 2.0, 0.0, 5.0], 5, replacement=False))
    assert sorted(twin[:3]) == [1, 2, 4]


def test_generator_and_manual_seed_make_runs_reproducible():
    a, b = WeightedRandomSampler(W, 50, generator=3), WeightedRandomSampler(W, 50, generator=3)
    first = list(a)
    assert first == list(b) and list(a) != first         # same seed same run; each pass draws anew
    gb.manual_seed(7)
    c = list(WeightedRandomSampler(W, 50))
    gb.manual_seed(7)
    assert list(WeightedRandomSampler(W, 50)) == c and len(WeightedRandomSampler(W, 50)) == 50


@pytest.mark.parametrize("kwargs,match", [
    (dict(weights=W, num_samples=0), "num_samples should be a positive integer value, but got num_samples=0"),
    (dict(weights=W, num_samples=2.5), "num_samples should be a positive integer value"),
    (dict(weights=W, num_samples=3, replacement=1), "replacement should be a boolean value"),
    (dict(weights=[[1.0, 2.0]], num_samples=3), "weights should be a 1d sequence"),
])
def test_errors_are_torchs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WeightedRandomSampler(**kwargs)
    with pytest.raises(ValueError, match=match.split(" but")[0].split(",")[0]):
        torch.utils.data.WeightedRandomSampler(**kwargs)


@pytest.mark.parametrize("weights,kwargs,match", [
    ([1.0, -1.0], {}, "non-negative and not all zero; got min -1"),
    ([0.0, 0.0], {}, "not all zero; got min 0, sum 0"),
    ([1.0, np.nan], {}, "must be finite"),
    ([1.0, 0.0, 2.0], dict(num_samples=4, replacement=False), "cannot draw num_samples=4 distinct indices"),
])
def test_bad_weights_are_refused_when_built(weights, kwargs, match):
    kwargs = {"num_samples": 2, **kwargs}
    with pytest.raises(ValueError, match=f"WeightedRandomSampler: .*{match}"):
        WeightedRandomSampler(weights, **kwargs)
    with pytest.raises(RuntimeError):           # torch refuses the same weights when it draws
        list(torch.utils.data.WeightedRandomSampler(weights, **kwargs))


def test_imbalanced_sampler_weights_and_equal_class_frequencies():
    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    s = ImbalancedSampler(y, num_samples=30_000, generator=0)
    balanced = compute_sample_weight("balanced", y)        # n / (K · count): proportional to 1 / count
    np.testing.assert_allclose(s.weights / s.weights.sum(), balanced / balanced.sum(), rtol=1e-12)
    assert s.classes_.tolist() == [0, 1, 2] and s.class_counts_.tolist() == [900, 90, 10] and len(s) == 30_000
    drawn = np.bincount(y[list(s)], minlength=3)
    assert chisquare(drawn, np.full(3, 10_000)).pvalue > 1e-3
    assert len(ImbalancedSampler(["a", "b", "b"])) == 3
    with pytest.raises(ValueError, match="ImbalancedSampler: labels must be a non-empty 1d sequence"):
        ImbalancedSampler(np.zeros((2, 2)))


def test_dataloader_reads_in_the_samplers_order():
    X, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    s = WeightedRandomSampler(np.arange(1.0, 11.0), 7, generator=5)
    expected = WeightedRandomSampler(np.arange(1.0, 11.0), 7, generator=5).draw()
    loader = DataLoader(TensorDataset(X, y), batch_size=3, sampler=s)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[1]) for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]), expected)
    np.testing.assert_array_equal(np.concatenate([b[0].data for b in batches]), X[expected])
    assert len(DataLoader(TensorDataset(X, y), batch_size=3, sampler=s, drop_last=True)) == 2
    assert [b[1].data.tolist() for b in DataLoader(TensorDataset(X, y), batch_size=4, sampler=[9, 0, 9])] == [[9, 0, 9]]


def test_dataloader_sampler_errors():
    ds = TensorDataset(np.zeros((4, 2), np.float32), np.arange(4))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(TypeError, match="sampler must be an iterable of indices, got int"):
        DataLoader(ds, sampler=3)
    with pytest.raises(IndexError, match="sampler yielded index 4, outside the dataset of length 4"):
        list(DataLoader(ds, sampler=[0, 4], prefetch=0))
