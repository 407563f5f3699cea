"""PCAWhitening against scikit-learn's PCA(whiten=True) and ZCAWhitening against Σ^(−1/2) from numpy's eigh."""
import numpy as np
import pytest
from sklearn.decomposition import PCA

import gradbook as gb
from gradbook.data import transforms as T


def _correlated(n=400, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.standard_normal(d)


def test_pca_whitening_is_sklearn_pca_whiten_up_to_component_signs():
    X = _correlated()
    ours = T.PCAWhitening(eps=0).fit(X)(X)
    theirs = PCA(whiten=True).fit_transform(X)
    signs = np.sign(np.sum(ours * theirs, axis=0))
    np.testing.assert_allclose(ours * signs, theirs, atol=1e-10)
    np.testing.assert_allclose(np.cov(ours.T), np.eye(6), atol=1e-10)


def test_zca_whitening_is_the_inverse_square_root_of_the_covariance():
    X = _correlated()
    lam, E = np.linalg.eigh(np.cov(X.T))
    W = E @ np.diag(1 / np.sqrt(lam + 1e-3)) @ E.T
    ours = T.ZCAWhitening(eps=1e-3).fit(X)(X)
    np.testing.assert_allclose(ours, (X - X.mean(0)) @ W, atol=1e-10)
    # with eps = 0 the covariance is the identity, and no other whitening moves the data less
    z = T.ZCAWhitening(eps=0).fit(X)(X)
    np.testing.assert_allclose(np.cov(z.T), np.eye(6), atol=1e-10)
    p = T.PCAWhitening(eps=0).fit(X)(X)
    Xc = X - X.mean(0)
    assert np.sum((z - Xc) ** 2) < np.sum((p - Xc) ** 2)


def test_zca_keeps_image_shape_dtype_and_tensors():
    X = np.random.default_rng(1).random((300, 1, 3, 3)).astype(np.float32)
    zca = T.ZCAWhitening(eps=1e-4).fit(X)
    out = zca(X)
    assert out.shape == X.shape and out.dtype == np.float32
    assert isinstance(zca(gb.tensor(X)), gb.Tensor)
    assert T.PCAWhitening().fit(X)(X).shape == (300, 9)


def test_whitening_errors():
    with pytest.raises(RuntimeError, match="call fit"):
        T.ZCAWhitening()(np.zeros((2, 3)))
    constant = np.zeros((10, 3))
    constant[:, 0] = np.arange(10)
    with pytest.raises(ValueError, match="zero variance; use eps > 0"):
        T.ZCAWhitening(eps=0).fit(constant)
    with pytest.raises(ValueError, match="fitted on 3 features"):
        T.ZCAWhitening().fit(_correlated(d=3))(np.zeros((2, 4)))
