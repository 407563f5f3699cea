"""The runs behind ``gradbook compress`` and the handbook's ``compression`` entry: each method
applied to a copy of one trained model, fine-tuned, written as a real compressed file
(:mod:`.fileformat`), loaded back from that file, and scored — size on disk against accuracy.

Methods (each from the trained model):

* ``dense``: the float32 weights as they are (the baseline);
* ``dense+fine-tune``: the same model fine-tuned as long as every method below (a control: what
  the extra epochs alone do);
* ``prune``: global magnitude pruning to ``sparsity`` + fine-tuning, stored sparse (packed mask);
* ``quantise``: k-means weight sharing to 2^bits values + centroid fine-tuning, fixed-width indices;
* ``quantise+huffman``: the same weights with Huffman-coded indices;
* ``prune+quantise+huffman``: Deep Compression's pipeline (prune → fine-tune → quantise the
  survivors → fine-tune the centroids → Huffman-code the indices and the gaps between nonzeros);
* ``bwn`` / ``xnor``: binary weights (XNOR: binary activations too) in every layer but the first
  and last, fine-tuned with the straight-through estimator, stored as packed signs + α;
* ``svd``: Linear layers by truncated SVD and convolutions by Tucker-2 keeping ``energy``, fine-tuned;
* ``student`` / ``distilled``: a small MLP trained on the labels alone, and the same MLP trained
  by distillation from the model.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import backend
from ..autograd import no_grad
from ..autograd.tensor import Tensor
from ..nn import functional as F
from ..nn.module import Module
from . import binary, distill, fileformat, huffman, lowrank, prune, quantize
from ._reparam import rule

__all__ = ["METHODS", "Settings", "Outcome", "encode_model", "save_model", "load_model", "accuracy", "fine_tune",
           "run", "figure", "plot"]

METHODS = ("dense", "dense+fine-tune", "prune", "quantise", "quantise+huffman", "prune+quantise+huffman", "bwn", "xnor", "svd",
           "student", "distilled")


@dataclass
class Settings:
    sparsity: float = 0.8
    bits: int = 4
    energy: float = 0.9
    epochs: int = 3
    lr: float = 1e-3
    batch_size: int = 64
    student_hidden: int = 32
    student_epochs: int = 10
    student_lr: float = 1e-2
    T: float = 4.0
    alpha: float = 0.9
    seed: int = 0

    def check(self) -> "Settings":
        if not 0 <= self.sparsity < 1:
            raise ValueError(f"compress: sparsity must lie in [0, 1), got {self.sparsity!r}")
        quantize.check_bits(self.bits, "compress")
        lowrank.rank_for_energy(np.ones(1), self.energy, "compress")
        if self.epochs < 0:
            raise ValueError(f"compress: epochs must be >= 0, got {self.epochs!r}")
        return self


@dataclass
class Outcome:
    method: str
    file_bytes: int
    payload_bytes: int
    parameters: int
    accuracy: float
    details: dict = field(default_factory=dict)
    model: Module | None = field(default=None, repr=False, compare=False)  # the compressed model, in memory

    @property
    def bits_per_parameter(self) -> float:
        return 8 * self.payload_bytes / self.parameters


# ----------------------------------------------------------------------------- model <-> file
def encode_model(model: Module, use_huffman: bool = False) -> dict[str, dict]:
    """One file entry per state-dict tensor under the plain model's names: quantised weights as
    ``shared``, binary layers' weights as ``binary``, weights holding zeros as ``sparse``."""
    if prune.is_pruned(model):
        raise ValueError("encode_model: the model still holds pruning masks; call prune.remove on each layer first")
    tensors = {}
    for mod_name, m in model.named_modules():
        pre = f"{mod_name}." if mod_name else ""
        shared = quantize.is_quantized(m, "weight")
        if shared:
            centroids, indices = quantize.codebook(m)
            tensors[pre + "weight"] = fileformat.encode_shared(centroids, indices, centroids.dtype, use_huffman)
        for name, p in m._parameters.items():
            if p is None or (shared and name == "weight_centroids"):
                continue
            if name == "weight" and isinstance(m, (binary.BinaryLinear, binary.BinaryConv2d)):
                tensors[pre + name] = fileformat.encode_binary(
                    binary.binary_weight(p, m.mode).data, m.mode != "binaryconnect")
            elif p.data.ndim >= 2 and np.any(p.data == 0):
                tensors[pre + name] = fileformat.encode_sparse(p.data, use_huffman)
            else:
                tensors[pre + name] = fileformat.encode_dense(p.data)
        for name, b in m._buffers.items():
            if b is not None and not (shared and name == "weight_indices") and name not in m._non_persistent_buffers:
                tensors[pre + name] = fileformat.encode_dense(b.data)
    return tensors


def save_model(path: str | os.PathLike, model: Module, meta: dict, use_huffman: bool = False) -> tuple[int, int]:
    """Write ``model`` compressed; ``meta`` says how to rebuild it (see :func:`load_model`).
    Returns ``(bytes on disk, bytes of the arrays)``."""
    tensors = encode_model(model, use_huffman)
    return fileformat.save(path, tensors, meta), fileformat.payload_bytes(tensors)


def _rebuild(meta: dict, base: Callable[[], Module] | None) -> Module:
    from ..models import MLP

    if "student" in meta:
        return MLP(list(meta["student"]))
    if base is not None:
        return base()
    if "config" not in meta:
        raise ValueError("load_model: the file names no model configuration; pass base=")
    from ..train import recipes

    cfg = meta["config"]
    return recipes.build_model(str(cfg["model"]), int(cfg["in_channels"]), int(cfg["size"]), int(cfg["num_classes"]))


def load_model(path: str | os.PathLike, base: Callable[[], Module] | None = None) -> Module:
    """Rebuild the model a compressed file holds: the base architecture (``base()`` or the
    ``gradbook train`` configuration in the file), the recorded factorisation and binarisation,
    then the decoded weights."""
    state, meta = fileformat.load(path)
    model = _rebuild(meta, base)
    if meta.get("lowrank"):
        lowrank.factorize(model, {k: (tuple(v) if isinstance(v, (list, tuple)) else v)
                                  for k, v in meta["lowrank"].items()})
    if meta.get("binarize"):
        binary.binarize(model, str(meta["binarize"]))
    model.load_state_dict(state)
    return model


# ----------------------------------------------------------------------------- training and scoring
@no_grad()
def accuracy(model: Module, X: np.ndarray, y: np.ndarray, batch: int = 512) -> float:
    was = model.training
    model.eval()
    try:
        hits = sum(int((model(Tensor(X[i:i + batch])).data.argmax(1) == y[i:i + batch]).sum())
                   for i in range(0, len(X), batch))
    finally:
        model.train(was)
    return hits / len(X)


def _loader(X, y, s: Settings):
    from ..data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(X, y), batch_size=s.batch_size, shuffle=True, prefetch=0, seed=s.seed)


def fine_tune(model: Module, X: np.ndarray, y: np.ndarray, s: Settings, epochs: int | None = None,
              lr: float | None = None) -> None:
    """Adam (lr ``s.lr``) on cross-entropy for ``epochs`` (default ``s.epochs``) over (X, y)."""
    from .. import optim
    from ..train import fit

    epochs = s.epochs if epochs is None else epochs
    if epochs < 1:
        return
    backend.manual_seed(s.seed)
    fit(model, _loader(X, y, s), F.cross_entropy, optim.Adam(model.parameters(), lr=s.lr if lr is None else lr), epochs)


def _remove_masks(model: Module) -> None:
    for m, n in prune.prunable(model):
        if isinstance(rule(m, n), prune.MaskedWeight):
            prune.remove(m, n)


def _index_statistics(model: Module) -> dict:
    """Entropy and Huffman length in bits per index, each layer with its own code (as the file
    codes them), averaged over all the quantised layers' indices."""
    bits = entropy_bits = count = 0.0
    for m in model.modules():
        if quantize.is_quantized(m):
            centroids, indices = quantize.codebook(m)
            idx = indices[indices != len(centroids)]
            bits += huffman.HuffmanCode.fit(idx).average_length(idx) * idx.size
            entropy_bits += huffman.entropy(idx) * idx.size
            count += idx.size
    return {"index_entropy": entropy_bits / count, "index_huffman_bits": bits / count}


def run(model: Module, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], workdir: str,
        settings: Settings | None = None, base: Callable[[], Module] | None = None, meta: dict | None = None,
        methods: tuple[str, ...] = METHODS, progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Apply each method to a copy of ``model``, save it under ``workdir``, reload it from the file
    and score it on ``test``. ``base`` builds a fresh instance of the architecture (or ``meta``
    holds a ``gradbook train`` configuration); returns one Outcome per method."""
    s = (settings or Settings()).check()
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"compress: unknown method(s) {unknown}; expected some of {METHODS}")
    Xtr, ytr = train
    meta = dict(meta or {})
    results = []

    def finish(name: str, net: Module, extra_meta: dict, use_huffman: bool, details: dict | None = None):
        path = os.path.join(workdir, f"{name.replace('+', '_')}.npz")
        in_memory = accuracy(net, *test)
        size, payload = save_model(path, net, {**meta, **extra_meta}, use_huffman)
        reloaded = load_model(path, base)
        count = sum(p.data.size for p in reloaded.parameters())
        results.append(Outcome(name, size, payload, count, accuracy(reloaded, *test),
                               dict(details or {}, path=path, accuracy_in_memory=in_memory), net))

    def step(name: str) -> bool:
        if name in methods and progress is not None:
            progress(name)
        return name in methods

    if step("dense"):
        finish("dense", model, {}, False)
    if step("dense+fine-tune"):
        net = copy.deepcopy(model)
        fine_tune(net, Xtr, ytr, s)
        finish("dense+fine-tune", net, {}, False)
    if step("prune"):
        net = copy.deepcopy(model)
        prune.magnitude(net, amount=s.sparsity, scope="global")
        fine_tune(net, Xtr, ytr, s)
        _remove_masks(net)
        finish("prune", net, {}, False, {"sparsity": prune.sparsity(net)})
    if step("quantise") or "quantise+huffman" in methods:
        net = copy.deepcopy(model)
        quantize.quantize(net, bits=s.bits)
        fine_tune(net, Xtr, ytr, s)
        stats = _index_statistics(net)
        if "quantise" in methods:
            finish("quantise", net, {}, False, stats)
        if step("quantise+huffman"):
            finish("quantise+huffman", net, {}, True, stats)
    if step("prune+quantise+huffman"):
        net = copy.deepcopy(model)
        prune.magnitude(net, amount=s.sparsity, scope="global")
        fine_tune(net, Xtr, ytr, s)
        _remove_masks(net)
        sparsity = prune.sparsity(net)
        quantize.quantize(net, bits=s.bits)
        fine_tune(net, Xtr, ytr, s)
        finish("prune+quantise+huffman", net, {}, True, {**_index_statistics(net), "sparsity": sparsity})
    for mode in ("bwn", "xnor"):
        if step(mode):
            net = binary.binarize(copy.deepcopy(model), mode)
            fine_tune(net, Xtr, ytr, s)
            finish(mode, net, {"binarize": mode}, False)
    if step("svd"):
        net = copy.deepcopy(model)
        plan = lowrank.factorize(net, energy=s.energy)
        fine_tune(net, Xtr, ytr, s)
        finish("svd", net, {"lowrank": plan}, False, {"ranks": plan})
    if "student" in methods or "distilled" in methods:
        from .. import optim
        from ..models import MLP

        sizes = [int(np.prod(Xtr.shape[1:])), s.student_hidden, int(max(ytr.max(), test[1].max())) + 1]
        if step("student"):
            backend.manual_seed(s.seed)
            alone = MLP(sizes)
            fine_tune(alone, Xtr, ytr, s, s.student_epochs, s.student_lr)
            finish("student", alone, {"student": sizes}, False)
        if step("distilled"):
            backend.manual_seed(s.seed)
            student = MLP(sizes)
            distill.fit(student, model, _loader(Xtr, ytr, s), optim.Adam(student.parameters(), lr=s.student_lr),
                        s.student_epochs, s.T, s.alpha)
            model.train()
            finish("distilled", student, {"student": sizes}, False, {"T": s.T, "alpha": s.alpha})
    return results


def figure(outcomes: list[Outcome], title: str = "size on disk vs accuracy"):
    """A matplotlib figure of accuracy against bytes on disk (log scale), one labelled point per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, o in enumerate(outcomes):
        ax.scatter(o.file_bytes / 1024, o.accuracy, s=30)
        ax.annotate(o.method, (o.file_bytes / 1024, o.accuracy), textcoords="offset points",
                    xytext=(4, 4 if i % 2 == 0 else -11), fontsize=8)  # alternate: neighbours' labels apart
    ax.set_xscale("log")
    ax.set_xlabel("compressed file size (KiB, log scale)")
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    return fig


def plot(outcomes: list[Outcome], path: str, title: str = "size on disk vs accuracy") -> None:
    """:func:`figure` written to ``path`` as a PNG (atomically)."""
    import io as _io

    import matplotlib.pyplot as plt

    from ..io import write_atomic

    fig = figure(outcomes, title)
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    write_atomic(path, buf.getvalue())
