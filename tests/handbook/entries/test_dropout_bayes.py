"""dropout-bayes: the trained net replayed in torch (same weights): the eval-mode numbers and AUROCs
exactly (sklearn's roc_auc_score), MC dropout with torch's own dropout masks (T = 400) within sampling
error, ECE from scikit-learn's calibration bins, and every verdict rederived from the numbers."""
import numpy as np
import torch
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from gradbook import handbook
from gradbook.handbook.entries import dropout_bayes as entry


def _torch_net(model):
    linears = [m for m in model.modules() if type(m).__name__ == "Linear"]
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, entry.WIDTH), torch.nn.ReLU(),
                              torch.nn.Dropout(entry.P), torch.nn.Linear(entry.WIDTH, entry.WIDTH), torch.nn.ReLU(),
                              torch.nn.Dropout(entry.P), torch.nn.Linear(entry.WIDTH, entry.KNOWN)).double()
    with torch.no_grad():
        for ours, theirs in zip(linears, [m for m in net if isinstance(m, torch.nn.Linear)]):
            theirs.weight.copy_(torch.from_numpy(ours.weight.data.astype(np.float64)))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data.astype(np.float64)))
    return net


def _ece_sklearn(probs, y, bins):
    conf, right = probs.max(1), (probs.argmax(1) == y).astype(float)
    acc, mean_conf = calibration_curve(right, conf, n_bins=bins, strategy="uniform")
    counts = np.histogram(conf, bins=np.linspace(0, 1, bins + 1))[0]
    counts = counts[counts > 0]    # calibration_curve drops the empty bins
    return float(np.sum(counts / len(y) * np.abs(acc - mean_conf)))


def test_dropout_bayes_replayed_in_torch():
    r = handbook.run("dropout-bayes", quick=True)
    n = r.numbers
    _, _, sets, y_id = entry.datasets()
    net = _torch_net(entry.trained_model(quick=True))
    torch.manual_seed(0)
    det, var, mc = {}, {}, {}
    with torch.no_grad():
        for name, X in sets.items():
            x = torch.from_numpy(X.astype(np.float64))
            net.eval()
            det[name] = torch.softmax(net(x), 1).numpy()
            net.train()  # torch's MC dropout: the net has no batch norm, so train mode = dropout on
            samples = torch.stack([torch.softmax(net(x), 1) for _ in range(400)])
            mc[name] = samples.mean(0).numpy()
            var[name] = samples.var(0, unbiased=False).sum(1).numpy()
    for name in ("id", "unseen", "noise"):
        assert np.isclose(det[name].max(1).mean(), n[f"maxp_det_{name}"], rtol=1e-5)
        assert np.isclose(var[name].mean(), n[f"var_{name}"], rtol=0.15)
    for ood in ("unseen", "noise"):
        labels = np.r_[np.zeros(len(y_id)), np.ones(len(sets[ood]))]
        auroc_det = roc_auc_score(labels, 1 - np.r_[det["id"].max(1), det[ood].max(1)])
        # float32 (gradbook) against float64 (here): confidences within rounding of 1 tie differently
        assert np.isclose(auroc_det, n[f"auroc_det_{ood}"], atol=2e-3)
        assert abs(roc_auc_score(labels, np.r_[var["id"], var[ood]]) - n[f"auroc_var_{ood}"]) < 0.03
        assert np.isclose(n[f"ratio_{ood}"], n[f"var_{ood}"] / n["var_id"])
    for name in ("id", "shift0.3", "shift0.4"):
        tag = name.replace(".", "_")
        assert np.isclose(_ece_sklearn(det[name], y_id, entry.BINS), n[f"ece_det_{tag}"], atol=1e-6)
        assert abs(_ece_sklearn(mc[name], y_id, entry.BINS) - n[f"ece_mc_{tag}"]) < 0.02
        assert np.isclose(-np.log(det[name][np.arange(len(y_id)), y_id]).mean(), n[f"nll_det_{tag}"], rtol=1e-4)

    flags = min(n["ratio_unseen"], n["ratio_noise"]) > 2 and min(n["auroc_var_unseen"], n["auroc_var_noise"]) > 0.8
    gains = [n["auroc_var_unseen"] - n["auroc_det_unseen"], n["auroc_var_noise"] - n["auroc_det_noise"]]
    beats = "confirmed" if min(gains) > 0.02 else "corrected" if max(gains) < -0.02 else "depends"
    better = [n[f"ece_mc_{t}"] < n[f"ece_det_{t}"] for t in ("id", "shift0_3", "shift0_4")]
    calib = "confirmed" if all(better) else "corrected" if not any(better) else "depends"
    assert r.verdicts == {"variance-flags-ood": "confirmed" if flags else "corrected", "beats-softmax": beats,
                          "calibration": calib}
    assert n["shift_better"] == sum(better[1:])
