"""unsuitable-data against torch twins of the CNN on permuted pixels and the MLP (same initial weights),
scikit-learn's logistic regression, and verdicts rederived from the tables."""
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from gradbook import backend, handbook
from gradbook.handbook.entries import unsuitable_data as u
from gradbook.handbook.entries._small_nets import digits_images


def _torch_twin(ours, make_torch, X, y, Xt, yt):
    """Copy gradbook's initial weights into the torch net (same layer order), train it the entry's way."""
    net = make_torch()
    theirs = [m for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    mine = [m for m in ours if hasattr(m, "weight")]
    with torch.no_grad():
        for a, b in zip(theirs, mine):
            a.weight.copy_(torch.tensor(b.weight.data))
            a.bias.copy_(torch.tensor(b.bias.data))
    opt = torch.optim.Adam(net.parameters(), lr=u.LR)
    x, t = torch.tensor(X[:u.N_LOCAL]), torch.tensor(y[:u.N_LOCAL])
    for _ in range(u.STEPS):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), t).backward()
        opt.step()
    with torch.no_grad():
        return (net(torch.tensor(Xt)).argmax(1).numpy() == yt).mean()


def _torch_cnn():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(128, 10))


def _torch_mlp():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def test_unsuitable_data_against_torch_and_sklearn():
    r = handbook.run("unsuitable-data", quick=True)
    n = r.numbers
    Xtr, ytr, Xte, yte = digits_images()
    perm = np.random.default_rng(u.PERMUTATION_SEED).permutation(64)
    Ptr = Xtr.reshape(len(Xtr), -1)[:, perm].reshape(Xtr.shape)
    Pte = Xte.reshape(len(Xte), -1)[:, perm].reshape(Xte.shape)
    assert np.array_equal(u.permute(Xtr[:5], perm), Ptr[:5])
    by_seed = {(row[0], row[1]): (row[2], row[3]) for row in
               next(t for t in r.tables if t.title == "Test accuracy by seed").rows}
    # seed 0: the CNN on permuted pixels and the MLP on the images, retrained in torch
    backend.manual_seed(0)
    cnn_perm = _torch_twin(u.small_cnn(), _torch_cnn, Ptr, ytr, Pte, yte)
    backend.manual_seed(0)
    mlp_plain = _torch_twin(u.mlp(), _torch_mlp, Xtr, ytr, Xte, yte)
    assert abs(by_seed["CNN", 0][1] - cnn_perm) <= 0.015
    assert abs(by_seed["MLP", 0][0] - mlp_plain) <= 0.015
    # means and differences from the per-seed table
    mean = {(m, k): np.mean([v[k] for (name, _), v in by_seed.items() if name == m]) for m in ("MLP", "CNN")
            for k in (0, 1)}
    assert np.isclose(n["cnn_drop"], mean["CNN", 0] - mean["CNN", 1])
    assert np.isclose(n["mlp_drop"], mean["MLP", 0] - mean["MLP", 1])
    # logistic regression on 30 and on all images against scikit-learn's
    flat, flat_test = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    for tag, size in (("small", u.N_SMALL), ("full", len(ytr))):
        sk = LogisticRegression(max_iter=500).fit(flat[:size], ytr[:size]).score(flat_test, yte)
        assert abs(n[f"logreg_{tag}"] - sk) <= 0.006, tag
    # W x = W[:, π] x[π]: the twin computes the same function (float64)
    assert n["twin_err"] < 1e-9
    edge_small, edge_full = n["deep_edge_small"], n["deep_edge_full"]
    assert np.isclose(edge_small, n["mlp_small"] - max(n["logreg_small"], n["forest_small"]))
    assert r.verdicts == {
        "small-data": "corrected" if edge_small >= 0.03 else "confirmed" if edge_full > edge_small + 0.02
        else "depends",
        "no-locality": "depends" if n["cnn_drop"] > 0.03 and abs(n["mlp_drop"]) < 0.02
        else "confirmed" if n["cnn_drop"] > 0.03 else "corrected",
        "mlp-permutation-invariant": "confirmed",
    }
    assert r.verdicts["no-locality"] == "depends"   # the CNN needs locality, the MLP does not notice
    assert [f.name for f in r.figures] == ["unsuitable_permutation"]
