"""Shared by the handbook entry tests that replay a gradbook net in torch: copying its weights into a torch twin,
full-batch Adam the way ``_small_nets.train_net`` runs it, and accuracy."""
from __future__ import annotations

import numpy as np
import torch


def copy_weights(theirs, ours) -> None:
    """Each torch layer in ``theirs`` takes the weight (and bias, when it has one) of the gradbook layer beside it."""
    theirs, ours = list(theirs), list(ours)
    assert len(theirs) == len(ours), (len(theirs), len(ours))
    with torch.no_grad():
        for a, b in zip(theirs, ours):
            a.weight.copy_(torch.tensor(b.weight.data))
            if a.bias is not None:
                a.bias.copy_(torch.tensor(b.bias.data))


def train_full_batch(net: torch.nn.Module, X: np.ndarray, y: np.ndarray, steps: int, lr: float) -> list[float]:
    """``steps`` Adam steps on the whole of (X, y) with cross-entropy; the loss before each step."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    x, t = torch.tensor(X), torch.tensor(y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def accuracy(net: torch.nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        return float((net(torch.tensor(X)).argmax(1).numpy() == y).mean())
