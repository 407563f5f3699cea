import numpy as np
from sklearn.svm import SVC

from gradbook import handbook
from gradbook.handbook.entries.svm_derivation import C, HARD_C, blobs


def _objectives(svm, X, y, C):
    """Primal ½‖w‖² + C Σ max(0, 1 − yᵢ f(xᵢ)) and dual Σα − ½ (yα)ᵀ K (yα), written out by hand."""
    ya = svm.dual_coef_[0]
    w = ya @ svm.support_vectors_
    s = 2 * y - 1
    primal = 0.5 * w @ w + C * np.maximum(0, 1 - s * (X @ w + svm.intercept_[0])).sum()
    dual = np.abs(ya).sum() - 0.5 * w @ w
    return primal, dual, w


def test_svm_derivation_numbers_and_verdicts():
    r = handbook.run("svm-derivation", quick=True)
    X, y = blobs(r.numbers["n_samples"] // 2)
    ref = SVC(kernel="linear", C=C, tol=1e-8).fit(X, y)  # libsvm as the twin
    primal, dual, w = _objectives(ref, X, y, C)
    assert np.isclose(r.numbers["primal"], primal, rtol=1e-5)
    assert np.isclose(r.numbers["dual"], dual, rtol=1e-5)
    assert np.isclose(r.numbers["margin_width"], 2 / np.linalg.norm(w), rtol=1e-4)
    assert r.numbers["n_support"] == len(ref.support_)
    assert r.numbers["n_free_sv"] == int((np.abs(ref.dual_coef_[0]) < C * (1 - 1e-6)).sum())
    s = 2 * y - 1
    margins = s * ref.decision_function(X)
    keep = margins > 1 - 1e-3
    hard = SVC(kernel="linear", C=HARD_C, tol=1e-8).fit(X[keep], y[keep])
    hp, hd, hw = _objectives(hard, X[keep], y[keep], HARD_C)
    assert np.isclose(r.numbers["hard_half_w2"], 0.5 * hw @ hw, rtol=1e-5)
    assert np.isclose(r.numbers["hard_primal"], hp, rtol=1e-5) and r.numbers["hard_n_support"] == len(hard.support_)
    assert r.numbers["kkt_violations"] == 0 and abs(r.numbers["gap"]) < 1e-4 * primal
    assert r.verdicts == {"strong-duality": "confirmed", "kkt-hold": "confirmed", "w-from-support-vectors": "confirmed"}
