import numpy as np
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeClassifier

from gradbook import handbook
from gradbook.handbook.entries.evaluation import MODELS, NOISE, binary_digits, draw, poly


def test_evaluation_numbers_and_verdicts():
    r = handbook.run("evaluation", quick=True)
    reps, n_first, n_last = r.numbers["reps"], r.numbers["n_first"], r.numbers["n_last"]
    x_val, y_val = draw(5000, seed=0)
    for name, (degree, alpha) in MODELS.items():  # scikit-learn's Ridge on the same resamples
        for n, key in ((n_first, "first"), (n_last, "last")):
            tr, va = [], []
            for rep in range(reps):
                x, y = draw(n, seed=1000 + rep)
                m = Ridge(alpha=alpha).fit(poly(x, degree), y)
                tr.append(np.mean((y - m.predict(poly(x, degree))) ** 2))
                va.append(np.mean((y_val - m.predict(poly(x_val, degree))) ** 2))
            assert np.isclose(r.numbers[f"{name}_train_{key}"], np.mean(tr), rtol=1e-4)
            assert np.isclose(r.numbers[f"{name}_val_{key}"], np.mean(va), rtol=1e-4)
    # the best straight line through sin(2πx) on [0, 1] has slope -6/π and squared bias 1/2 - 3/π²:
    # a linear model's validation error must settle near bias² + σ²
    assert abs(r.numbers["simple_val_last"] - (0.5 - 3 / np.pi ** 2 + NOISE ** 2)) < 0.02
    assert NOISE ** 2 < r.numbers["flexible_val_last"] < NOISE ** 2 + 0.02

    Xtr, ytr, Xte, yte = binary_digits()
    cm = np.zeros((2, 2), int)
    np.add.at(cm, (yte, DecisionTreeClassifier(max_depth=4, random_state=0).fit(Xtr, ytr).predict(Xte)), 1)
    tn, fp, fn, tp = (r.numbers[k] for k in ("tn", "fp", "fn", "tp"))
    assert np.array_equal(cm, [[tn, fp], [fn, tp]])
    p, rec = tp / (tp + fp), tp / (tp + fn)  # the definitions, by hand
    assert np.isclose(r.numbers["precision"], p) and np.isclose(r.numbers["recall"], rec)
    assert np.isclose(r.numbers["f1"], 2 * p * rec / (p + rec))
    assert np.isclose(r.numbers["accuracy"], (tp + tn) / len(yte))
    assert np.isclose(r.numbers["constant_accuracy"], 1 - yte.mean())
    assert r.verdicts == {"high-bias-signature": "confirmed", "high-variance-signature": "confirmed",
                          "more-data-fixes-variance-not-bias": "confirmed", "accuracy-not-enough": "confirmed"}
