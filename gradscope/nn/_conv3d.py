"""``gs.nn.functional``'s 3-d convolution and pools: torch's argument checks and error
texts, then the nodes of ``gradscope.ops.conv`` and ``gradscope.ops.pool3d``."""

from __future__ import annotations

from ._conv import _convolution


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """A 3-d convolution (cross-correlation) of ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    ``input`` with ``(out, C / groups, kd, kh, kw)`` ``weight``; ``padding`` may be
    ``'same'`` or ``'valid'``."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)
