"""``gradbook.nn.utils``: helpers around training a module (gradient clipping)."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]
