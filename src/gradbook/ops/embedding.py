"""``embedding``: rows of a weight table picked by integer indices, one Function with its backward."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["embedding"]


class Embedding(Function):
    """y[..., :] = W[idx[...], :].

    Shapes: idx (*) integers, W (num_embeddings, dim) → y (*, dim). Backward scatters-adds:
    dW[k] = Σ_{positions p with idx[p] = k} dy[p]; the padding row gets no gradient; with
    ``scale_grad_by_freq`` each row's sum is divided by how often k occurs in ``idx``.
    """

    def forward(ctx, weight, indices, padding_idx=None, scale_grad_by_freq=False):
        ctx.indices, ctx.n = indices, weight.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return weight[indices]

    def backward(ctx, g):
        idx = ctx.indices.reshape(-1)
        g2 = g.reshape(idx.size, g.shape[-1])
        if ctx.scale:
            counts = np.bincount(idx, minlength=ctx.n)
            g2 = g2 / counts[idx, None].astype(g2.dtype)
        gw = np.zeros((ctx.n, g2.shape[1]), g.dtype)
        np.add.at(gw, idx, g2)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw, None


def _renorm_(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale in place (no graph) the looked-up rows whose ``norm_type``-norm exceeds ``max_norm``,
    as ``torch.embedding_renorm_``: row *= max_norm / (norm + 1e-7)."""
    rows = np.unique(indices)
    with no_grad():
        w = weight.data[rows]
        norms = np.linalg.norm(w, ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        weight.data[rows] = w * scale[:, None]


def embedding(input, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) at integer ``input`` (*): → (*, dim)
    (``torch.nn.functional.embedding``). ``max_norm`` renormalises the looked-up rows of
    ``weight`` in place first; ``padding_idx``'s row receives no gradient."""
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    n = weight.shape[0]
    if idx.dtype.kind not in "iu":
        raise ValueError(f"embedding: expected integer indices, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"embedding: index {int(bad)} is out of range for {n} embeddings (0..{n - 1})")
    if sparse:
        raise ValueError("embedding: sparse=True is not supported (gradients are dense arrays)")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding: padding_idx must be within [-{n}, {n - 1}], got {padding_idx}")
        padding_idx %= n
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
