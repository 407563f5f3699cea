"""fit / evaluate / callbacks / resume on small problems where the outcome is known."""
import csv

import numpy as np
import pytest

import gradbook as gb
import gradbook.nn as nn
import gradbook.nn.functional as F
from gradbook import optim
from gradbook.data import DataLoader, TensorDataset
from gradbook.train import (Callback, CSVLogger, EarlyStopping, History, ModelCheckpoint, TrainingDiverged, evaluate,
                            fit, predict, resume)


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    x = (centres[y] + rng.normal(0, 0.6, (n, 2))).astype(np.float32)
    return TensorDataset(x, y.astype(np.int64))


class Net(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 3)
        self.p = dropout

    def forward(self, x):
        h = F.relu(self.fc1(x))
        if self.p:
            from gradbook.ops.dropout import dropout
            h = dropout(h, self.p, self.training)
        return self.fc2(h)


def make(seed=0, dropout=0.0, lr=0.1):
    gb.manual_seed(seed)
    model = Net(dropout)
    return model, optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def test_fit_learns_and_logs_every_epoch():
    model, opt = make()
    loader = DataLoader(blobs(), batch_size=32, shuffle=True, seed=1)
    val = DataLoader(blobs(100, seed=5), batch_size=50)
    hist = fit(model, loader, F.cross_entropy, opt, epochs=5, val_loader=val)
    assert len(hist) == 5 and hist["epoch"] == [1, 2, 3, 4, 5]
    assert hist["loss"][-1] < hist["loss"][0]
    assert hist["val_accuracy"][-1] > 0.9
    assert set(hist.keys()) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"}
    # evaluate agrees with predict counted by hand
    y, yhat = predict(model, val)
    assert evaluate(model, val, F.cross_entropy)["accuracy"] == pytest.approx((y == yhat).mean())


def test_nan_loss_names_epoch_and_batch():
    model, opt = make()
    loader = DataLoader(blobs(64), batch_size=16)
    calls = {"n": 0}

    def exploding(out, y):
        calls["n"] += 1
        loss = F.cross_entropy(out, y)
        return loss * float("nan") if calls["n"] == 7 else loss

    with pytest.raises(TrainingDiverged, match="epoch 2, batch 3"):
        fit(model, loader, exploding, opt, epochs=3)


def test_early_stopping_stops_after_patience_and_restores_best():
    model, opt = make(lr=0.0)  # nothing changes: val_loss never improves after epoch 1
    loader = DataLoader(blobs(64), batch_size=32)
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best=True)
    hist = fit(model, loader, F.cross_entropy, opt, epochs=10, val_loader=loader, callbacks=[stop])
    assert len(hist) == 3 and hist.stopped_early and stop.best_epoch == 1


def test_early_stopping_unknown_monitor_is_a_clear_error():
    model, opt = make()
    with pytest.raises(ValueError, match="'val_loss' is not logged"):
        fit(model, DataLoader(blobs(32), batch_size=32), F.cross_entropy, opt, epochs=1,
            callbacks=[EarlyStopping()])


def test_model_checkpoint_best_only_and_csv_logger(tmp_path):
    model, opt = make()
    loader = DataLoader(blobs(), batch_size=32, shuffle=True, seed=0)
    ckpt = ModelCheckpoint(str(tmp_path / "best-{epoch}.npz"), monitor="loss", save_best_only=True)
    log = CSVLogger(str(tmp_path / "log.csv"))
    hist = fit(model, loader, F.cross_entropy, opt, epochs=4, callbacks=[ckpt, log])
    losses = hist["loss"]
    improving = [i + 1 for i in range(4) if losses[i] == min(losses[: i + 1])]
    assert [p.split("-")[-1] for p in ckpt.saved] == [f"{e}.npz" for e in improving]
    state = gb.load(ckpt.saved[-1])
    assert state["epoch"] == improving[-1]
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[2]["loss"]) == pytest.approx(losses[2])


def _params(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_resume_equals_uninterrupted(tmp_path):
    # shuffling from the library's generator and dropout: both random streams must be restored
    data = blobs()
    model, opt = make(dropout=0.3)
    fit(model, DataLoader(data, batch_size=32, shuffle=True), F.cross_entropy, opt, epochs=4)
    straight = _params(model)

    model, opt = make(dropout=0.3)
    loader = DataLoader(data, batch_size=32, shuffle=True)
    path = str(tmp_path / "ck.npz")
    fit(model, loader, F.cross_entropy, opt, epochs=2, callbacks=[ModelCheckpoint(path, monitor="loss")])
    gb.manual_seed(123)  # disturb the random state: resume must restore it
    model2, opt2 = make(seed=99, dropout=0.3)
    loader2 = DataLoader(data, batch_size=32, shuffle=True)
    start, hist = resume(path, model2, opt2, loader2)
    assert start == 2 and len(hist) == 2
    hist = fit(model2, loader2, F.cross_entropy, opt2, epochs=4, initial_epoch=start, history=hist)
    assert hist["epoch"] == [1, 2, 3, 4]
    for k, v in _params(model2).items():
        np.testing.assert_array_equal(v, straight[k], err_msg=k)


def test_ctrl_c_saves_resumable_checkpoint(tmp_path):
    data = blobs()

    class Interrupt(Callback):
        def on_batch_end(self, trainer, batch, logs):
            if trainer.epochs_done == 2 and batch == 3:
                raise KeyboardInterrupt

    model, opt = make()
    loader = DataLoader(data, batch_size=32, shuffle=True, seed=4)
    path = str(tmp_path / "interrupted.npz")
    hist = fit(model, loader, F.cross_entropy, opt, epochs=5, callbacks=[Interrupt()], interrupt_checkpoint=path)
    assert hist.interrupted and len(hist) == 2
    model2, opt2 = make(seed=1)
    loader2 = DataLoader(data, batch_size=32, shuffle=True, seed=4)
    start, hist2 = resume(path, model2, opt2, loader2)
    assert start == 2
    fit(model2, loader2, F.cross_entropy, opt2, epochs=5, initial_epoch=start, history=hist2)

    model3, opt3 = make()
    fit(model3, DataLoader(data, batch_size=32, shuffle=True, seed=4), F.cross_entropy, opt3, epochs=5)
    for k, v in _params(model3).items():
        np.testing.assert_array_equal(v, _params(model2)[k], err_msg=k)


def test_history_round_trip_and_plot(tmp_path):
    h = History([{"epoch": 1, "loss": 1.0, "accuracy": 0.5}, {"epoch": 2, "loss": 0.5, "accuracy": 0.8}])
    again = History.from_state_dict(h.state_dict())
    assert again.epochs == h.epochs
    path = h.plot(str(tmp_path / "curves.png"))
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
