"""gd-variants against the same four runs written in NumPy (the gradient of the regularised
cross-entropy by its formula, the same shuffles) and the optimum from SciPy."""
import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import load_breast_cancer

from gradbook import handbook

L2 = 1e-2


def problem():
    features, labels = load_breast_cancer(return_X_y=True)
    features = (features - features.mean(0)) / features.std(0)
    X = np.hstack([features, np.ones((len(features), 1))])
    y = labels.astype(float)

    def f(w):
        z = X @ w
        return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * L2 * w @ w

    def grad(w, idx):
        return X[idx].T @ (1 / (1 + np.exp(-X[idx] @ w)) - y[idx]) / len(idx) + L2 * w

    return X, y, f, grad


def numpy_run(batch_size, lr, epochs, evals_per_epoch=4):
    """(epoch, update, f) at the same points as the entry: ``evals_per_epoch`` evenly spaced batches."""
    X, y, f, grad = problem()
    n = len(y)
    rng = np.random.default_rng(0)
    w = np.zeros(X.shape[1])
    batches = -(-n // batch_size)
    marks = set(np.linspace(0, batches, min(evals_per_epoch, batches) + 1).astype(int)[1:])
    log, updates = [(0.0, 0, f(w))], 0
    for epoch in range(epochs):
        order = rng.permutation(n)
        for b in range(batches):
            w = w - lr * grad(w, order[b * batch_size:(b + 1) * batch_size])
            updates += 1
            if b + 1 in marks:
                log.append((epoch + (b + 1) / batches, updates, f(w)))
    return np.array(log)


@pytest.fixture(scope="module")
def result():
    return handbook.run("gd-variants", quick=True)


def test_runs_match_a_numpy_replay_and_scipy_optimum(result):
    n = result.numbers
    X, y, f, grad = problem()
    best = scipy.optimize.minimize(f, np.zeros(31), jac=lambda w: grad(w, np.arange(len(y))), method="L-BFGS-B",
                                   options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10000}).fun
    assert np.isclose(n["f_star"], best, rtol=1e-9)
    epochs, target = n["epochs"], n["target"]
    runs = {"batch_GD": (569, 1.0, n["gd_epochs"]), "mini_batch_32": (32, 0.3, epochs), "SGD": (1, 0.03, epochs),
            "SGD_large_lr": (1, 0.1, epochs)}
    logs = {}
    for tag, (batch, lr, length) in runs.items():
        log = logs[tag] = numpy_run(batch, lr, length)
        gap = log[:, 2] - best
        at = np.searchsorted(log[:, 0], epochs - 1e-9)
        assert np.isclose(n[f"gap_{tag}"], gap[at], rtol=1e-5), tag
        hit = np.flatnonzero(gap < target)[0]
        assert n[f"updates_to_target_{tag}"] == int(log[hit, 1]), tag
        assert np.isclose(n[f"epochs_to_target_{tag}"], log[hit, 0], atol=1e-4), tag
        assert n[f"rises_{tag}"] == int(np.count_nonzero(np.diff(log[:, 2]) > 0)), tag
    gd = logs["batch_GD"][:, 2] - best
    assert n["gd_monotone"] and np.all(np.diff(gd) <= 1e-15)
    assert np.isclose(n["gd_final_gap"], gd[-1], rtol=1e-3, atol=1e-14)  # f* itself is known to ~1e-15
    # full-batch GD takes one update per epoch: its epochs and updates to the target coincide
    assert n["epochs_to_target_batch_GD"] == n["updates_to_target_batch_GD"]
    # the Hessian at 0: Xᵀ X / (4n) + L2 I
    assert np.isclose(n["curvature_max"], np.linalg.eigvalsh(X.T @ X / (4 * len(y)) + L2 * np.eye(31))[-1])
    large = logs["SGD_large_lr"]
    assert np.isclose(n["sgd_floor_second"], np.mean(large[large[:, 0] > epochs / 2, 2] - best), rtol=1e-5)
    assert result.verdicts == {"bgd-global": "confirmed", "sgd-not-linear": "confirmed", "sgd-oscillates": "confirmed",
                               "minibatch-fewer-updates": "depends", "batch-cheap": "confirmed"}
    assert [f.name for f in result.figures] == ["gd_variants"]
