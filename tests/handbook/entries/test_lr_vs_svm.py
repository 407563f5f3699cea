import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from gradbook import handbook
from gradbook.handbook.entries.lr_vs_svm import C, blobs


def test_lr_vs_svm_numbers_and_verdicts():
    r = handbook.run("lr-vs-svm", quick=True)
    X, y = blobs(r.numbers["n_train"] // 2, seed=0)
    Xt, yt = blobs(2000, seed=1)
    lr, svm = LogisticRegression(C=C).fit(X, y), SVC(kernel="linear", C=C, tol=1e-8).fit(X, y)  # twins
    assert abs(r.numbers["lr_acc"] - np.mean(lr.predict(Xt) == yt)) < 0.005
    assert abs(r.numbers["svm_acc"] - np.mean(svm.predict(Xt) == yt)) < 0.005
    assert r.numbers["n_support"] == len(svm.support_)
    a, b = lr.coef_[0], svm.coef_[0]
    assert abs(r.numbers["angle_deg"] - np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))) < 0.5
    keep = np.zeros(len(y), bool)
    keep[svm.support_] = True
    lr_sv = LogisticRegression(C=C).fit(X[keep], y[keep])
    assert abs(r.numbers["lr_w_change"] - np.linalg.norm(lr_sv.coef_[0] - a) / np.linalg.norm(a)) < 0.01
    assert r.numbers["hinge_at_minus1"] == 2.0 and r.numbers["hinge_at_2"] == 0.0
    assert np.isclose(r.numbers["logistic_at_0"], np.log(2)) and np.isclose(r.numbers["logistic_at_2"], np.log(1 + np.exp(-2)))
    assert r.verdicts == {"svm-uses-support-vectors-only": "confirmed", "lr-uses-every-point": "confirmed",
                          "similar-linear-boundaries": "confirmed"}
