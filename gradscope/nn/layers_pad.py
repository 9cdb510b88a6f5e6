"""Padding modules: ``ConstantPad1d``...``3d``, ``ZeroPad``, ``ReflectionPad``,
``ReplicationPad``, ``CircularPad``, each ``nn.functional.pad`` with a fixed padding."""

from __future__ import annotations

from collections.abc import Iterable

from ..tensor import Tensor
from . import functional as F
from .modules import Module


def _ntuple(padding, n: int) -> tuple:
    """An int repeated ``n`` times, or the given sequence as a tuple (as torch's ``_ntuple``)."""
    if isinstance(padding, Iterable):
        return tuple(padding)
    return (padding,) * n


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with a constant ``value``."""


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with a constant ``value``."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with a constant ``value``."""

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pads the last two dims with zeros."""

    dims = 2


class ZeroPad3d(ZeroPad1d):
    """Pads the last three dims with zeros."""

    dims = 3


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its reflection about the edge (the edge not repeated)."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Reflection padding of the last two dims."""

    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Reflection padding of the last three dims."""

    dims = 3


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge values."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Replication padding of the last two dims."""

    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Replication padding of the last three dims."""

    dims = 3


class CircularPad1d(_PadNd):
    """Pads the last dim by wrapping around: the end pads the start, and the start the end."""

    mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(
                f"expected {self.dims + 1}D or {self.dims + 2}D input (got {input.ndim}D input)"
            )
        return F.pad(input, self.padding, "circular")


class CircularPad2d(CircularPad1d):
    """Circular padding of the last two dims."""

    dims = 2


class CircularPad3d(CircularPad1d):
    """Circular padding of the last three dims."""

    dims = 3
