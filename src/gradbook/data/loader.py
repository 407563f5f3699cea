"""``DataLoader``: the classic input pipeline, index list → queue → read → preprocess → batch.

At the start of each pass (in the caller's thread) the loader fixes the epoch's order and random
generator; a background thread then reads, collates and transforms the next ``prefetch`` batches
into a bounded queue while the model trains on the current one. NumPy releases the GIL in its
copies and arithmetic, so reading and augmenting overlap with the training step.

Batches are built in one step: a dataset with ``get_batch(indices)`` (``TensorDataset``,
``Subset`` of one) returns the whole batch with one fancy index per field; other datasets give a
list of samples that ``default_collate`` stacks field by field. Batches are gradbook Tensors:
float fields keep their dtype, integer fields (labels) become int64.

The thread never outlives its pass: it stops and is joined when the pass ends, when the iterator
is closed or garbage-collected (a ``break`` out of the ``for`` loop), and an exception raised while
preparing a batch is re-raised in the caller's thread.
"""
from __future__ import annotations

import math
import queue
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from .dataset import Dataset
from .transforms import Transform

_END = object()  # the worker's "no more batches"


class _Failure:
    """An exception raised in the worker, carried to the consumer."""

    def __init__(self, exc: BaseException):
        self.exc = exc


def _collate_arrays(samples: list) -> Any:
    """Stack a list of samples field by field into arrays (one ``np.stack`` per field)."""
    first = samples[0]
    if isinstance(first, Tensor):
        return np.stack([s.data for s in samples])
    if isinstance(first, np.ndarray):
        return np.stack(samples)
    if isinstance(first, (bool, np.bool_)):
        return np.array(samples, dtype=bool)
    if isinstance(first, (int, np.integer)):
        return np.array(samples, dtype=np.int64)
    if isinstance(first, np.floating):
        return np.array(samples, dtype=first.dtype)
    if isinstance(first, float):
        return np.array(samples, dtype=backend.get_default_dtype())
    if isinstance(first, (str, bytes)):
        return list(samples)
    if isinstance(first, Mapping):
        return {k: _collate_arrays([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError(f"default_collate: samples have different numbers of fields "
                             f"({sorted({len(s) for s in samples})}); each sample must have the same")
        fields = [_collate_arrays(list(f)) for f in zip(*samples)]
        return type(first)(*fields) if hasattr(first, "_fields") else fields  # namedtuples keep their type
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}; expected "
                    "Tensors, arrays, numbers, strings, or dicts/tuples/lists of them")


def _to_tensors(batch: Any) -> Any:
    """Arrays → Tensors without copying (integer arrays become int64)."""
    if isinstance(batch, np.ndarray):
        if batch.dtype.kind in "iu":
            batch = batch.astype(np.int64, copy=False)
        return Tensor._wrap(np.ascontiguousarray(batch))
    if isinstance(batch, dict):
        return {k: _to_tensors(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(_to_tensors(v) for v in batch))
    if isinstance(batch, (list, tuple)):
        return [_to_tensors(v) for v in batch]
    return batch


def default_collate(samples: list) -> Any:
    """A list of samples → one batch: tuples of arrays/numbers become lists of stacked Tensors."""
    if not samples:
        raise ValueError("default_collate: got an empty list of samples")
    return _to_tensors(_collate_arrays(samples))


def _transform_inputs(batch: Any, transform: Callable, generator: np.random.Generator) -> Any:
    """Apply ``transform`` to a batch's inputs: the first field of a list/tuple, else the batch."""
    call = (lambda x: transform(x, generator)) if isinstance(transform, Transform) else transform
    if isinstance(batch, (list, tuple)) and not hasattr(batch, "_fields"):
        return [call(batch[0]), *batch[1:]]
    return call(batch)


class DataLoader:
    """Iterate over ``dataset`` in batches (PyTorch's ``torch.utils.data.DataLoader``).

    Parameters
    ----------
    dataset : Dataset (``__getitem__``/``__len__``, optionally ``get_batch``)
    batch_size : samples per batch
    shuffle : a new random order each pass
    drop_last : drop the last batch when it is smaller than ``batch_size``
    collate_fn : list of samples → batch (default: ``default_collate``); when given, the loader
        reads samples one by one (or through ``dataset.__getitems__``) and hands the list to it
    prefetch : batches prepared ahead by the background thread; 0 prepares them in the caller's
        thread
    seed : the loader's own random stream (each pass draws from it, so passes differ but a run is
        reproducible); None draws each pass's order from ``gradbook.backend.rng()`` when the pass
        starts, so ``gb.manual_seed`` fixes it
    transform : batch transform applied (in the background thread) to the batch's first field,
        e.g. ``transforms.Compose([...])``; random transforms get the pass's generator
    sampler : an iterable of dataset indices giving each pass's order, e.g.
        ``data.WeightedRandomSampler`` / ``data.ImbalancedSampler`` (torch's ``sampler=``); it is
        iterated once per pass, in the caller's thread; not together with ``shuffle``
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn: Callable[[list], Any] | None = None, prefetch: int = 2, seed: int | None = None,
                 *, transform: Callable | None = None, sampler: Iterable[int] | None = None):
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(prefetch, (int, np.integer)) or isinstance(prefetch, bool) or prefetch < 0:
            raise ValueError(f"DataLoader: prefetch must be a non-negative int, got {prefetch!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise ValueError(f"DataLoader: dataset must define __len__ and __getitem__, got {type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle (the sampler sets order)")
        if sampler is not None and not hasattr(sampler, "__iter__"):
            raise TypeError(f"DataLoader: sampler must be an iterable of indices, got {type(sampler).__name__}")
        self.dataset = dataset
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.prefetch = int(prefetch)
        self.seed = seed
        self.transform = transform
        self._generator = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _epoch_plan(self) -> tuple[np.ndarray, np.random.Generator | None]:
        """The pass's sample order and transform generator, drawn now, in the caller's thread."""
        n = len(self.dataset)
        order = np.arange(n) if self.sampler is None else self._sampled_order(n)
        if not (self.shuffle or self.transform is not None):
            return order, None  # a plain pass leaves every random stream untouched
        source = self._generator if self._generator is not None else backend.rng()
        epoch = np.random.default_rng(source.integers(0, 2**63 - 1))
        return (epoch.permutation(n) if self.shuffle else order), epoch

    def _sampled_order(self, n: int) -> np.ndarray:
        """One pass of the sampler's indices, checked against the dataset's length."""
        order = np.fromiter(iter(self.sampler), dtype=np.int64)
        if order.size and (order.min() < 0 or order.max() >= n):
            bad = int(order.min() if order.min() < 0 else order.max())
            raise IndexError(f"DataLoader: sampler yielded index {bad}, outside the dataset of length {n}")
        return order

    def _batches(self, order: np.ndarray, generator: np.random.Generator | None) -> Iterator:
        """Read, collate and transform each batch of ``order`` (runs in the worker thread)."""
        ds, bs = self.dataset, self.batch_size
        stop = len(order) - len(order) % bs if self.drop_last else len(order)
        fast = self.collate_fn is None and hasattr(ds, "get_batch")
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if fast:
                fields = ds.get_batch(idx)
                batch = list(fields) if isinstance(fields, (tuple, list)) else fields  # one array: one field
            else:
                ids = idx.tolist()
                samples = ds.__getitems__(ids) if hasattr(ds, "__getitems__") else [ds[i] for i in ids]
                batch = self.collate_fn(samples) if self.collate_fn is not None else _collate_arrays(samples)
            if self.transform is not None:
                batch = _transform_inputs(batch, self.transform, generator)
            yield batch if self.collate_fn is not None else _to_tensors(batch)

    def __iter__(self) -> Iterator:
        order, generator = self._epoch_plan()
        batches = self._batches(order, generator)
        return batches if self.prefetch == 0 else _Prefetcher(batches, self.prefetch)

    def __repr__(self) -> str:
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, prefetch={self.prefetch}, seed={self.seed})")


def _put(q: queue.Queue, item: Any, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer asks to stop first (a full queue is waited on, not busy-spun)."""
    while not stop.is_set():
        try:
            q.put(item, timeout=0.05)
            return True
        except queue.Full:
            pass
    return False


def _work(batches: Iterator, q: queue.Queue, stop: threading.Event) -> None:
    # holds no reference to the _Prefetcher, so dropping the iterator lets it be collected and shut down
    try:
        for batch in batches:
            if not _put(q, batch, stop):
                return
        _put(q, _END, stop)
    except BaseException as exc:  # noqa: BLE001 - carried to the consumer and re-raised there
        _put(q, _Failure(exc), stop)
    finally:
        batches.close()


def _shutdown(thread: threading.Thread, q: queue.Queue, stop: threading.Event) -> None:
    stop.set()
    while True:  # free the prepared batches and unblock a waiting put
        try:
            q.get_nowait()
        except queue.Empty:
            break
    if thread is not threading.current_thread():
        thread.join()


class _Prefetcher:
    """The consumer's end of the pipeline: yields batches that a worker thread puts in a bounded queue."""

    def __init__(self, batches: Iterator, depth: int):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        stop = threading.Event()
        self._thread = threading.Thread(target=_work, args=(batches, self._queue, stop),
                                        name="gradbook-DataLoader", daemon=True)
        self._done = False
        self._thread.start()
        self._close = weakref.finalize(self, _shutdown, self._thread, self._queue, stop)

    def __iter__(self) -> "_Prefetcher":
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        while True:
            try:
                item = self._queue.get(timeout=0.1)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    self.close()
                    raise RuntimeError("DataLoader: the prefetch thread ended without finishing the pass") from None
        if item is _END:
            self.close()
            raise StopIteration
        if isinstance(item, _Failure):
            self.close()
            raise item.exc
        return item

    def close(self) -> None:
        """Stop the worker thread and wait for it (idempotent)."""
        self._done = True
        self._close()
