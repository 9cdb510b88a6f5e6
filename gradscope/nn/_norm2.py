"""``instance_norm`` and ``local_response_norm``, recorded as torch records them.

torch runs ``instance_norm`` as a ``batch_norm`` of the input viewed as one sample of
``N * C`` channels, with the weight, bias and running statistics repeated ``N`` times
(``RepeatBackward0``), then viewed back; the running statistics, updated on the repeated
copies, are averaged back over the samples in place (in training). ``local_response_norm`` is its
composite of a square, a zero pad along the channels, an average pool (2-d for 3-d input,
3-d beyond) and a power.
"""

from __future__ import annotations

from ..autograd.function import apply
from ..autograd.grad_mode import no_grad
from ..ops import api
from ..ops.pool3d import AvgPool3DBackward0
from ._conv import _tensor_args, avg_pool2d
from .functional import _size, batch_norm, pad


def _repeat(t, n: int):
    return None if t is None else t.repeat(n)


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Each channel of each sample normalised to mean 0 and variance 1 over its other dims
    (``use_input_stats``; otherwise with the running statistics), then scaled by ``weight``
    and shifted by ``bias`` per channel."""
    tensors = (("weight", 2, weight), ("bias", 3, bias))
    tensors += (("running_mean", 4, running_mean), ("running_var", 5, running_var))
    if use_input_stats:
        spatial = 1
        for n in input.shape[2:]:
            spatial *= n
        if spatial == 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"{_size(input.shape)}"
            )
    _tensor_args("instance_norm", *tensors)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    if input.ndim < 2:
        api._dim(1, input.ndim)
    b, c = input.shape[:2]
    shape = (1, b * c) + tuple(input.shape[2:])
    weight_, bias_ = _repeat(weight, b), _repeat(bias, b)  # (in torch's order)
    mean_, var_ = _repeat(running_mean, b), _repeat(running_var, b)
    x = api.view(input.contiguous(), shape)
    out = batch_norm(x, mean_, var_, weight_, bias_, use_input_stats, momentum, eps)
    with no_grad():  # (in eval, left as they are: torch does not copy them back)
        if running_mean is not None and use_input_stats:
            running_mean.copy_(api.view(mean_, (b, c)).mean(0))
        if running_var is not None and use_input_stats:
            running_var.copy_(api.view(var_, (b, c)).mean(0))
    return api.view(out, tuple(input.shape))


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
    """Each element divided by ``(k + alpha * mean of the squares of the ``size``
    neighbouring channels) ** beta``."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    if size == 0:  # (torch's pool's check, as its pool reports it)
        kernel = "kH: 0 kW: 1" if dim == 3 else "kT: 0 kH: 1 kW: 1"
        raise RuntimeError(f"kernel size should be greater than zero, but got {kernel}")
    div = input.mul(input)
    if dim == 3:
        div = api.unsqueeze(div, 1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = api.squeeze(avg_pool2d(div, (size, 1), stride=1), 1)
    else:
        sizes = tuple(input.shape)
        div = api.view(div, (sizes[0], 1, sizes[1], sizes[2], -1))
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = apply(
            AvgPool3DBackward0, (div,), (size, 1, 1), (1, 1, 1), (0, 0, 0), False, True, None
        )
        div = api.squeeze(div, 1)
        div = api.view(div, sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
