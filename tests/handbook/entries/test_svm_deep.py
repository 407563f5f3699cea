"""svm-deep against torch: multi_margin_loss(p=2) and the hand formula, the L2-SVM run of seed 0
retrained with torch's Adam and loss from the same weights, its support vectors counted from the
margins, and the verdicts rederived from the per-seed table."""
import numpy as np
import torch

from gradbook import backend, handbook, models
from gradbook.handbook.entries import svm_deep
from gradbook.handbook.entries._small_nets import digits_images


def test_svm_deep_against_torch():
    r = handbook.run("svm-deep", quick=True)
    n = r.numbers
    # the loss: torch's twin and the formula by loops
    s = np.random.default_rng(5).standard_normal((4, 10))
    y = np.array([3, 0, 9, 3])
    by_hand = np.mean([sum(max(0, 1 - s[i, y[i]] + s[i, j]) ** 2 for j in range(10) if j != y[i]) / 10
                       for i in range(4)])
    assert np.isclose(torch.nn.functional.multi_margin_loss(torch.tensor(s), torch.tensor(y), p=2).item(), by_hand)
    assert n["loss_formula_err"] < 1e-12

    # seed 0 of the L2-SVM run, in torch from the same initial weights
    Xtr, ytr, Xte, yte = digits_images()
    backend.manual_seed(0)
    ours = models.MLP([64, svm_deep.HIDDEN, 10])
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, svm_deep.HIDDEN), torch.nn.ReLU(),
                              torch.nn.Linear(svm_deep.HIDDEN, 10))
    with torch.no_grad():
        for theirs, mine in zip([net[1], net[3]], [m for m in ours if hasattr(m, "weight")]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    opt = torch.optim.Adam(net.parameters(), lr=n["l2_svm_lr"])
    x, t = torch.tensor(Xtr[:svm_deep.N_TRAIN]), torch.tensor(ytr[:svm_deep.N_TRAIN])
    for _ in range(svm_deep.STEPS):
        opt.zero_grad()
        torch.nn.functional.multi_margin_loss(net(x), t, p=2).backward()
        opt.step()
    with torch.no_grad():
        test_acc = (net(torch.tensor(Xte)).argmax(1).numpy() == yte).mean()
        scores = net(x).double()
    margins = scores.gather(1, t[:, None]) - scores      # s_y − s_j
    margins[torch.arange(len(t)), t] = np.inf
    support = (margins < 1).any(dim=1).double().mean().item()   # some j still inside the margin
    table = next(tb for tb in r.tables if tb.title == "Test accuracy by seed")
    seed0 = table.rows[0]
    assert abs(seed0[2] - test_acc) <= 0.015
    assert abs(seed0[3] - support) <= 0.05

    # verdicts from the per-seed table
    soft, svm = np.array([row[1] for row in table.rows]), np.array([row[2] for row in table.rows])
    diff = svm - soft
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert np.isclose(n["acc_diff"], diff.mean()) and np.isclose(n["acc_diff_se"], se)
    assert np.isclose(n["l2_svm_active"], np.mean([row[3] for row in table.rows]))
    assert r.verdicts == {
        "loss-formula": "confirmed",
        "svm-beats-softmax": "confirmed" if diff.mean() > 2 * se else "corrected" if diff.mean() < -2 * se
        else "contested",
        # softmax's gradient p − onehot is never exactly zero; the hinge's is zero past the margin
        "sparse-gradients": "confirmed" if n["l2_svm_active"] < 0.5 and n["softmax_active"] == 1 else "corrected",
    }
    assert [f.name for f in r.figures] == ["svm_losses"]
