"""``pdist``, ``bilinear`` and more of ``torch.nn.functional``, recorded as torch records
them."""

from __future__ import annotations

from ..autograd.function import apply
from ..errors import cpp_type_name
from ..ops import api
from ..ops.distance_misc import pdist
from ..ops.pool_misc import AdaptiveMaxPool2DBackward0
from ..ops.trilinear import TrilinearBackward0
from ._conv import _dims_2_to_3, _int_list, _list_with_default, _one, _tensor_arg, _tensor_args


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``.

    Recorded as torch records it: both inputs viewed as rows (``ViewBackward0``), one
    ``TrilinearBackward0`` with the weight, the result viewed back, then ``bias`` added.
    """
    _tensor_arg("bilinear", "input2", 2, input2)
    _tensor_arg("bilinear", "weight", 3, weight)
    _tensor_args("bilinear", ("bias", 4, bias))
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
    if len(sw) < 3:  # (torch reads its dim 2 first)
        n = len(sw)
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got 2)"
        )
    if len(sw) > 3:
        raise RuntimeError("number of dimensions must match")
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


# ---------------------------------------------------------------- adaptive max pools


def _sizes(v) -> str:
    return "[" + ", ".join(map(str, v)) + "]"


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """The largest value of each of ``output_size`` near-equal windows of ``(N, C, H, W)``
    or ``(C, H, W)`` input (None in ``output_size``: the input's size there); with
    ``return_indices``, also the flat ``H * W`` index of each (int64)."""
    output_size = _list_with_default(output_size, input)
    size = _int_list("adaptive_max_pool2d", "output_size", 2, output_size, 2)
    nd = input.ndim
    if nd not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {_sizes(input.shape)}"
        )
    for d in range(1, nd):
        if input.shape[d] == 0:
            raise RuntimeError(
                "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {_sizes(input.shape)} with dimension {d} "
                "being empty"
            )
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    if any(o < 0 for o in size):
        shape = _sizes(tuple(input.shape[:-2]) + size)
        neg = next(o for o in size if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {shape}")
    dtype = input._data.dtype
    if dtype.kind != "f":
        from ..errors import scalar_type_name

        raise NotImplementedError(
            f"\"adaptive_max_pool2d\" not implemented for '{scalar_type_name(dtype)}'"
        )
    out = apply(AdaptiveMaxPool2DBackward0, (input,), size)
    if not return_indices:
        return out
    node = out._grad_node()
    if node is not None and node._saved:  # the indices the node saved (shared, as torch's)
        st = node._saved["result1"]
        return out, api.Tensor._share(st.data, st.buffer, st.vc)
    from ..ops.pool_misc import adaptive_max_pool

    return out, api.Tensor._make(adaptive_max_pool(input._data, size)[1], None)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """The largest value of each of ``output_size`` near-equal windows of ``(N, C, L)`` or
    ``(C, L)`` input: ``adaptive_max_pool2d`` of the input unsqueezed at -2, squeezed back."""
    output_size = _int_list("adaptive_max_pool1d", "output_size", 2, output_size, 1)
    _dims_2_to_3("adaptive_max_pool1d", input)
    output_size = _one("output_size", output_size, "adaptive_max_pool1d")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(
                "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {_sizes(input.shape)} with dimension {d} "
                "being empty"
            )
    out, idx = adaptive_max_pool2d(api.unsqueeze(input, -2), (1, output_size), True)
    out, idx = api.squeeze(out, -2), api.squeeze(idx, -2)
    return (out, idx) if return_indices else out


__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d", "bilinear", "pdist"]
