"""The Gaussian process against scikit-learn's GaussianProcessRegressor with the same fixed kernel,
its likelihood gradient against finite differences, and the fit that raises the likelihood."""
import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern

from threadpoolctl import threadpool_limits

from gradbook.tune.gp import GaussianProcess

SKLEARN_KERNEL = {"rbf": lambda ls, b=(1e-5, 1e5): RBF(ls, b), "matern52": lambda ls, b=(1e-5, 1e5): Matern(ls, b, nu=2.5)}


def _data(seed, n=12, d=3):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = np.sin(3 * X).sum(1) + 0.1 * rng.standard_normal(n) + 2.0
    return X, y, rng.random((7, d))


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
@pytest.mark.parametrize("normalize_y", [False, True])
@pytest.mark.parametrize("ard", [False, True])
def test_posterior_and_likelihood_equal_sklearn(kernel, normalize_y, ard):
    X, y, X_new = _data(0)
    amplitude, noise = 1.7, 1e-3
    ls = np.array([0.3, 0.5, 0.9]) if ard else 0.4
    ours = GaussianProcess(kernel, amplitude, ls, noise, normalize_y=normalize_y, optimize=False).fit(X, y)
    theirs = GaussianProcessRegressor(ConstantKernel(amplitude) * SKLEARN_KERNEL[kernel](ls), alpha=noise,
                                      normalize_y=normalize_y, optimizer=None).fit(X, y)
    mean, std = ours.predict(X_new, return_std=True)
    ref_mean, ref_std = theirs.predict(X_new, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(std, ref_std, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.predict(X_new), ref_mean, rtol=0, atol=1e-8)

    theta = np.log(np.concatenate([[amplitude], np.atleast_1d(ls), [noise]]))
    lml, grad = ours.log_marginal_likelihood(theta, eval_gradient=True)
    ref_lml, ref_grad = theirs.log_marginal_likelihood(theirs.kernel_.theta, eval_gradient=True)
    assert lml == pytest.approx(ref_lml, rel=1e-10, abs=1e-8)
    assert ours.log_marginal_likelihood_value_ == pytest.approx(ref_lml, rel=1e-10, abs=1e-8)
    np.testing.assert_allclose(grad[:-1], ref_grad, rtol=1e-8, atol=1e-8)  # sklearn's θ has no noise entry


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_likelihood_gradient_matches_finite_differences(kernel):
    X, y, _ = _data(1)
    gp = GaussianProcess(kernel, length_scale=np.ones(3), optimize=False).fit(X, y)
    theta = np.log([0.8, 0.3, 0.6, 1.2, 1e-2])
    _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    h = 1e-6
    numeric = [(gp.log_marginal_likelihood(theta + h * e) - gp.log_marginal_likelihood(theta - h * e)) / (2 * h)
               for e in np.eye(len(theta))]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_fit_maximises_likelihood_and_matches_sklearn_optimum(kernel):
    X, y, X_new = _data(2, n=20, d=2)
    start = GaussianProcess(kernel, optimize=False, noise=1e-2).fit(X, y)
    fitted = GaussianProcess(kernel, noise=1e-2, n_restarts=4, seed=0, bounds={"noise": (1e-2, 1e-2 + 1e-12)}).fit(X, y)
    assert fitted.log_marginal_likelihood_value_ > start.log_marginal_likelihood_value_
    # scikit-learn's own optimiser on the same kernel family and fixed noise reaches the same optimum
    ref = GaussianProcessRegressor(ConstantKernel(1.0, (1e-2, 1e2)) * SKLEARN_KERNEL[kernel](1.0, (1e-2, 1e2)), alpha=1e-2,
                                   normalize_y=True, n_restarts_optimizer=4, random_state=0)
    with threadpool_limits(1):  # 3x3 matrices: threaded BLAS only waits for busy cores
        ref.fit(X, y)
    assert fitted.log_marginal_likelihood_value_ == pytest.approx(ref.log_marginal_likelihood_value_, abs=1e-4)


def test_fit_rejects_bad_shapes_and_kernels():
    with pytest.raises(ValueError, match="kernel must be one of"):
        GaussianProcess("linear")
    with pytest.raises(ValueError, match=r"expected X of shape \(n, d\)"):
        GaussianProcess().fit(np.ones(3), np.ones(3))
    gp = GaussianProcess(optimize=False).fit(np.ones((2, 2)) * [[0], [1]], np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"expected X of shape \(m, 2\)"):
        gp.predict(np.ones((3, 3)))


from hypothesis import assume, given, strategies as st  # noqa: E402


@given(n=st.integers(1, 15), d=st.integers(1, 4), kernel=st.sampled_from(["rbf", "matern52"]),
       amplitude=st.floats(0.05, 20.0), log_ls=st.floats(-2.0, 1.0), noise=st.floats(1e-6, 1.0),
       normalize_y=st.booleans(), seed=st.integers(0, 2**16))
def test_posterior_equals_sklearn_on_random_problems(n, d, kernel, amplitude, log_ls, noise, normalize_y, seed):
    """To 1e-8 wherever the kernel matrix K + σ²I has a condition number below 1e6. Beyond it the
    two solves' rounding, amplified by the condition number, decides the digits (cond 4e7 with
    summands k*ᵢαᵢ of 2e7 cancelling to a mean of 6 leave 1e-8 relative differences), which no
    implementation can promise to match."""
    rng = np.random.default_rng(seed)
    X, y, X_new = rng.random((n, d)), rng.normal(size=n) * 3 + 1, rng.random((5, d))
    ls = 10.0 ** log_ls * rng.uniform(0.5, 2.0, size=d)
    kernel_matrix = (ConstantKernel(amplitude) * SKLEARN_KERNEL[kernel](ls))(X) + noise * np.eye(n)
    assume(np.linalg.cond(kernel_matrix) < 1e6)
    ours = GaussianProcess(kernel, amplitude, ls, noise, normalize_y=normalize_y, optimize=False).fit(X, y)
    theirs = GaussianProcessRegressor(ConstantKernel(amplitude) * SKLEARN_KERNEL[kernel](ls), alpha=noise,
                                      normalize_y=normalize_y, optimizer=None).fit(X, y)
    mean, std = ours.predict(X_new, return_std=True)
    ref_mean, ref_std = theirs.predict(X_new, return_std=True)
    scale = max(1.0, np.abs(ref_mean).max())
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=1e-8 * scale)
    np.testing.assert_allclose(std, ref_std, rtol=0, atol=1e-8 * scale)
    assert ours.log_marginal_likelihood_value_ == pytest.approx(theirs.log_marginal_likelihood_value_, rel=1e-9, abs=1e-8)


def test_a_singular_kernel_matrix_asks_for_more_noise():
    X = np.zeros((3, 1))
    with pytest.raises(ValueError, match="not positive definite .*raise the noise"):
        GaussianProcess("rbf", noise=0.0, optimize=False).fit(X, np.array([1.0, 2.0, 3.0]))
