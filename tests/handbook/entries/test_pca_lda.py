import numpy as np
import scipy.linalg  # noqa: F401  (load LAPACK before limiting its threads)
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from gradbook import handbook
from gradbook.handbook.entries.pca_lda import digit_arrays, elongated


def _fisher(z, y):
    """(m₁ − m₀)² / (s₀² + s₁²), written out."""
    return (z[y == 1].mean() - z[y == 0].mean()) ** 2 / (z[y == 0].var() + z[y == 1].var())


def test_pca_lda_numbers_and_verdicts():
    with threadpool_limits(1):  # small matrices: BLAS threads only add contention
        r = handbook.run("pca-lda", quick=True)
        X, y = elongated(400, seed=0)
        Xt, yt = elongated(2000, seed=1)
        pca1, lda1 = PCA(1).fit(X), LinearDiscriminantAnalysis(n_components=1).fit(X, y)  # scikit-learn twins
        assert np.isclose(r.numbers["toy_pca_var_ratio"], pca1.explained_variance_ratio_[0], rtol=1e-8)
        assert np.isclose(r.numbers["toy_pca_fisher"], _fisher(pca1.transform(Xt)[:, 0], yt), rtol=1e-6)
        assert np.isclose(r.numbers["toy_lda_fisher"], _fisher(lda1.transform(Xt)[:, 0], yt), rtol=1e-6)
        Xtr, ytr, Xte, yte = digit_arrays()
        assert np.isclose(r.numbers["digits_pca_var_ratio_2"], PCA(2).fit(Xtr).explained_variance_ratio_.sum(), rtol=1e-8)
        for name, proj in (("pca", PCA(2).fit(Xtr)), ("lda", LinearDiscriminantAnalysis(n_components=2).fit(Xtr, ytr))):
            clf = LogisticRegression(max_iter=1000).fit(proj.transform(Xtr), ytr)
            assert abs(r.numbers[f"digits_{name}_acc"] - np.mean(clf.predict(proj.transform(Xte)) == yte)) < 0.02, name
        sk_lda = LinearDiscriminantAnalysis().fit(Xtr, ytr)
        assert abs(r.numbers["digits_lda_classifier_acc"] - np.mean(sk_lda.predict(Xte) == yte)) < 0.006
        assert r.numbers["digits_lda_max_components"] == sk_lda.transform(Xte).shape[1] == 9
    assert r.verdicts == {"pca-ignores-labels": "confirmed", "lda-at-most-c-minus-1": "confirmed",
                          "lda-separates-better": "confirmed"}
