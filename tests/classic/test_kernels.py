"""Kernels equal sklearn.metrics.pairwise; the explicit degree-2 map reproduces the poly kernel."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import pairwise as skp

import gradbook as gb
from gradbook.classic import linear_kernel, poly2_feature_map, polynomial_kernel, rbf_kernel


@given(n=st.integers(1, 12), m=st.integers(1, 12), d=st.integers(1, 7), seed=st.integers(0, 10_000),
       same=st.booleans())
def test_kernels_match_sklearn(n, m, d, seed, same):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Y = None if same else rng.normal(size=(m, d))
    np.testing.assert_allclose(linear_kernel(X, Y), skp.linear_kernel(X, Y), rtol=1e-6, atol=1e-9)
    for gamma in (None, 0.3):
        np.testing.assert_allclose(rbf_kernel(X, Y, gamma=gamma), skp.rbf_kernel(X, Y, gamma=gamma),
                                   rtol=1e-6, atol=1e-9)
        for degree, coef0 in ((3, 1), (2, 0.5), (1, 0)):
            np.testing.assert_allclose(
                polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0),
                skp.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0), rtol=1e-6, atol=1e-9)


def test_rbf_diagonal_is_exactly_one():
    X = np.random.default_rng(0).normal(size=(20, 5)) * 1e3
    assert np.all(np.diag(rbf_kernel(X)) == 1.0)


def test_float32_stays_float32():
    X = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    for k in (linear_kernel, polynomial_kernel, rbf_kernel, poly2_feature_map):
        assert k(X).dtype == np.float32


@given(d=st.integers(1, 6), gamma=st.floats(0.05, 3), coef0=st.floats(0, 3), seed=st.integers(0, 999))
def test_poly2_feature_map_dot_products_equal_kernel(d, gamma, coef0, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(7, d)), rng.normal(size=(5, d))
    phi_x, phi_y = poly2_feature_map(X, gamma, coef0), poly2_feature_map(Y, gamma, coef0)
    assert phi_x.shape == (7, 1 + 2 * d + d * (d - 1) // 2)
    np.testing.assert_allclose(phi_x @ phi_y.T,
                               skp.polynomial_kernel(X, Y, degree=2, gamma=gamma, coef0=coef0),
                               rtol=1e-9, atol=1e-9)


def test_accepts_tensors():
    X = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_allclose(rbf_kernel(gb.Tensor(X)), skp.rbf_kernel(X))


@pytest.mark.parametrize("bad, match", [
    (np.ones(3), "2-D"), (np.array([[np.nan, 1.0]]), "NaN"), (np.array([[np.inf, 1.0]]), "NaN or infinity")])
def test_bad_input_names_the_function(bad, match):
    with pytest.raises(ValueError, match=f"rbf_kernel.*{match}"):
        rbf_kernel(bad)


def test_feature_mismatch_and_bad_map_params():
    with pytest.raises(ValueError, match="linear_kernel: X and Y need the same number of features"):
        linear_kernel(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="poly2_feature_map"):
        poly2_feature_map(np.ones((2, 2)), gamma=1, coef0=-1)
