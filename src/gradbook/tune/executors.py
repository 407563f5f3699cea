"""Where trials run: a local process pool (the default), any ``concurrent.futures.Executor``, a
Dask ``distributed.Client`` (``pip install gradbook[dask]``) or Ray (``executor="ray"``: the running
Ray runtime, or a local one started by ``ray.init()``; ``pip install gradbook[ray]``). One
interface for all:

    with TrialRunner(executor, n_workers, caller="tune.run") as runner:
        for key, output in runner.map_unordered(fn, [(key, args), ...]):
            ...   # in the order calls finish

When a call raises, the calls not yet started are cancelled, those running are waited for and
yielded (their work is kept), and then the first error is raised as ``TrialFailed``.

Results do not depend on the executor: the callers key every output by its trial and never read
the order of completion into the search.
"""
from __future__ import annotations

import concurrent.futures as cf
import pickle
import queue
import time
from typing import Any, Callable, Iterable, Iterator

__all__ = ["TrialRunner", "TrialFailed", "timed_call"]


class TrialFailed(RuntimeError):
    """A trial's function raised; ``key`` names the trial, the cause is chained."""

    def __init__(self, key: Any, error: BaseException):
        super().__init__(f"trial {key!r} raised {type(error).__name__}: {error}")
        self.key, self.error = key, error


def timed_call(fn: Callable, *args: Any) -> tuple[Any, float]:
    """``fn(*args)`` and its wall time in seconds (runs in the worker)."""
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def _is_dask_client(executor: Any) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "submit")


class TrialRunner:
    """Runs calls on ``executor``: None for a ``ProcessPoolExecutor(n_workers)`` started and shut
    down here, a ``concurrent.futures.Executor``, or a ``distributed.Client``."""

    def __init__(self, executor: Any = None, n_workers: int = 2, caller: str = "tune.run"):
        self.caller, self.owned = caller, executor is None
        if executor is None:
            self.kind, self.executor = "pool", None
            self.n_workers = n_workers
        elif _is_dask_client(executor):
            self.kind, self.executor = "dask", executor
        elif isinstance(executor, cf.Executor):
            self.kind, self.executor = "futures", executor
        elif isinstance(executor, str) and executor == "ray":
            try:
                import ray
            except ImportError as error:
                raise ImportError(f"{caller}: executor='ray' needs Ray: pip install 'gradbook[ray]'") from error
            if not ray.is_initialized():
                ray.init()
            self.kind, self.executor = "ray", ray
        else:
            raise TypeError(f"{caller}: executor must be None (a local process pool), a concurrent.futures.Executor, "
                            f"a dask distributed.Client or 'ray', got {type(executor).__name__}")

    def check_picklable(self, fn: Callable) -> None:
        """Process pools send ``fn`` by pickle (a Dask client uses cloudpickle, which takes closures)."""
        if self.kind == "dask" or not (self.kind == "pool" or isinstance(self.executor, cf.ProcessPoolExecutor)):
            return
        try:
            pickle.dumps(fn)
        except Exception as error:  # pickle raises PicklingError, AttributeError or TypeError
            raise TypeError(f"{self.caller}: the objective must be picklable to run in a process pool, and "
                            f"{getattr(fn, '__qualname__', fn)!r} is not ({type(error).__name__}: {error}). Define it "
                            "at the top level of a module (not a lambda, a local function or a closure), or pass "
                            "executor=concurrent.futures.ThreadPoolExecutor() to run trials in this process") from error

    def __enter__(self) -> "TrialRunner":
        if self.kind == "pool":
            self.executor = cf.ProcessPoolExecutor(max_workers=self.n_workers)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.owned and self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def map_unordered(self, fn: Callable, calls: Iterable[tuple[Any, tuple]]) -> Iterator[tuple[Any, Any]]:
        calls = list(calls)
        if not calls:
            return
        if self.kind == "dask":
            futures = {self.executor.submit(fn, *args, pure=False): key for key, args in calls}
        elif self.kind == "ray":
            remote = self.executor.remote(fn)
            self._ray_refs = {}
            for key, args in calls:
                ref = remote.remote(*args)
                self._ray_refs[ref.future()] = ref  # an ObjectRef's future is a concurrent.futures.Future
            futures = dict(zip(self._ray_refs, (key for key, _ in calls)))
        else:
            futures = {self.executor.submit(fn, *args): key for key, args in calls}
        # every kind of future calls back when done (Dask's and Ray's from their own threads): no
        # import of distributed here, and one loop for all
        finished: queue.SimpleQueue = queue.SimpleQueue()
        for future in futures:
            future.add_done_callback(finished.put)
        failure = None
        try:
            for _ in range(len(futures)):
                future = finished.get()
                if future.cancelled():
                    continue
                key = futures[future]
                try:
                    output = future.result()
                except Exception as error:
                    if failure is None:  # stop what has not started; what runs still finishes and is kept
                        failure = TrialFailed(key, error)
                        failure.__cause__ = error
                        self._cancel([f for f in futures if not f.done()])
                    continue
                yield key, output
        finally:
            self._cancel([f for f in futures if not f.done()])
        if failure is not None:
            raise failure

    def _cancel(self, pending: list) -> None:
        if not pending:
            return
        if self.kind == "dask":
            self.executor.cancel(pending)
        elif self.kind == "ray":
            for f in pending:
                self.executor.cancel(self._ray_refs[f])
        else:
            for f in pending:
                f.cancel()
