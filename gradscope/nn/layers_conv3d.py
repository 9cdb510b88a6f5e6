"""``torch.nn``'s 3-d convolution and pooling layers, and the 1-d and 3-d transposed
convolutions, each a ``Module`` over ``gs.nn.functional``."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .layers_conv import _Conv


class Conv3d(_Conv):
    """A 3-d convolution over ``(N, C, D, H, W)`` inputs, weight
    ``(out, in / groups, kd, kh, kw)``."""

    _nd = 3

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return F.conv3d(
                padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups
            )
        return F.conv3d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )
