"""bn-whitening recomputed independently: torch's BatchNorm1d, scikit-learn's PCA with the whitening scale by
hand, Σ^(−1/2) from numpy's eigh, scipy's skewness; the verdicts rederived from those numbers."""
import numpy as np
import torch
from scipy.stats import skew
from sklearn.decomposition import PCA

from gradbook import handbook
from gradbook.handbook.entries import bn_whitening as bw
from gradbook.handbook.entries._small_nets import digits_images


def _offdiag(C):
    return C[~np.eye(len(C), dtype=bool)]


def test_bn_whitening_against_torch_sklearn_and_numpy():
    r = handbook.run("bn-whitening", quick=True)
    n = r.numbers
    pixels = digits_images()[0].reshape(-1, 64).astype(np.float64)
    X = pixels[:, pixels.var(0) > 1e-3]
    assert n["n_pixels"] == X.shape[1] and n["n_flat"] == 64 - X.shape[1]
    Xc = X - X.mean(0)
    # BN: torch's BatchNorm1d in training mode, no affine
    bn = torch.nn.BatchNorm1d(X.shape[1], eps=bw.EPS, affine=False, track_running_stats=False)
    Z = bn(torch.tensor(X)).detach().numpy()
    C = np.cov(Z, rowvar=False, bias=True)
    assert np.isclose(n["bn_max_offdiag"], np.abs(_offdiag(C)).max())
    assert np.isclose(n["bn_max_diag_err"], np.abs(np.diag(C) - 1).max())
    assert np.isclose(n["bn_cov_vs_corr"], np.abs(C - np.corrcoef(X, rowvar=False)).max(), atol=1e-9)
    assert np.isclose(n["bn_mean_abs_skew"], np.abs(skew(Z)).mean())
    assert np.isclose(n["raw_mean_abs_skew"], np.abs(skew(X)).mean())   # affine per feature: shape unchanged
    # PCA whitening: scikit-learn's axes and (unbiased) variances, scaled by hand
    pca = PCA().fit(X)
    P = (Xc @ pca.components_.T) / np.sqrt(pca.explained_variance_ + bw.EPS)
    Cp = np.cov(P, rowvar=False, bias=True)
    assert np.isclose(n["pca_max_offdiag"], np.abs(_offdiag(Cp)).max(), atol=1e-12)
    assert np.isclose(n["pca_max_diag_err"], np.abs(np.diag(Cp) - 1).max())
    assert np.isclose(n["pca_move"], np.mean(np.sum((P - Xc) ** 2, axis=1)))
    # ZCA: Σ^(−1/2) from eigh
    lam, E = np.linalg.eigh(np.cov(X, rowvar=False))
    W = E @ np.diag(1 / np.sqrt(lam + bw.EPS)) @ E.T
    Zz = Xc @ W
    Cz = np.cov(Zz, rowvar=False, bias=True)
    assert np.isclose(n["zca_max_offdiag"], np.abs(_offdiag(Cz)).max())
    assert np.isclose(n["zca_move"], np.mean(np.sum((Zz - Xc) ** 2, axis=1)))
    # statistics of the first 64 images applied to all
    batch = X[:bw.MINI_BATCH]
    ok = batch.std(0) > 1e-8
    bn_b = (X - batch.mean(0)) / np.sqrt(batch.var(0) + bw.EPS)
    lam_b, E_b = np.linalg.eigh(np.cov(batch, rowvar=False))
    zca_b = (X - batch.mean(0)) @ (E_b @ np.diag(1 / np.sqrt(np.clip(lam_b, 0, None) + bw.EPS)) @ E_b.T)
    for name, Zb in (("bn", bn_b), ("zca", zca_b)):
        d = np.diag(np.cov(Zb, rowvar=False, bias=True))[ok]
        assert np.isclose(n[f"{name}_batch_diag_median"], np.median(d), rtol=1e-6)
        assert np.isclose(n[f"{name}_batch_diag_max"], d.max(), rtol=1e-6)
    standardised = np.abs(Z.mean(0)).max() < 1e-6 and np.abs(np.diag(C) - 1).max() < 0.05
    assert r.verdicts == {
        "unit-normal": "corrected" if np.abs(skew(Z)).mean() > 0.5 or not standardised else "confirmed",
        "simplified-whitening": "confirmed" if np.abs(_offdiag(C)).max() > 0.3 and np.abs(_offdiag(Cz)).max() < 0.05
        and standardised else "depends",
        "whitening-cost": "confirmed" if n["cost_ratio"] > 10 else "depends" if n["cost_ratio"] > 2 else "corrected",
        "zca-closest": "confirmed" if n["zca_move"] < n["pca_move"] else "corrected",
    }
    assert np.isclose(n["cost_ratio"], n["time_zca_ms"] / n["time_bn_ms"])
    assert [f.name for f in r.figures] == ["bn_whitening_covariance"]
