"""The ``weights=`` argument of the torchvision-named constructors: gradbook downloads nothing."""
from __future__ import annotations

from typing import Any


def no_pretrained_weights(name: str, weights: Any) -> None:
    """Raise unless ``weights`` is None: there is no network at run time, so pretrained weights
    come from a file the user converts once (see ``load_torch_state_dict``)."""
    if weights is not None:
        raise ValueError(
            f"{name}(weights={weights!r}): gradbook does not download weights (no network at run time); "
            f"build {name}(weights=None) and load converted torchvision weights with "
            f"gradbook.models.load_torch_state_dict(model, 'weights.safetensors'), where the file was written "
            f"in PyTorch by safetensors.torch.save_file(torchvision.models.{name}(weights=...).state_dict(), "
            "'weights.safetensors')")
