"""Input pipeline speed: gradbook's DataLoader vs PyTorch's, and what prefetching buys.

1. Loader overhead per batch (batch 64, shuffled, the 4,000-image MNIST sample): the time the
   consumer waits in ``next()``, with an idle consumer and with one doing 5 ms of work per batch
   (a training step): gradbook with prefetch=0 and prefetch=2, PyTorch's DataLoader
   (num_workers=0) on the same arrays. Each timed in its own subprocess, alternated, median.
2. Overlap: a slow preprocessing step (a transform that does RandomCrop + flip and then waits
   ``--preprocess-ms``) and a training step simulated by ``--step-ms`` of GIL-free work; with
   prefetch the two overlap, so an epoch costs about max(step, preprocess) per batch, not the sum.
   The simulated step runs with one BLAS thread, leaving a core to the pipeline (on a 2-core
   machine a 2-thread BLAS step and the pipeline thread contend, and the gain shrinks to ~1.5x).

3. Files: the same 2,048 digits written as PNG files to a temporary folder and read back each
   pass (decode included), with a training step modelled as ``--file-step-ms`` of waiting (an
   accelerator computing): gradbook's ``FileDataset`` with 1 or 4 reader threads, prefetch 0 or 2,
   against PyTorch's ``DataLoader`` over a PIL-reading Dataset with num_workers 0 and 2 (worker
   processes). Images per second, best of three passes, median over repeats.

    python benchmarks/data_pipeline.py [--repeats 5] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from _timing import run_child


def _mnist_arrays():
    from gradbook.data import mnist_sample

    train, _ = mnist_sample()
    return train.tensors


def _time_loader(loader, epochs: int, step_ms: float) -> float:
    """Seconds per batch spent in ``next()`` (the consumer's wait), after a warm-up pass; with
    ``step_ms`` > 0 the consumer does that much GIL-free work per batch, like a training step."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((128, 128)).astype(np.float32)
    for _ in loader:  # warm up
        pass
    waited, n = 0.0, 0
    for _ in range(epochs):
        it = iter(loader)
        while True:
            t = time.perf_counter()
            try:
                next(it)
            except StopIteration:
                break
            waited += time.perf_counter() - t
            n += 1
            end = time.perf_counter() + step_ms / 1000
            while time.perf_counter() < end:
                a @ a
    return waited / n


def _overhead_gradbook(prefetch: int, epochs: int, step_ms: float) -> float:
    from gradbook.data import DataLoader, TensorDataset

    x, y = _mnist_arrays()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, prefetch=prefetch, seed=0)
    return _time_loader(loader, epochs, step_ms)


def _overhead_torch(epochs: int, step_ms: float) -> float:
    import torch

    x, y = _mnist_arrays()
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x.copy()), torch.from_numpy(y.copy()))
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    return _time_loader(loader, epochs, step_ms)


def _overlap(prefetch: int, step_ms: float, preprocess_ms: float, batches: int) -> float:
    import numpy as np

    from gradbook.data import DataLoader, TensorDataset, transforms

    x, y = _mnist_arrays()
    aug = transforms.Compose([transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip()])

    def slow_preprocess(batch):
        out = aug(batch)
        time.sleep(preprocess_ms / 1000)  # e.g. decoding files: waits without holding the GIL
        return out

    ds = TensorDataset(x[:64 * batches], y[:64 * batches])
    loader = DataLoader(ds, batch_size=64, shuffle=True, prefetch=prefetch, seed=0, transform=slow_preprocess)
    a = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)
    t = time.perf_counter()
    for _ in loader:
        end = time.perf_counter() + step_ms / 1000
        while time.perf_counter() < end:
            a @ a  # BLAS releases the GIL, as the conv/matmul kernels of a real step do
    return (time.perf_counter() - t) / len(loader)


def _png_paths(folder: str) -> list[str]:
    import os

    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".png"))


def _write_pngs(folder: str, n: int) -> None:
    from gradbook.handbook.entries.data_pipeline import write_files

    write_files(folder, _mnist_arrays()[0][:n])


def _best_pass(loader, step_ms: float, passes: int = 3) -> float:
    best = float("inf")
    for _ in range(passes):
        t = time.perf_counter()
        for _batch in loader:
            time.sleep(step_ms / 1000)
        best = min(best, time.perf_counter() - t)
    return best


def _files_gradbook(folder: str, threads: int, prefetch: int, step_ms: float) -> float:
    from gradbook.data import DataLoader, FileDataset

    paths = _png_paths(folder)
    ds = FileDataset(paths, labels=list(range(len(paths))), num_threads=threads)
    return len(paths) / _best_pass(DataLoader(ds, batch_size=64, shuffle=True, prefetch=prefetch, seed=0), step_ms)


class _TorchPngs:
    """A map-style torch Dataset reading one PNG per item with PIL (what torchvision's ToTensor does)."""

    def __init__(self, paths):
        self.paths = paths

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        import numpy as np
        import torch
        from PIL import Image

        with Image.open(self.paths[i]) as im:
            x = torch.from_numpy(np.asarray(im, dtype=np.float32)[None] / 255)
        return x, i


def _files_torch(folder: str, workers: int, step_ms: float) -> float:
    import torch

    paths = _png_paths(folder)
    loader = torch.utils.data.DataLoader(_TorchPngs(paths), batch_size=64, shuffle=True, num_workers=workers,
                                         persistent_workers=workers > 0, generator=torch.Generator().manual_seed(0))
    return len(paths) / _best_pass(loader, step_ms)


def _worker(spec: dict) -> None:
    kind = spec["kind"]
    if kind == "files-gradbook":
        value = _files_gradbook(spec["folder"], spec["readers"], spec["prefetch"], spec["step_ms"])
    elif kind == "files-torch":
        value = _files_torch(spec["folder"], spec["workers"], spec["step_ms"])
    elif kind == "torch":
        import torch

        torch.set_num_threads(spec["threads"])
        value = _overhead_torch(spec["epochs"], spec["step_ms"])
    elif kind == "gradbook":
        value = _overhead_gradbook(spec["prefetch"], spec["epochs"], spec["step_ms"])
    else:
        value = _overlap(spec["prefetch"], spec["step_ms"], spec["preprocess_ms"], spec["batches"])
    print(json.dumps(value))


def _run(spec: dict, threads: int) -> float:
    return run_child([__file__, "--worker", json.dumps({**spec, "threads": threads})], threads)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--step-ms", type=float, default=8.0)
    p.add_argument("--preprocess-ms", type=float, default=6.0)
    p.add_argument("--file-step-ms", type=float, default=10.0)
    p.add_argument("--files", type=int, default=2048)
    p.add_argument("--worker")
    args = p.parse_args()
    if args.worker:
        _worker(json.loads(args.worker))
        return

    overhead = {"gradbook prefetch=0": {"kind": "gradbook", "prefetch": 0, "epochs": args.epochs},
                "gradbook prefetch=2": {"kind": "gradbook", "prefetch": 2, "epochs": args.epochs},
                "torch num_workers=0": {"kind": "torch", "epochs": args.epochs}}
    print(f"Loader overhead: time the consumer waits in next() per batch (batch 64, shuffled, MNIST sample "
          f"4,000 images, median of {args.repeats})")
    print(f"{'loader':<24}{'idle loop us':>14}{'vs torch':>10}{'with 5 ms step us':>20}{'vs torch':>10}")
    rows = {}
    for step_ms, threads in ((0.0, args.threads), (5.0, 1)):  # the busy consumer uses 1 BLAS thread
        times: dict[str, list[float]] = {k: [] for k in overhead}
        for _ in range(args.repeats):  # alternate the contenders so drifts hit all alike
            for name, spec in overhead.items():
                times[name].append(_run({**spec, "step_ms": step_ms}, threads))
        med = {k: statistics.median(v) for k, v in times.items()}
        for k, v in med.items():
            rows.setdefault(k, []).append((v, v / med["torch num_workers=0"]))
    for k, ((a, ra), (b, rb)) in rows.items():
        print(f"{k:<24}{a * 1e6:>14.1f}{ra:>9.2f}x{b * 1e6:>20.1f}{rb:>9.2f}x")

    base = {"kind": "overlap", "step_ms": args.step_ms, "preprocess_ms": args.preprocess_ms, "batches": 30}
    lap = {p_: [] for p_ in (0, 1, 2)}
    for _ in range(max(1, args.repeats // 2)):
        for p_ in lap:
            lap[p_].append(_run({**base, "prefetch": p_}, 1))
    print(f"\nOverlap: {args.preprocess_ms:g} ms preprocess (RandomCrop+flip+wait) and {args.step_ms:g} ms training "
          "step (1 BLAS thread) per batch of 64")
    print(f"{'prefetch':<10}{'ms/batch':>10}{'speed-up':>10}")
    for p_, v in lap.items():
        m = statistics.median(v)
        print(f"{p_:<10}{m * 1e3:>10.2f}{statistics.median(lap[0]) / m:>9.2f}x")
    _files_section(args)


def _files_section(args) -> None:
    import tempfile

    contenders = {"gradbook 1 reader, prefetch=0": {"kind": "files-gradbook", "readers": 1, "prefetch": 0},
                  "gradbook 1 reader, prefetch=2": {"kind": "files-gradbook", "readers": 1, "prefetch": 2},
                  "gradbook 4 readers, prefetch=2": {"kind": "files-gradbook", "readers": 4, "prefetch": 2},
                  "torch num_workers=0": {"kind": "files-torch", "workers": 0},
                  "torch num_workers=2": {"kind": "files-torch", "workers": 2}}
    with tempfile.TemporaryDirectory(prefix="gradbook-bench-files-") as folder:
        _write_pngs(folder, args.files)
        rates: dict[str, list[float]] = {k: [] for k in contenders}
        for _ in range(max(1, args.repeats // 2)):
            for name, spec in contenders.items():
                rates[name].append(_run({**spec, "folder": folder, "step_ms": args.file_step_ms}, 1))
    print(f"\nFiles: {args.files} PNG digits read back each pass, a {args.file_step_ms:g} ms step (waiting, as for "
          "an accelerator) per batch of 64; images/s, best of 3 passes")
    print(f"{'pipeline':<32}{'images/s':>10}{'vs torch 0':>12}")
    base = statistics.median(rates["torch num_workers=0"])
    for name, v in rates.items():
        m = statistics.median(v)
        print(f"{name:<32}{m:>10.0f}{m / base:>11.2f}x")


if __name__ == "__main__":
    main()
