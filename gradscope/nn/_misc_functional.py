"""``pdist``, ``bilinear`` and more of ``torch.nn.functional``, recorded as torch records
them."""

from __future__ import annotations

from ..autograd.function import apply
from ..errors import cpp_type_name
from ..ops.distance_misc import pdist
from ..ops.trilinear import TrilinearBackward0


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``.

    Recorded as torch records it: both inputs viewed as rows (``ViewBackward0``), one
    ``TrilinearBackward0`` with the weight, the result viewed back, then ``bias`` added.
    """
    ts = [("input1", input1), ("input2", input2), ("weight", weight)]
    if bias is not None:
        ts.append(("bias", bias))
    if len({t._data.dtype for _, t in ts}) > 1:
        got = ", ".join(f"{name}: {cpp_type_name(t._data.dtype)}" for name, t in ts)
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    s1, s2, sw = tuple(input1.shape), tuple(input2.shape), tuple(weight.shape)
    if len(s1) != len(s2):
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}"
        )
    for i, (a, b) in enumerate(zip(s1[:-1], s2[:-1])):
        if a != b:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got {a} and {b}"
            )
    if s1[-1] != sw[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected {sw[1]}"
        )
    if s2[-1] != sw[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected {sw[2]}"
        )
    if bias is not None and bias.shape[0] != sw[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but "
            f"expected {sw[0]}"
        )
    a = input1.reshape(-1, s1[-1])
    b = input2.reshape(-1, s2[-1])
    out = apply(TrilinearBackward0, (a, weight, b), (1, 3), (0,), (1, 2), (2, 3))
    out = out.reshape(s1[:-1] + (sw[0],))
    return out if bias is None else out + bias


__all__ = ["bilinear", "pdist"]
