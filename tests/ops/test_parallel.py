"""Splitting a batch over threads (ops._parallel): the pieces cover the batch in order, results come
back in order whatever the thread timing, the BLAS thread count is restored, a nested split runs in
order on its own thread, a forked child starts helpers of its own, and a split conv2d equals PyTorch's."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradbook as gb
from gradbook.nn import functional as F
from gradbook.ops import _parallel
from gradbook.ops.conv import columns, depthwise, depthwise_polyphase, depthwise_same, winograd
from parity.harness import assert_matches_torch


@pytest.fixture
def two_workers(monkeypatch):
    """Two workers and tiny pieces, whatever this machine has."""
    monkeypatch.setitem(_parallel._state, "workers", 2)
    monkeypatch.setattr(_parallel, "MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 1)
    monkeypatch.setattr(columns, "CONV_PIECE_BYTES", 1)
    monkeypatch.setattr(columns, "SAMPLE_MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(winograd, "WINOGRAD_PIECE_BYTES", 1)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64])
def test_pieces_cover_the_batch_in_order(two_workers, n):
    cut = _parallel.pieces(n, 1000)
    assert cut[0][0] == 0 and cut[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(cut, cut[1:]))
    assert all(stop > start for start, stop in cut)
    assert len(cut) == (1 if n == 1 else n)  # PIECE_BYTES=1: one sample per piece


def test_pieces_size(monkeypatch):
    monkeypatch.setitem(_parallel._state, "workers", 2)
    small = _parallel.MIN_SPLIT_BYTES // 64
    assert _parallel.pieces(64, small - 1) == [(0, 64)]
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 16 << 20)
    cut = _parallel.pieces(64, 75 << 20 >> 6)  # 75 MiB in all, pieces of at most 16 MiB: 6 of 12.5 MiB
    assert len(cut) == 6 and max(b - a for a, b in cut) * (75 << 20 >> 6) <= _parallel.PIECE_BYTES
    assert _parallel.pieces(64, 1 << 10, min_bytes=1 << 16) == [(0, 32), (32, 64)]
    monkeypatch.setitem(_parallel._state, "workers", 1)
    assert _parallel.pieces(64, 75 << 20 >> 6) == [(0, 64)]


def test_map_pieces_keeps_order_and_uses_threads(two_workers):
    names = set()

    def slow_first(start, stop):
        names.add(threading.current_thread().name)
        time.sleep(0.05 if start == 0 else 0.0)  # the first piece finishes last
        return start

    assert _parallel.map_pieces(slow_first, [(0, 1), (1, 2), (2, 3), (3, 4)]) == [0, 1, 2, 3]
    # the calling thread takes pieces too, beside one helper
    assert len(names) == 2 and threading.current_thread().name in names
    assert any(name.startswith("gradbook-piece") for name in names)


@pytest.mark.parametrize("failing", [0, 3])
def test_an_error_in_any_piece_reaches_the_caller_and_the_next_split_still_runs(two_workers, failing):
    def piece(start, stop):
        if start == failing:
            raise ValueError(f"piece {start}")
        return start

    with pytest.raises(ValueError, match=f"piece {failing}"):
        _parallel.map_pieces(piece, [(0, 1), (1, 2), (2, 3), (3, 4)])
    assert _parallel.map_pieces(lambda a, b: a, [(0, 1), (1, 2)]) == [0, 1]


def test_map_pieces_restores_blas_threads(two_workers):
    ctl = _parallel._controller()
    if ctl is None or not ctl.select(user_api="blas").lib_controllers:
        pytest.skip("no BLAS that threadpoolctl drives")
    before = [lib.num_threads for lib in ctl.select(user_api="blas").lib_controllers]
    inside = _parallel.map_pieces(lambda a, b: [lib.get_num_threads() for lib in
                                                ctl.select(user_api="blas").lib_controllers], [(0, 1), (1, 2)])
    assert inside == [[1] * len(before)] * 2
    assert [lib.get_num_threads() for lib in ctl.select(user_api="blas").lib_controllers] == before


def test_nested_split_runs_in_order_on_its_thread(two_workers):
    def outer(start, stop):
        me = threading.current_thread().name
        inner = _parallel.map_pieces(lambda a, b: threading.current_thread().name, [(0, 1), (1, 2)])
        return inner == [me, me]

    assert _parallel.map_pieces(outer, [(0, 1), (1, 2)]) == [True, True]


@pytest.fixture(params=[True, False], ids=["shifts", "im2col"])
def layout(request, monkeypatch):
    """Same-size stride-1 convs by shifted flat maps (the default) or by im2col."""
    if not request.param:
        monkeypatch.setattr(columns, "choose_layout", lambda *args: "channel")


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 1, 1, 1), (1, "same", 2, 2), (2, 1, 1, 1), (1, 0, 1, 4)])
def test_split_conv2d_matches_torch(two_workers, layout, dtype, tol, stride, padding, dilation, groups):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 4, 9, 8)).astype(dtype)
    w = rng.standard_normal((8, 4 // groups, 3, 3)).astype(dtype)
    b = rng.standard_normal(8).astype(dtype)
    opts = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert len(_parallel.pieces(5, 1)) == 5
    assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), [x, w, b],
                         atol=tol, rtol=tol)


@pytest.mark.parametrize("stride", [1, 2])
def test_split_conv2d_gradcheck(two_workers, layout, stride):
    import gradbook as gb

    rng = np.random.default_rng(8)
    x, w, b = (gb.tensor(rng.standard_normal(s), dtype="float64", requires_grad=True)
               for s in [(3, 4, 5, 6), (6, 2, 3, 3), (6,)])
    assert gb.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, 1, 1, 2), [x, w, b])


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("bias", [True, False])
def test_split_winograd_conv2d_matches_torch(two_workers, monkeypatch, dtype, tol, bias):
    from gradbook.ops.conv import columns

    rng = np.random.default_rng(9)
    inputs = [rng.standard_normal((5, 3, 6, 4)).astype(dtype), rng.standard_normal((4, 3, 3, 3)).astype(dtype)]
    if bias:
        inputs.append(rng.standard_normal(4).astype(dtype))
    per_sample = 4 * 3 * 6 * 4 * np.dtype(dtype).itemsize  # Winograd's V of one sample
    monkeypatch.setattr(columns, "SAMPLE_MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(winograd, "WINOGRAD_PIECE_BYTES", per_sample)
    assert len(columns.cache_pieces(5, per_sample, winograd.WINOGRAD_PIECE_BYTES)) == 5  # one sample a piece
    assert_matches_torch(lambda x, w, b=None: winograd.WinogradConv2d.apply(x, w, b),
                         lambda *a: TF.conv2d(*a, padding=1), inputs, atol=tol, rtol=tol)


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(4, 5, 3, 6), (6, 7)])
def test_split_batch_norm_matches_torch(two_workers, monkeypatch, affine, shape):
    """Training-mode batch norm worked on in pieces of samples (one each): output, every gradient
    and the running statistics equal PyTorch's."""
    from gradbook.ops import norm

    monkeypatch.setattr(norm, "BN_MIN_SPLIT_BYTES", 0)
    assert len(norm._sample_pieces(np.zeros(shape))) == shape[0]
    rng = np.random.default_rng(9)
    x = rng.standard_normal(shape)
    params = [rng.standard_normal(shape[1]), rng.standard_normal(shape[1])] if affine else []
    stats = {lib: (np.zeros(shape[1]), np.ones(shape[1])) for lib in ("gb", "torch")}

    def ours(x, *p):
        return F.batch_norm(x, *stats["gb"], *(p or (None, None)), training=True, momentum=0.3)

    def twin(x, *p):
        mean, var = (torch.from_numpy(a) for a in stats["torch"])
        return TF.batch_norm(x, mean, var, *(p or (None, None)), training=True, momentum=0.3)

    assert_matches_torch(ours, twin, [x, *params], atol=1e-10, rtol=1e-9)
    assert np.abs(stats["gb"][0]).max() > 0.01  # the running mean moved
    for a, b in zip(stats["gb"], stats["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("padding,dilation,multiplier", [(1, 1, 1), ("same", 2, 2), (0, (1, 2), 3)])
def test_split_depthwise_conv2d_matches_torch(two_workers, monkeypatch, dtype, tol, padding, dilation, multiplier):
    monkeypatch.setattr(depthwise, "_DEPTHWISE_PIECE", 1)
    monkeypatch.setattr(depthwise_same, "_PIECE", 1)
    calls = []
    for path in (depthwise.DepthwiseConv2d, depthwise_same.SameDepthwiseConv2d):  # 'same' sizes take the second
        monkeypatch.setattr(path, "apply", classmethod(
            lambda cls, *a, **k: calls.append(1) or depthwise.Function.apply.__func__(cls, *a, **k)))
    rng = np.random.default_rng(10)
    x = rng.standard_normal((5, 3, 9, 8)).astype(dtype)  # over 64 pixels: not the dense path
    w = rng.standard_normal((3 * multiplier, 1, 3, 2)).astype(dtype)
    b = rng.standard_normal(3 * multiplier).astype(dtype)
    opts = dict(padding=padding, dilation=dilation, groups=3)
    assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), [x, w, b],
                         atol=tol, rtol=tol)
    assert calls  # the depthwise path ran


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("multiplier, hw", [(1, (9, 8)), (2, (10, 7))])  # over 64 pixels
def test_split_polyphase_depthwise_conv2d_matches_torch(two_workers, monkeypatch, dtype, tol, multiplier, hw):
    """MobileNet's downsampling depthwise conv (3x3, stride 2, padding 1) in pieces of one sample."""
    monkeypatch.setattr(depthwise_polyphase, "_PIECE", 1)
    monkeypatch.setattr(depthwise_polyphase, "_SPLIT", 0)
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 3, *hw)).astype(dtype)
    w = rng.standard_normal((3 * multiplier, 1, 3, 3)).astype(dtype)
    b = rng.standard_normal(3 * multiplier).astype(dtype)
    opts = dict(stride=2, padding=1, groups=3)
    y = F.conv2d(*(gb.tensor(a, requires_grad=True) for a in (x, w, b)), **opts)
    assert isinstance(y.grad_fn, depthwise_polyphase.PolyphaseDepthwiseConv2d)
    assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), [x, w, b],
                         atol=tol, rtol=tol)


@pytest.mark.parametrize("op", ["relu", "relu6", "max_pool2d", "max_pool2d_overlapping"])
def test_split_elementwise_and_pooling_match_torch(two_workers, monkeypatch, op):
    """ReLU and relu6 (flat pieces) and max pooling (pieces of samples) split over threads equal PyTorch."""
    monkeypatch.setattr(_parallel, "ELEMENTWISE_MIN_BYTES", 0)
    from gradbook.ops import pool

    monkeypatch.setattr(pool, "POOL_MIN_SPLIT_BYTES", 0)
    assert len(_parallel.pieces(5, 8, min_bytes=0)) == 5
    x = np.random.default_rng(11).standard_normal((5, 3, 7, 6)) * 4  # some beyond relu6's 6
    ours, twin = {
        "relu": (F.relu, TF.relu),
        "relu6": (F.relu6, TF.relu6),
        "max_pool2d": (lambda a: F.max_pool2d(a, 2), lambda a: TF.max_pool2d(a, 2)),
        "max_pool2d_overlapping": (lambda a: F.max_pool2d(a, 3, stride=2, padding=1, ceil_mode=True),
                                   lambda a: TF.max_pool2d(a, 3, stride=2, padding=1, ceil_mode=True)),
    }[op]
    assert_matches_torch(ours, twin, [x], atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("name,opts", [
    ("SGD", dict(lr=0.1, momentum=0.9)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)), ("AdamW", dict(lr=0.01, amsgrad=True))])
def test_split_optimizer_steps_match_torch(two_workers, monkeypatch, name, opts):
    """Optimizers update a large parameter in flat pieces over threads: the trajectory equals
    PyTorch's step by step."""
    import gradbook as gb
    from gradbook import optim

    monkeypatch.setattr(_parallel, "ELEMENTWISE_MIN_BYTES", 0)
    rng = np.random.default_rng(12)
    start = rng.standard_normal((5, 7))
    ours = gb.tensor(start.copy(), requires_grad=True)
    twin = torch.tensor(start.copy(), requires_grad=True)
    opt, topt = getattr(optim, name)([ours], **opts), getattr(torch.optim, name)([twin], **opts)
    for _ in range(3):
        g = rng.standard_normal((5, 7))
        ours.grad, twin.grad = gb.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        np.testing.assert_allclose(ours.numpy(), twin.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_splits_on_helpers_of_its_own(two_workers):
    """The parent's helper threads do not exist in a forked child (a DataLoader worker): the child's
    first split starts its own instead of waiting forever on theirs."""
    assert _parallel.map_pieces(lambda a, b: a, [(0, 1), (1, 2)]) == [0, 1]  # the parent's helpers run
    pid = os.fork()
    if pid == 0:  # the child: exit 0 if the split ran on two threads, killed by the alarm if it hangs
        signal.alarm(10)
        both_started = threading.Barrier(2, timeout=5)  # each piece waits for the other: two threads
        names = _parallel.map_pieces(lambda a, b: (both_started.wait(), threading.current_thread().name)[1],
                                     [(0, 1), (1, 2)])
        os._exit(0 if len(set(names)) == 2 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
