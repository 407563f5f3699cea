"""Switching gradient recording on and off: ``no_grad`` / ``enable_grad`` (context and decorator)."""
from __future__ import annotations

import contextlib
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode: bool) -> None:
    _state.enabled = bool(mode)


class _GradMode(contextlib.ContextDecorator):
    _mode: bool

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._prev)
        return False


class no_grad(_GradMode):
    """Stop recording operations: ``with gb.no_grad(): ...`` or ``@gb.no_grad()``."""

    _mode = False


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` region."""

    _mode = True
