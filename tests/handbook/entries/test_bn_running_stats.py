import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.bn_running_stats import BATCH, MOMENTUM, MU, SIGMA, batches


def test_bn_running_stats_match_torch_and_closed_form():
    r = handbook.run("bn-running-stats", quick=True)
    steps = r.numbers["steps"]
    data = batches(steps, 400)
    rm, rv = torch.zeros(400, dtype=torch.float64), torch.ones(400, dtype=torch.float64)
    for t in range(steps):
        torch.nn.functional.batch_norm(torch.tensor(data[t]), rm, rv, training=True, momentum=MOMENTUM)
    assert np.isclose(r.numbers["running_mean_c0"], rm[0].item(), rtol=1e-12)
    assert np.isclose(r.numbers["running_var_c0"], rv[0].item(), rtol=1e-12)
    assert np.isclose(r.numbers["avg_running_var"], rv.mean().item(), rtol=1e-12)
    # closed form by hand: after T steps from (0, 1), E = (1 − 0.9^T)·(μ, σ²) + 0.9^T·(0, 1)
    d = 0.9 ** steps
    assert np.isclose(r.numbers["expected_mean"], (1 - d) * MU)
    assert np.isclose(r.numbers["expected_var"], (1 - d) * SIGMA ** 2 + d)
    assert abs(r.numbers["avg_running_var"] - r.numbers["expected_var"]) < 4 * SIGMA ** 2 / 20
    assert abs(r.numbers["avg_running_mean"] - MU) < 4 * SIGMA / 20
    # biased batch variance: every update scaled by (n − 1)/n = 3/4, so the ratio tends to 3/4
    assert abs(r.numbers["biased_ratio"] - (BATCH - 1) / BATCH) < 1e-3
    assert r.numbers["eval_std_biased"] / r.numbers["eval_std"] > 1.1   # ≈ √(4/3)
    assert r.numbers["eval_err_vs_formula"] < 1e-12
    # nn.BatchNorm1d fed the same batches: the same buffers, one tracked batch per step, eval = the formula
    assert r.numbers["err_layer_vs_functional"] < 1e-12
    assert r.numbers["num_batches_tracked"] == steps
    assert r.numbers["eval_err_layer"] < 1e-12
    # the paper's whole-run statistics by hand, and torch's eval output against them
    pop_mean = data.mean(axis=(0, 1))
    pop_var = data.var(axis=1, ddof=1).mean(axis=0)
    test = np.random.default_rng(123).normal(MU, SIGMA, (500, 400))
    torch_eval = torch.nn.functional.batch_norm(torch.tensor(test), rm, rv, training=False).numpy()
    gap = np.abs(torch_eval - (test - pop_mean) / np.sqrt(pop_var + 1e-5)).max()
    paper_sound = (np.sqrt(((pop_var - SIGMA ** 2) ** 2).mean()) <= np.sqrt(((rv.numpy() - SIGMA ** 2) ** 2).mean()))
    assert r.numbers["eval_err_vs_population"] > 0.01 and gap > 0.01
    assert r.verdicts == {"running-var-unbiased": "confirmed", "biased-underestimates": "confirmed",
                          "eval-uses-running": "confirmed",
                          "whole-dataset-stats": "confirmed" if gap < 1e-6 else "depends" if paper_sound
                          else "corrected"}
