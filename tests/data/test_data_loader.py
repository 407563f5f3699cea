"""DataLoader: order, batching, reproducibility, collation, the prefetch thread's life cycle."""
from __future__ import annotations

import gc
import threading
import time
from collections import namedtuple

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook.data import DataLoader, Subset, TensorDataset, default_collate, transforms


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gradbook-DataLoader"]


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    yield
    gc.collect()
    deadline = time.monotonic() + 2
    while _workers() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _workers(), "a DataLoader thread outlived its test"


class ListDataset:
    """Samples one by one (no get_batch): the loader must collate them itself."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])

    def __len__(self):
        return len(self.x)


def _data(n=23):
    x = np.random.default_rng(0).standard_normal((n, 1, 3, 3)).astype(np.float32)
    return x, np.arange(n) % 4


@pytest.mark.parametrize("prefetch", [0, 1, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_order_sizes_len_and_dtypes(prefetch, drop_last):
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=5, drop_last=drop_last, prefetch=prefetch)
    batches = list(loader)
    sizes = [5, 5, 5, 5] + ([] if drop_last else [3])
    assert [len(b[0]) for b in batches] == sizes and len(loader) == len(sizes)
    xb = np.concatenate([b[0].data for b in batches])
    np.testing.assert_array_equal(xb, x[:sum(sizes)])  # no shuffle: dataset order
    for bx, by in batches:
        assert isinstance(bx, gb.Tensor) and bx.dtype == np.float32 and by.dtype == np.int64
        assert bx.data.flags.c_contiguous and not bx.requires_grad


def test_batches_match_torch_dataloader_without_shuffle():
    x, y = _data()
    ours = list(DataLoader(TensorDataset(x, y), batch_size=4))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                              batch_size=4))
    assert len(ours) == len(theirs)
    for (ox, oy), (tx, ty) in zip(ours, theirs):
        np.testing.assert_array_equal(ox.data, tx.numpy())
        np.testing.assert_array_equal(oy.data, ty.numpy())


def test_fast_and_sample_by_sample_paths_agree():
    x, y = _data()
    fast = list(DataLoader(TensorDataset(x, y), batch_size=6, shuffle=True, seed=3))
    slow = list(DataLoader(ListDataset(x, y), batch_size=6, shuffle=True, seed=3))
    for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(fx.data, sx.data)
        np.testing.assert_array_equal(fy.data, sy.data)
        assert sx.dtype == np.float32 and sy.dtype == np.int64


def test_shuffle_is_a_permutation_reproducible_from_seed_and_new_each_epoch():
    x, y = _data(40)
    ds = TensorDataset(np.arange(40), y)
    loader = DataLoader(ds, batch_size=8, shuffle=True, seed=7)
    e1 = np.concatenate([b[0].data for b in loader])
    e2 = np.concatenate([b[0].data for b in loader])
    assert sorted(e1) == list(range(40)) and not np.array_equal(e1, np.arange(40))
    assert not np.array_equal(e1, e2)  # a new order each pass
    again = DataLoader(ds, batch_size=8, shuffle=True, seed=7)
    np.testing.assert_array_equal(np.concatenate([b[0].data for b in again]), e1)
    np.testing.assert_array_equal(np.concatenate([b[0].data for b in again]), e2)


def test_shuffle_without_seed_follows_manual_seed():
    ds = TensorDataset(np.arange(30))
    loader = DataLoader(ds, batch_size=30, shuffle=True)
    gb.manual_seed(11)
    a = next(iter(loader))[0].data
    gb.manual_seed(11)
    b = next(iter(loader))[0].data
    gb.manual_seed(12)
    c = next(iter(loader))[0].data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_plain_pass_leaves_the_library_generator_alone():
    gb.manual_seed(3)
    list(DataLoader(TensorDataset(np.arange(10)), batch_size=3))
    after = gb.backend.rng().random()
    gb.manual_seed(3)
    assert gb.backend.rng().random() == after


def test_default_collate_fields_and_dtypes():
    Pair = namedtuple("Pair", "image label")
    samples = [Pair(np.full((2,), i, np.float64), i) for i in range(3)]
    batch = default_collate(samples)
    assert isinstance(batch, Pair)
    assert batch.image.dtype == np.float64 and batch.image.shape == (3, 2)  # float arrays keep their dtype
    assert batch.label.dtype == np.int64
    np.testing.assert_array_equal(batch.label.data, [0, 1, 2])
    d = default_collate([{"x": 0.5, "name": "a", "ok": True}, {"x": 1.5, "name": "b", "ok": False}])
    assert d["x"].dtype == np.float32 and d["name"] == ["a", "b"] and d["ok"].dtype == bool
    t = default_collate([(gb.tensor([1.0, 2.0]), np.uint8(3)), (gb.tensor([3.0, 4.0]), np.uint8(4))])
    np.testing.assert_array_equal(t[0].data, [[1, 2], [3, 4]])
    assert t[1].dtype == np.int64
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="cannot batch"):
        default_collate([object(), object()])


def test_custom_collate_fn_gets_the_samples():
    x, y = _data(10)
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return "batch of %d" % len(samples)

    out = list(DataLoader(TensorDataset(x, y), batch_size=4, collate_fn=collate))
    assert out == ["batch of 4", "batch of 4", "batch of 2"] and seen == [4, 4, 2]


def test_getitems_is_used_when_present():
    calls = []

    class Batched(ListDataset):
        def __getitems__(self, idx):
            calls.append(list(idx))
            return [self[i] for i in idx]

    x, y = _data(6)
    list(DataLoader(Batched(x, y), batch_size=4))
    assert calls == [[0, 1, 2, 3], [4, 5]]


def test_early_break_close_and_collection_stop_the_thread():
    x, y = _data(200)
    loader = DataLoader(TensorDataset(x, y), batch_size=2, prefetch=2)
    for i, _ in enumerate(loader):
        if i == 3:
            break
    assert not _workers()  # dropped by the for loop: shut down at once, no gc needed
    it = iter(loader)
    next(it)
    it.close()
    assert not _workers()
    it = iter(loader)
    next(it)
    del it
    assert not _workers()


def test_worker_exception_is_reraised_in_the_consumer():
    class Broken(ListDataset):
        def __getitem__(self, i):
            if i == 7:
                raise KeyError("sample 7 is broken")
            return super().__getitem__(i)

    x, y = _data(12)
    got = []
    with pytest.raises(KeyError, match="sample 7"):
        for bx, _ in DataLoader(Broken(x, y), batch_size=3, prefetch=2):
            got.append(len(bx))
    assert got == [3, 3]  # the batches before the broken one arrived


@pytest.mark.parametrize("prefetch", [0, 1, 2])
def test_the_thread_reads_ahead_while_the_consumer_holds_a_batch(prefetch):
    reads = []
    cond = threading.Condition()

    class Counting(ListDataset):
        def __getitem__(self, i):
            with cond:
                reads.append(i)
                cond.notify_all()
            return super().__getitem__(i)

    x, y = _data(20)
    it = iter(DataLoader(Counting(x, y), batch_size=2, prefetch=prefetch))
    next(it)  # the consumer now "trains" on batch 0 and asks for nothing more
    # the worker fills the queue (prefetch batches) and prepares one more that waits to be put
    expected = 2 * (1 + prefetch + (1 if prefetch else 0))
    with cond:
        cond.wait_for(lambda: len(reads) >= expected, timeout=5)
    time.sleep(0.05)  # would it read further? it must not: the queue is bounded
    assert len(reads) == expected
    it.close()


def test_transform_is_applied_reproducibly_to_inputs_only():
    x, y = _data(16)
    aug = transforms.Compose([transforms.RandomShift(1), transforms.GaussianNoise(0.1)])

    def run(seed):
        return [(b[0].data.copy(), b[1].data.copy()) for b in
                DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, seed=seed, transform=aug)]

    a, b, c = run(1), run(1), run(2)
    for (ax, ay), (bx, by) in zip(a, b):
        np.testing.assert_array_equal(ax, bx)
        np.testing.assert_array_equal(ay, by)
    assert not np.array_equal(a[0][0], c[0][0])
    assert a[0][0].dtype == np.float32 and a[0][1].dtype == np.int64


def test_bad_arguments():
    ds = TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="prefetch"):
        DataLoader(ds, prefetch=-1)
    with pytest.raises(ValueError, match="__len__"):
        DataLoader(object())


def test_subset_of_tensor_dataset_uses_the_batched_path():
    x, y = _data(20)
    sub = Subset(TensorDataset(x, y), np.arange(19, -1, -2))
    (bx, by), = list(DataLoader(sub, batch_size=10))
    np.testing.assert_array_equal(bx.data, x[19::-2])


def test_get_batch_returning_one_array_is_one_field():
    class Images:
        def __init__(self):
            self.x = np.arange(12, dtype=np.float32).reshape(6, 2)

        def __getitem__(self, i):
            return self.x[i]

        def __len__(self):
            return 6

        def get_batch(self, idx):
            return self.x[idx]

    batches = list(DataLoader(Images(), batch_size=4))
    assert isinstance(batches[0], gb.Tensor) and batches[0].shape == (4, 2) and batches[1].shape == (2, 2)
