import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.norm_family import feature_map


def test_norm_family_axes_match_torch_and_small_batch_verdict():
    r = handbook.run("norm-family", quick=True)
    x = torch.tensor(feature_map())
    tf = torch.nn.functional
    bn = tf.batch_norm(x, None, None, training=True)
    ln = tf.layer_norm(x, x.shape[1:])
    # the statistics the entry reports, recomputed on PyTorch's outputs
    assert np.isclose(r.numbers["BatchNorm_per_sample_mean"], bn.mean(dim=(1, 2, 3)).abs().max().item(), rtol=1e-9)
    assert np.isclose(r.numbers["LayerNorm_per_channel_mean"], ln.mean(dim=(0, 2, 3)).abs().max().item(), rtol=1e-9)
    assert np.isclose(r.numbers["LayerNorm_own_var"],
                      (ln.var(dim=(1, 2, 3), unbiased=False) - 1).abs().max().item(), rtol=1e-6)
    gn = tf.group_norm(x, 3)
    assert np.isclose(r.numbers["GroupNorm_own_var"],
                      (gn.reshape(4, 3, -1).var(dim=2, unbiased=False) - 1).abs().max().item(), rtol=1e-6)
    inn = tf.instance_norm(x)
    assert np.isclose(r.numbers["InstanceNorm_own_var"],
                      (inn.var(dim=(2, 3), unbiased=False) - 1).abs().max().item(), rtol=1e-6)
    assert r.numbers["gn1_vs_ln"] < 1e-12 and r.numbers["gnc_vs_in"] < 1e-12
    # two samples a, b: x̂ = ±(b − a)/2 / √(((b − a)/2)² + ε), by hand for the first feature (0.3, 0.7)
    d = 0.2
    assert np.isclose(r.numbers["bn_two_samples"][1][0], round(d / np.sqrt(d * d + 1e-5), 4))
    assert r.numbers["bn_two_samples"][0][0] == -r.numbers["bn_two_samples"][1][0]
    assert r.numbers["acc_BatchNorm_b2"] < r.numbers["acc_BatchNorm_b32"] - 0.05
    assert r.verdicts == {"axes": "confirmed", "gn-special-cases": "confirmed", "bn-small-batch": "confirmed"}
