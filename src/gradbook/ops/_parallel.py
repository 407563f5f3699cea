"""Work on a large array in pieces, one thread per BLAS thread.

NumPy runs its element-wise work (copies, transposes, strided adds) on one core; only matrix
products use the BLAS threads. For a large convolution those single-threaded passes are about a
third of the time; ReLU, pooling, batch norm and optimizer updates are nothing else. Here the work
is cut into pieces (consecutive samples, channels, or flat runs of elements) that as many Python
threads as the BLAS has (the calling one among them) work on, NumPy releasing the GIL inside its
loops, with the BLAS held to one thread meanwhile so that products do not oversubscribe the cores.
Pieces are kept small enough for the C allocator to reuse their buffers (see
:func:`gradbook.backend.retain_freed_memory`). Users: conv2d, Winograd and depthwise conv
(samples), batch_norm (channels), max_pool2d (samples), relu and the SGD / Adam updates (flat,
:func:`elementwise`).

Results do not depend on the thread timing: each piece writes its own rows and per-piece partial
sums are returned in order. Only one batch is split at a time; an op called while another is
split (from a second thread of the user's) runs its pieces in order on its own thread.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
from typing import Callable, TypeVar

from ..backend import blas_controller

__all__: list[str] = []  # an internal helper

T = TypeVar("T")

# Re-measured with OpenBLAS's idle threads asleep (backend.shorten_blas_spin), training steps at
# batch 128 (LeNet-5: 64 and 256), 2 threads, A/B alternated in one process, medians:
# PIECE_BYTES 4 MiB against 16 MiB: mobilenet_v2_cifar and densenet_bc_40 3-5% faster, resnet20 and
# LeNet-5 the same; 1 MiB no better.
PIECE_BYTES = 4 << 20
# MIN_SPLIT_BYTES (the default; the column layouts of conv2d other than per-sample use it): no conv
# of resnet20 or LeNet-5 reaches 32 MiB (unsplit: the same), 8 MiB made resnet20 5% and LeNet-5 at
# batch 64 9% slower; densenet_bc_40's 3x3 convs (226 MB of columns) gain: 4% slower unsplit,
# 12% slower at 16 MiB.
MIN_SPLIT_BYTES = 32 << 20

_lock = threading.Lock()
_state: dict = {}


def _controller():
    """threadpoolctl's view of the loaded BLAS (None without one it can drive: pieces run in order)."""
    return blas_controller()


def _blas_libs() -> list:
    """The loaded BLAS libraries threadpoolctl can drive (none without it), listed once."""
    if "blas_libs" not in _state:
        ctl = _controller()
        _state["blas_libs"] = [lib for lib in (ctl.lib_controllers if ctl is not None else [])
                               if lib.user_api == "blas"]
    return _state["blas_libs"]


def workers() -> int:
    """How many threads a split batch uses: the BLAS's thread count (so that ``OMP_NUM_THREADS`` /
    ``OPENBLAS_NUM_THREADS`` govern gradbook as they govern PyTorch), at most the usable cores."""
    if "workers" not in _state:
        blas = _blas_libs()
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
        _state["workers"] = max(1, min([cores] + [lib.num_threads for lib in blas])) if blas else 1
    return _state["workers"]


def pieces(n: int, bytes_each: int, min_bytes: int | None = None,
           piece_bytes: int | None = None) -> list[tuple[int, int]]:
    """Cut ``n`` items (samples, channels) into consecutive ``(start, stop)`` pieces: one piece when
    the work is under ``min_bytes`` (default :data:`MIN_SPLIT_BYTES`) or there is one worker, else
    a multiple of the worker count with at most ``piece_bytes`` (default :data:`PIECE_BYTES`) each
    (and at least one item)."""
    total = n * bytes_each
    k = workers()
    if k < 2 or n < 2 or total < (MIN_SPLIT_BYTES if min_bytes is None else min_bytes):
        return [(0, n)]
    count = min(n, k * -(-total // (k * (PIECE_BYTES if piece_bytes is None else piece_bytes))))
    bounds = [round(i * n / count) for i in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def map_pieces(fn: Callable[..., T], pieces: list[tuple]) -> list[T]:
    """``[fn(*piece) for piece in pieces]`` (a piece is ``(start, stop, ...)``), spread over
    :func:`workers` threads: the calling thread and ``workers() − 1`` helpers each take the next
    piece not yet taken until none is left (the caller working too saves a hand-off: measured on a
    4.8 MB ReLU, two pieces took 0.63 ms through a two-thread pool with the caller waiting, 0.33 ms
    so, 0.47 ms unsplit)."""
    if len(pieces) < 2 or workers() < 2 or not _lock.acquire(blocking=False):
        return [fn(*p) for p in pieces]
    try:
        results: list = [None] * len(pieces)
        tickets = itertools.count()  # next() on it is atomic under the GIL

        def drain() -> None:
            while (i := next(tickets)) < len(pieces):
                results[i] = fn(*pieces[i])

        helpers = min(workers(), len(pieces)) - 1
        with _blas_on_one_thread():
            _crew(helpers).run(drain, helpers)
        return results
    finally:
        _lock.release()


@contextlib.contextmanager
def _blas_on_one_thread():
    """The BLAS libraries held to one thread meanwhile, each restored to its own count after (the
    libraries' own setters: 2 µs where threadpoolctl's ``limit`` takes 7.5 µs)."""
    libs = _blas_libs()
    before = [lib.get_num_threads() for lib in libs]
    for lib in libs:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, count in zip(libs, before):
            lib.set_num_threads(count)


class _Crew:
    """Helper threads that each wait on their own queue for a function to run, and report on one
    shared queue (its error, or None) when it returns. Two C-level queue operations per helper
    and split: a round trip of two empty pieces took 77 µs (median) through a
    ``ThreadPoolExecutor`` (a Future per helper, ``wait``'s waiter and condition), 30 µs so."""

    def __init__(self) -> None:
        self.inboxes: list[queue.SimpleQueue] = []
        self.done: queue.SimpleQueue = queue.SimpleQueue()

    def grow(self, count: int) -> None:
        while len(self.inboxes) < count:
            inbox: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), daemon=True,
                             name=f"gradbook-piece-{len(self.inboxes)}").start()
            self.inboxes.append(inbox)

    def _serve(self, inbox: queue.SimpleQueue) -> None:
        while True:
            job = inbox.get()
            try:
                job()
            except BaseException as error:  # handed to the caller, which raises it
                self.done.put(error)
            else:
                self.done.put(None)

    def run(self, job: Callable[[], None], helpers: int) -> None:
        """``job()`` on ``helpers`` helper threads and on the calling one; returns when all have
        finished, raising the first error (the caller's own first)."""
        for inbox in self.inboxes[:helpers]:
            inbox.put(job)
        try:
            job()
        finally:
            errors = [self.done.get() for _ in range(helpers)]
        for error in errors:
            if error is not None:
                raise error


def _crew(helpers: int) -> _Crew:
    crew = _state.setdefault("crew", _Crew())
    crew.grow(helpers)
    return crew


def _forget_crew_after_fork() -> None:
    """A forked child has none of its parent's helper threads (and the parent's split may have held
    the lock): it starts a crew of its own when it first splits."""
    global _lock
    _lock = threading.Lock()
    _state.pop("crew", None)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_crew_after_fork)


def totals(parts: list[tuple]) -> list:
    """Per-piece partial sums (tuples, one per piece, as :func:`map_pieces` returns them) added up,
    element by element of the tuples (None stays None)."""
    return [None if first is None else sum(rest, first) for first, *rest in zip(*parts)]


# all arrays of the call together. Measured in the training step, 2 threads, with OpenBLAS's idle
# threads asleep: resnet20 at batch 128, ReLU forward + backward 25.4 ms a step at 32 MiB (nothing
# split) against 19.8 ms at 8 MiB, 4 MiB no better; LeNet-5 at batch 256 (4.8 MB in) 1.78 -> 1.59 ms.
# A plain same-size add (two operands, bound by memory) gains nothing split: its callers do not split.
ELEMENTWISE_MIN_BYTES = 8 << 20


def elementwise(fn: Callable[..., None], *arrays) -> None:
    """``fn(*arrays)`` for an element-wise computation that writes its outputs (among ``arrays``)
    in place, run on matching flat pieces when every array is C-contiguous of one shape and the
    work is large; otherwise in one call."""
    first = arrays[0]
    if not all(a.shape == first.shape and a.flags.c_contiguous for a in arrays):
        fn(*arrays)
        return
    flat = [a.reshape(-1) for a in arrays]
    cut = pieces(first.size, sum(a.itemsize for a in arrays), min_bytes=ELEMENTWISE_MIN_BYTES)
    map_pieces(lambda start, stop: fn(*(f[start:stop] for f in flat)), cut)
