import numpy as np
import torch
from scipy.stats import skew

from gradbook import handbook
from gradbook.handbook.entries.batchnorm import EPS, problem


def test_batchnorm_numbers_match_torch_and_verdicts():
    r = handbook.run("batchnorm", quick=True)
    x0, gamma0, beta0, g = problem()
    x, w, b = (torch.tensor(a, requires_grad=True) for a in (x0, gamma0, beta0))
    y = torch.nn.functional.batch_norm(x, None, None, w, b, training=True, eps=EPS)
    y.backward(torch.tensor(g))
    np.testing.assert_allclose(r.numbers["dx_fused_first"], x.grad.numpy()[0, :, 0, 0], atol=2e-6)
    np.testing.assert_allclose(r.numbers["dgamma"], w.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.numbers["dbeta"], g.sum(axis=(0, 2, 3)), rtol=1e-10)  # ∂L/∂β = Σ g
    assert r.numbers["err_dx"] < 1e-10 and r.numbers["err_forward"] < 1e-10 and r.numbers["err_layer"] < 1e-10
    # step 3 by hand: var(x̂) = σ²/(σ²+ε) with σ² the biased batch variance of channel 0
    var0 = x0[:, 0].var()
    assert np.isclose(r.numbers["var_c0"], var0, rtol=1e-12)
    assert np.isclose(r.numbers["xhat_var_c0"], var0 / (var0 + EPS), rtol=1e-12)
    # γ = σ (no ε) misses the input by about x̂·(σ − √(σ²+ε)): at most max|x − μ|·ε/(2σ²) per channel
    bound = max(np.abs(x0[:, c] - x0[:, c].mean()).max() * EPS / (2 * x0[:, c].var()) for c in range(3))
    assert 0.5 * bound < r.numbers["identity_err_gamma_sigma"] < 1.01 * bound
    assert r.numbers["identity_err"] < 1e-10
    assert np.isclose(r.numbers["skew_in"], skew(x0[:, 2].ravel()), rtol=1e-10)
    assert np.isclose(r.numbers["skew_out"], r.numbers["skew_in"], rtol=1e-8)  # skewness is affine-invariant
    assert r.verdicts == {"fused-equals-composed": "confirmed", "identity-recoverable": "confirmed",
                          "output-is-standard-normal": "corrected"}
