"""dnn-cnn-rnn against torch: layer parameter counts, the convolution's matrix built column by column
from torch's conv2d on basis images, the unrolled RNN against torch.nn.RNN, and equivariance in torch."""
import numpy as np
import torch

from gradbook import backend, handbook
from gradbook.autograd import Tensor
from gradbook.nn import RNN
from gradbook.handbook.entries import dnn_cnn_rnn as e


def _n(module):
    return sum(p.numel() for p in module.parameters())


def test_dnn_cnn_rnn_against_torch():
    r = handbook.run("dnn-cnn-rnn", quick=True)
    n = r.numbers
    for side in e.SIDES:
        assert n[f"dnn_params_{side}"] == side ** 4 + side ** 2
        assert n[f"cnn_params_{side}"] == _n(torch.nn.Conv2d(1, 1, 3, padding=1)) == 10
    assert n["dnn_params_8"] == _n(torch.nn.Linear(64, 64))
    for length in e.LENGTHS:
        assert n[f"dnn_seq_params_{length}"] == (length * e.FEATURES) * (length * e.HIDDEN) + length * e.HIDDEN
        assert n[f"rnn_params_{length}"] == _n(torch.nn.RNN(e.FEATURES, e.HIDDEN)) == 416

    # the conv's matrix, column j = torch's conv2d of the j-th basis image
    backend.manual_seed(0)
    conv, dense = e.conv_as_dense(8)
    w = torch.tensor(conv.weight.data)
    basis = torch.eye(64).reshape(64, 1, 8, 8)
    C = torch.nn.functional.conv2d(basis, w, padding=1).reshape(64, 64).T.numpy()
    assert np.allclose(dense.weight.data, C, atol=1e-7)
    nonzero = np.count_nonzero(C)
    assert n["matrix_nonzero"] == nonzero == 22 * 22  # per axis: 6 rows read 3 taps, the 2 border rows 2
    assert n["matrix_entries"] == 64 * 64 and n["matrix_distinct"] == 9

    # the entry's unrolled RNN equals torch's RNN with the same weights
    backend.manual_seed(1)
    ours = RNN(e.FEATURES, e.HIDDEN)
    theirs = torch.nn.RNN(e.FEATURES, e.HIDDEN)
    with torch.no_grad():
        for name, p in ours.named_parameters():
            getattr(theirs, name).copy_(torch.tensor(p.data))
    seq = np.random.default_rng(2).standard_normal((12, 3, e.FEATURES)).astype(np.float32)
    unrolled = e.unrolled_rnn(ours, Tensor(seq)).data
    rnn_err = np.abs(unrolled - theirs(torch.tensor(seq))[0].detach().numpy()).max()
    assert rnn_err < 1e-5 and n["rnn_vs_unrolled_err"] < 1e-5
    assert n["unrolled_dnn_params"] == n["rnn_steps"] * 416

    # translation equivariance in torch: the conv commutes with a shift away from the border, a dense layer does not
    z = np.zeros((2, 1, 8, 8), np.float32)
    z[..., 2:6, 1:5] = np.random.default_rng(3).standard_normal((2, 1, 4, 4))
    shifted = e.shift_right(z)
    conv_err = np.abs(e.shift_right(torch.nn.functional.conv2d(torch.tensor(z), w, padding=1).numpy())[..., 1:]
                      - torch.nn.functional.conv2d(torch.tensor(shifted), w, padding=1).numpy()[..., 1:]).max()
    lin = torch.nn.Linear(64, 64, bias=False)
    with torch.no_grad():
        a = e.shift_right(lin(torch.tensor(z.reshape(2, -1))).numpy().reshape(z.shape))
        b = lin(torch.tensor(shifted.reshape(2, -1))).numpy().reshape(z.shape)
    dense_rel = np.abs(a[..., 1:] - b[..., 1:]).max() / np.abs(b).max()
    assert n["conv_equivariance_err"] < 1e-5
    assert r.verdicts == {
        "cnn-is-constrained-dnn": "confirmed" if nonzero < 64 * 64 / 4 and len(np.unique(C[C != 0])) == 9
        else "corrected",
        "rnn-is-deep-tied-dnn": "confirmed" if rnn_err < 1e-5 else "corrected",
        "sharing-fixes-param-count": "confirmed",   # the counts above: constant for conv / RNN, growing for Linear
        "equivariance": "confirmed" if conv_err < 1e-5 and dense_rel > 0.1 else "corrected",
    }
    assert [f.name for f in r.figures] == ["dnn_cnn_rnn"]
