"""Grad mode (thread-local, as in torch): ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    anomaly = False
    anomaly_check_nan = True


state = _State()


def is_grad_enabled() -> bool:
    """True when ops record graph nodes."""
    return state.enabled


def _decorate(fn, mode_factory):
    """``fn`` running under a fresh ``mode_factory()`` each time it is called; a generator
    function runs under it each time it is resumed (as torch's decorators do)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with mode_factory():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with mode_factory():
                            gen.close()
                        raise
                    except BaseException as e:  # noqa: BLE001 - handed on to the generator
                        with mode_factory():
                            response = gen.throw(e)
                    else:
                        with mode_factory():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with mode_factory():
            return fn(*args, **kwargs)

    return wrapper


class _Mode:
    _value = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._value

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        return _decorate(fn, self.__class__)


class _NoParamMode(_Mode):
    """A mode that is also a decorator with or without parentheses (``@no_grad``)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):  # noqa: N801
    """Context manager and decorator under which ops record no graph."""

    _value = False


class enable_grad(_NoParamMode):  # noqa: N801
    """Context manager and decorator that turns graph recording back on."""

    _value = True


class set_grad_enabled(_Mode):  # noqa: N801
    """Turn graph recording on or off: as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                f"{type(mode).__name__}"
            )
        self._prev = state.enabled
        self._value = mode
        state.enabled = mode

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self._value
        return _decorate(fn, lambda: set_grad_enabled(mode))


class inference_mode(no_grad):  # noqa: N801
    """As ``no_grad`` (gradscope has no separate inference tensors)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return object.__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self._value = not mode

    def __call__(self, fn):
        mode = not self._value
        return _decorate(fn, lambda: inference_mode(mode))
