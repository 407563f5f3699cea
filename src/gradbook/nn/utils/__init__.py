"""``gradbook.nn.utils``: helpers around training a module (gradient clipping) and predicting with
it (Monte Carlo dropout)."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm  # noqa: F401
from .mc_dropout import mc_dropout_predict  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "mc_dropout_predict"]
