"""KMeans: the same k-means++ / random draws as scikit-learn for a given random_state, hence the
same centres, labels and inertia; Lloyd from given centres equals scikit-learn's Lloyd."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import cluster as sk
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError

from gradbook.classic import KMeans


@pytest.fixture(autouse=True)
def _one_thread():
    """scikit-learn's KMeans runs OpenMP threads whose spin-waits cost seconds of CPU on a busy
    machine for these tiny problems; one thread keeps each test well under a second."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _blobs(seed=0, n=300):
    return make_blobs(n, centers=5, cluster_std=2.0, random_state=seed)[0]


def _same(ours, theirs):
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=1e-9)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_matches_sklearn_for_the_same_random_state(init, seed):
    X = _blobs(seed)
    _same(KMeans(5, init=init, random_state=seed).fit(X), sk.KMeans(5, init=init, random_state=seed).fit(X))


def test_n_init_sample_weight_and_explicit_init():
    X = _blobs(3)
    _same(KMeans(4, n_init=5, random_state=0).fit(X), sk.KMeans(4, n_init=5, random_state=0).fit(X))
    w = np.random.default_rng(0).uniform(0.1, 3, size=len(X))
    _same(KMeans(4, random_state=1).fit(X, sample_weight=w), sk.KMeans(4, random_state=1).fit(X, sample_weight=w))
    init = X[:4]
    ours, theirs = KMeans(4, init=init, max_iter=3).fit(X), sk.KMeans(4, init=init, n_init=1, max_iter=3).fit(X)
    _same(ours, theirs)


def test_predict_transform_score():
    X = _blobs(4)
    Xt = _blobs(5, 50)
    ours, theirs = KMeans(5, random_state=0).fit(X), sk.KMeans(5, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.predict(Xt), theirs.predict(Xt))
    np.testing.assert_allclose(ours.transform(Xt), theirs.transform(Xt), atol=1e-9)
    assert ours.score(Xt) == pytest.approx(theirs.score(Xt), rel=1e-10)
    np.testing.assert_array_equal(KMeans(5, random_state=0).fit_predict(X), ours.labels_)


def test_inertia_is_the_definition():
    X = _blobs(6)
    m = KMeans(3, random_state=0).fit(X)
    expected = sum(((X[m.labels_ == k] - m.cluster_centers_[k]) ** 2).sum() for k in range(3))
    assert m.inertia_ == pytest.approx(expected, rel=1e-10)


def test_bad_input():
    X = _blobs(7, 20)
    with pytest.raises(NotFittedError, match="KMeans"):
        KMeans(2).predict(X)
    with pytest.raises(ValueError, match="KMeans: n_samples=20 should be >= n_clusters=30"):
        KMeans(30).fit(X)
    with pytest.raises(ValueError, match="KMeans: init"):
        KMeans(2, init="kmeans").fit(X)
    with pytest.raises(ValueError, match=r"KMeans: init array must have shape \(2, 2\)"):
        KMeans(2, init=np.ones((3, 2))).fit(X)
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match="(?s)NaN.*KMeans"):
        KMeans(2).fit(Xnan)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2"):
        KMeans(2, random_state=0).fit(X).predict(np.ones((2, 3)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_integer_weights_equal_repeated_rows(dtype):
    """Weighted centroids Σwx/Σw and inertia Σw‖x - c‖²: weight 2 is the row repeated once more.
    Fixed starting centres, since k-means++ draws depend on the number of rows (that is why
    check_sample_weight_equivalence is an expected failure in test_check_estimator_linear)."""
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 1.0, size=(40, 3)) for c in (-4, 0, 4)]).astype(dtype)
    w = rng.integers(0, 4, size=len(X))
    init = X[[0, 50, 100]]
    weighted = KMeans(3, init=init, n_init=1).fit(X, sample_weight=w)
    repeated = KMeans(3, init=init, n_init=1).fit(np.repeat(X, w, axis=0))
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=tol, atol=tol)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=tol)
    np.testing.assert_array_equal(np.repeat(weighted.labels_, w), repeated.labels_)
    # and the centres are the weighted means of their members, computed here directly
    for k in range(3):
        members = weighted.labels_ == k
        np.testing.assert_allclose(weighted.cluster_centers_[k],
                                   np.average(X[members], axis=0, weights=w[members]), rtol=tol, atol=tol)


def test_sklearn_weight_check_passes_with_fixed_starting_centres():
    """The expected failure of KMeans in test_check_estimator_linear is the k-means++ draw
    alone: with the starting centres given, scikit-learn's own check passes."""
    from sklearn.utils import estimator_checks

    X = np.random.RandomState(42).rand(15, 30)          # the check's data
    estimator_checks.check_sample_weight_equivalence_on_dense_data(
        "KMeans", KMeans(3, init=X[[0, 5, 10]], n_init=1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dtypes_kept_as_sklearn(dtype):
    X = np.random.default_rng(5).normal(size=(60, 3)).astype(dtype)
    ours, theirs = KMeans(3, random_state=0).fit(X), sk.KMeans(3, random_state=0).fit(X)
    assert ours.cluster_centers_.dtype == theirs.cluster_centers_.dtype == dtype
    assert ours.labels_.dtype == theirs.labels_.dtype
    assert ours.predict(X).dtype == theirs.predict(X).dtype
    assert ours.transform(X).dtype == theirs.transform(X).dtype
