import numpy as np
from scipy.integrate import quad
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score

from gradbook import handbook
from gradbook.handbook.entries.roc_vs_pr import RATIOS, SEPARATION, scores


def _population_ap(mu: float, ratio: int) -> float:
    """AP of the binormal scorer: ∫ precision d(recall), recall(t) = 1 - Φ(t - μ), FPR(t) = 1 - Φ(t)."""
    def integrand(t):
        rec, fpr = norm.sf(t - mu), norm.sf(t)
        return rec / (rec + ratio * fpr) * norm.pdf(t - mu)
    return quad(integrand, -12, 12 + mu, limit=200)[0]


def test_roc_vs_pr_numbers_and_verdicts():
    r = handbook.run("roc-vs-pr", quick=True)
    n_pos = r.numbers["n_pos"]
    for ratio in RATIOS:
        y, s = scores(n_pos, ratio)  # same data, scikit-learn's metrics as the twin
        assert np.isclose(r.numbers[f"roc_auc_1_{ratio}"], roc_auc_score(y, s), rtol=1e-12)
        assert np.isclose(r.numbers[f"ap_1_{ratio}"], average_precision_score(y, s), rtol=1e-12)
        # and both close to the population values of the binormal model
        assert abs(r.numbers[f"roc_auc_1_{ratio}"] - norm.cdf(SEPARATION / np.sqrt(2))) < 0.04
        assert abs(r.numbers[f"ap_1_{ratio}"] - _population_ap(SEPARATION, ratio)) < 0.1
    assert r.verdicts == {"roc-stable": "confirmed", "pr-drops": "confirmed"}
