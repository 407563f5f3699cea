"""transposed-conv against a matrix built by pushing the identity through torch's conv2d, and torch's
conv_transpose2d and autograd."""
import numpy as np
import torch
import torch.nn.functional as TF

from gradbook import handbook
from gradbook.handbook.entries.transposed_conv import KERNEL


def _torch_matrix(weight, hw, **opts):
    """Column k of C is the convolution of the k-th basis image."""
    basis = torch.eye(hw[0] * hw[1], dtype=torch.float64).reshape(-1, 1, *hw)
    return TF.conv2d(basis, torch.tensor(weight), **opts).reshape(hw[0] * hw[1], -1).T.numpy()


def test_transposed_conv_numbers_against_torch():
    r = handbook.run("transposed-conv", quick=True)
    c = _torch_matrix(KERNEL, (4, 4))
    assert (r.numbers["c_rows"], r.numbers["c_cols"]) == c.shape == (4, 16)
    assert r.numbers["c_nonzeros"] == np.count_nonzero(c) == 36
    assert r.numbers["c_rank"] == np.linalg.matrix_rank(c) == 4
    assert r.numbers["lost_directions"] == 12
    assert np.isclose(r.numbers["c32_nonzero_share"], 9 / 1024)  # 9 weights per row of 32·32 columns
    assert r.numbers["strided_c_shape"] == "9 x 25"
    up = TF.conv_transpose2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 3, 3), stride=2, padding=1)
    assert r.numbers["strided_up_side"] == up.shape[-1] == 5
    for name in ("err_conv_is_cx", "err_transposed_is_ctg", "err_conv_grad_is_ctg", "err_transposed_grad_is_cg",
                 "err_strided_is_ctg"):
        assert r.numbers[name] < 1e-12, name
    # the round trip, recomputed on the entry's input (the first draw of its seed-0 generator)
    x = np.random.default_rng(0).standard_normal(16)
    back = c.T @ c @ x
    best = np.linalg.norm(back * (back @ x) / (back @ back) - x) / np.linalg.norm(x)
    assert np.isclose(r.numbers["roundtrip_relative_error"], best)
    assert np.isclose(r.numbers["best_linear_relative_error"], np.linalg.norm(np.linalg.pinv(c) @ c @ x - x) / np.linalg.norm(x))
    assert r.verdicts == {"conv-is-sparse-matrix": "confirmed", "transposed-conv-is-ct": "confirmed",
                          "conv-backward-is-ct": "confirmed", "deconv-inverts-conv": "corrected"}
