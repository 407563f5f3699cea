"""PseudoLabel against the same training written in torch: the same initial weights, the same
batches (drawn by MixedBatches with the same seed), Lee's loss written out with torch ops and
torch's Adam. Losses per epoch and the pseudo-label counts must agree."""
import numpy as np
import pytest
import torch

from gradbook import backend, models
from gradbook.semi import MixedBatches, PseudoLabel, lee_alpha

SETTINGS = dict(threshold=0.6, warmup_epochs=1, pseudo_share=0.25, ramp=2, alpha_max=3.0, batch_size=16)


def _problem():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 5)) * 2
    y_all = rng.integers(0, 3, 100)
    X_all = (centres[y_all] + rng.normal(size=(100, 5))).astype(np.float32)
    return X_all[:30], y_all[:30], X_all[30:], y_all[30:]


def _torch_twin(ours, X, y, Xu, yu, epochs, seed, lr):
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for theirs, mine in zip([net[0], net[2]], [ours[0], ours[2]]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    batches = MixedBatches(X, y, Xu, SETTINGS["batch_size"], SETTINGS["pseudo_share"], seed)
    losses, used, right = [], [], []
    for epoch in range(1, epochs + 1):
        alpha = lee_alpha(epoch, SETTINGS["warmup_epochs"], SETTINGS["ramp"], SETTINGS["alpha_max"])
        batches.active = alpha > 0
        total, seen, n_used, n_right = 0.0, 0, 0, 0
        for xb, tb in batches:
            x, t = torch.tensor(xb.data), torch.tensor(tb.data)
            out = net(x)
            lab = t >= 0
            loss = torch.nn.functional.cross_entropy(out[lab], t[lab])
            if (~lab).any():
                p = torch.softmax(out[~lab].detach().double(), 1)
                conf, guess = p.max(1)
                keep = conf >= SETTINGS["threshold"]
                ce = torch.nn.functional.cross_entropy(out[~lab], guess, reduction="none")
                loss = loss + alpha * (ce * keep).sum() / (~lab).sum()
                n_used += int(keep.sum())
                n_right += int((guess[keep].numpy() == yu[batches.unlabelled_rows][keep.numpy()]).sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, seen = total + loss.item() * len(t), seen + len(t)
        losses.append(total / seen)
        used.append(n_used)
        right.append(n_right)
    return losses, used, right


def test_pseudo_label_matches_torch_twin():
    X, y, Xu, yu = _problem()
    backend.manual_seed(3)
    net = models.MLP([5, 8, 3])
    init = [p.data.copy() for p in net.parameters()]
    pl = PseudoLabel(net, lr=0.02, seed=5, **SETTINGS).fit(X, y, Xu, 5, y_unlabelled=yu)
    for p, p0 in zip(net.parameters(), init):
        p.data[...] = p0
    losses, used, right = _torch_twin(net, X, y, Xu, yu, 5, seed=5, lr=0.02)
    h = pl.history_.epochs
    np.testing.assert_allclose([e["loss"] for e in h], losses, rtol=2e-4)
    assert [e["pseudo_used"] for e in h] == used and [e["pseudo_correct"] for e in h] == right
    assert [e["alpha"] for e in h] == [0.0, 1.5, 3.0, 3.0, 3.0]
    # max(ceil(30/12), ceil(70/4)) batches of 4 unlabelled rows each
    assert h[0]["pseudo_seen"] == 0 and h[1]["pseudo_seen"] == 18 * 4
    assert sum(used) > 0 and 0 < h[-1]["pseudo_accuracy"] <= 1


def test_epoch_length_follows_the_batch_mix():
    """Callbacks (a progress bar) see each epoch's own number of batches: labelled only, then mixed."""
    from gradbook.train import Callback

    class Lengths(Callback):
        seen = []

        def on_epoch_begin(self, trainer, epoch):
            self.seen.append(trainer.batches_per_epoch)

    X, y, Xu, yu = _problem()
    pl = PseudoLabel(models.MLP([5, 8, 3]), **SETTINGS).fit(X, y, Xu, 2, val=(Xu, yu), callbacks=[Lengths()])
    assert Lengths.seen == [2, 18]  # ceil(30 / 16); max(ceil(30 / 12), ceil(70 / 4))
    assert pl.history_.epochs[-1]["val_accuracy"] == pytest.approx(pl.score(Xu, yu))
    assert "pseudo_correct" not in pl.history_.epochs[-1]  # no y_unlabelled given: nothing to count against


def test_lee_alpha_schedule():
    assert [lee_alpha(t, 2, 4, 3.0) for t in range(1, 8)] == [0, 0, 0.75, 1.5, 2.25, 3.0, 3.0]
    assert lee_alpha(3, 2, 0, 3.0) == 3.0


def test_bad_arguments_are_named():
    net = models.MLP([5, 8, 3])
    for kw, name in [(dict(threshold=1.5), "threshold"), (dict(pseudo_share=1.0), "pseudo_share"),
                     (dict(warmup_epochs=-1), "warmup_epochs"), (dict(ramp=1.5), "ramp"),
                     (dict(batch_size=1), "batch_size"), (dict(alpha_max=-1), "alpha_max")]:
        with pytest.raises(ValueError, match=f"PseudoLabel: {name} must be"):
            PseudoLabel(net, **kw)
    X, y, Xu, _ = _problem()
    with pytest.raises(ValueError, match=r"X_unlabelled rows must have the shape of X's rows \(5,\)"):
        PseudoLabel(net).fit(X, y, Xu[:, :4], 1)
    with pytest.raises(ValueError, match=r"y_unlabelled must be integer class indices of shape \(70,\)"):
        PseudoLabel(net).fit(X, y, Xu, 1, y_unlabelled=np.zeros(3, int))
    with pytest.raises(ValueError, match="y must be class indices >= 0"):
        PseudoLabel(net).fit(X, np.full(len(X), -1), Xu, 1)
