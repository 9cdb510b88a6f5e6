"""``torch.nn``'s 3-d convolution and pooling layers, and the 1-d and 3-d transposed
convolutions, each a ``Module`` over ``gs.nn.functional``."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .layers_conv import AdaptiveAvgPool1d, AvgPool2d, ConvTranspose2d, _Conv, _MaxPoolNd


class Conv3d(_Conv):
    """A 3-d convolution over ``(N, C, D, H, W)`` inputs, weight
    ``(out, in / groups, kd, kh, kw)``."""

    _nd = 3
    _functional = staticmethod(F.conv3d)


class ConvTranspose1d(ConvTranspose2d):
    """The adjoint of ``Conv1d``, weight ``(in, out / groups, k)``."""

    _nd = 1
    _functional = staticmethod(F.conv_transpose1d)


class ConvTranspose3d(ConvTranspose2d):
    """The adjoint of ``Conv3d``, weight ``(in, out / groups, kd, kh, kw)``."""

    _nd = 3
    _functional = staticmethod(F.conv_transpose3d)


class MaxPool3d(_MaxPoolNd):
    """The largest value of each window of ``(N, C, D, H, W)`` inputs."""

    _pool = staticmethod(F.max_pool3d)


class AvgPool3d(AvgPool2d):
    """The mean of each window of ``(N, C, D, H, W)`` inputs."""

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AdaptiveAvgPool3d(AdaptiveAvgPool1d):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, D, H, W)``
    inputs."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(AdaptiveAvgPool1d):
    """The largest value of each of ``output_size`` near-equal windows of
    ``(N, C, D, H, W)`` inputs (and its index, with ``return_indices``)."""

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)
