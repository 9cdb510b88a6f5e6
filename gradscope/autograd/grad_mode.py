"""Grad mode (thread-local, as in torch): ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True
    anomaly = False
    anomaly_check_nan = True


state = _State()


def is_grad_enabled() -> bool:
    """True when ops record graph nodes."""
    return state.enabled


class _Mode:
    _value = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._value

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_Mode):  # noqa: N801
    """Context manager and decorator under which ops record no graph."""

    _value = False


class enable_grad(_Mode):  # noqa: N801
    """Context manager and decorator that turns graph recording back on."""

    _value = True


class set_grad_enabled(_Mode):  # noqa: N801
    """Turn graph recording on or off: as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = state.enabled
        self._value = bool(mode)
        state.enabled = self._value

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(no_grad):  # noqa: N801
    """As ``no_grad`` (gradscope has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self._value = not mode
