"""underfitting against scikit-learn's gradient boosting, a torch twin of one width of the MLP sweep,
features built by loops, and verdicts rederived from the tables."""
import numpy as np
import torch
from sklearn.ensemble import GradientBoostingClassifier

from gradbook import backend, handbook, models
from gradbook.handbook.entries import underfitting
from gradbook.handbook.entries._small_nets import digits_images


def _table(r, title):
    return next(t for t in r.tables if t.title.startswith(title))


def _torch_mlp_accuracy(width, steps):
    Xtr, ytr, Xte, yte = digits_images()
    backend.manual_seed(0)
    ours = models.MLP([64, width, 10])
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, width), torch.nn.ReLU(),
                              torch.nn.Linear(width, 10))
    with torch.no_grad():
        for theirs, mine in zip([net[1], net[3]], [m for m in ours if hasattr(m, "weight")]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    opt = torch.optim.Adam(net.parameters(), lr=underfitting.LR)
    x, y = torch.tensor(Xtr), torch.tensor(ytr)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    with torch.no_grad():
        return [(net(torch.tensor(X)).argmax(1).numpy() == t).mean() for X, t in ((Xtr, ytr), (Xte, yte))]


def test_underfitting_sweeps_against_sklearn_torch_and_the_rule():
    r = handbook.run("underfitting", quick=True)
    Xtr, ytr, Xte, yte = digits_images()
    # features: block means and the 64 + 64·65/2 pixel products, by loops on one image
    img = Xtr[7, 0]
    means = [img[4 * a:4 * a + 4, 4 * b:4 * b + 4].mean() for a in range(2) for b in range(2)]
    assert np.allclose(underfitting.featurise(Xtr[7:8], "2x2 block means")[0], means)
    flat = img.reshape(-1)
    products = [flat[i] * flat[j] for i in range(64) for j in range(i, 64)]
    assert np.allclose(underfitting.featurise(Xtr[7:8], "pixels + pairwise products")[0],
                       np.concatenate([flat, products]))
    assert [r.numbers[f"n_features_{i}"] for i in range(4)] == [4, 16, 64, 64 + 64 * 65 // 2]
    # width 4 of the capacity sweep, retrained in torch from the same weights
    rows = _table(r, "MLP 64-w-10").rows
    train4, test4 = _torch_mlp_accuracy(4, r.numbers["steps"])
    assert abs(rows[2][1] - train4) < 0.01 and abs(rows[2][2] - test4) < 0.015
    # boosting against scikit-learn's twin
    boost = _table(r, "gradient boosting").rows
    for row, k in zip(boost, underfitting.STAGES):
        gb = GradientBoostingClassifier(n_estimators=k, max_depth=1, learning_rate=0.5, random_state=0)
        gb.fit(Xtr.reshape(len(Xtr), -1), ytr)
        assert abs(row[1] - gb.score(Xtr.reshape(len(Xtr), -1), ytr)) < 0.01
        assert abs(row[2] - gb.score(Xte.reshape(len(Xte), -1), yte)) < 0.015
    # verdicts from the first and last rows of each sweep
    for claim, title in (("bigger-model", "MLP 64-w-10"), ("less-regularisation", "MLP 64-32-10"),
                         ("more-features", "softmax regression"), ("boosting", "gradient boosting")):
        rows = _table(r, title).rows
        rise_train, rise_test = rows[-1][1] - rows[0][1], rows[-1][2] - rows[0][2]
        expected = "corrected" if rise_train <= 0.05 else "confirmed" if rise_test > 0.05 else "depends"
        assert r.verdicts[claim] == expected, claim
        # the underfitting end: train and test accuracy close together
        assert abs(rows[0][1] - rows[0][2]) < 0.07
    assert [f.name for f in r.figures] == ["underfitting_sweeps"]
