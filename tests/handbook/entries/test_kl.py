import numpy as np
from scipy.special import log_softmax
from scipy.stats import entropy

from gradbook import handbook


def test_kl_numbers_and_verdicts():
    r = handbook.run("kl", quick=True)
    # rebuild the same p and q with the entry's seed and check with scipy's entropy (KL when given two)
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(5))
    q = np.exp(log_softmax(rng.normal(size=5)))
    assert np.isclose(r.numbers["H_p"], entropy(p), rtol=1e-12)
    assert np.isclose(r.numbers["KL_pq"], entropy(p, q), rtol=1e-10)
    assert np.isclose(r.numbers["KL_qp"], entropy(q, p), rtol=1e-10)
    assert np.isclose(r.numbers["H_pq"], -(p * np.log(q)).sum(), rtol=1e-12)
    assert set(r.verdicts.values()) == {"confirmed"}
