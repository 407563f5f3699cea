import numpy as np
from sklearn.metrics.pairwise import polynomial_kernel as sk_poly

from gradbook import handbook


def test_kernels_numbers_and_verdicts():
    r = handbook.run("kernels", quick=True)
    d = r.numbers["input_dim"]
    assert r.numbers["feature_dim"] == 1 + 2 * d + d * (d - 1) // 2  # constant, linear, squares, cross terms
    assert r.numbers["example_kernel"] == (1 + 1 * 3 + 2 * -1) ** 2 == 4
    assert np.isclose(r.numbers["example_kernel"], sk_poly([[1.0, 2.0]], [[3.0, -1.0]], degree=2, gamma=1, coef0=1)[0, 0])
    assert np.isclose(r.numbers["example_phi_dot"], 4.0)
    assert r.numbers["max_gap_kernel_vs_features"] < 1e-9
    assert set(r.verdicts.values()) == {"confirmed"}
