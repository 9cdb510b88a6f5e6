"""Ops that torch refuses for complex tensors refuse them in gradscope with torch's
exception and message (where gradscope once computed an answer, as ``argmax`` in NumPy's
lexicographic order, or refused with a message of its own).

Each case runs under torch and under gradscope on the same 2x2 complex64 tensor, once
without and once with ``requires_grad``; see tests/parity.py for how errors compare.
"""

from __future__ import annotations

import pytest

from tests.parity import check_error

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

# op name and its arguments ("z": the complex tensor)
CASES = [
    ("abs_", ("z",)),
    ("amax", ("z",)),
    ("amin", ("z",)),
    ("aminmax", ("z",)),
    ("arctan2", ("z", "z")),
    ("argmax", ("z",)),
    ("argmin", ("z",)),
    ("argsort", ("z",)),
    ("atan2", ("z", "z")),
    ("binary_cross_entropy_with_logits", ("z", "z")),
    ("ceil", ("z",)),
    ("ceil_", ("z",)),
    ("celu", ("z",)),
    ("clamp_max", ("z", "z")),
    ("clamp_min", ("z", "z")),
    ("copysign", ("z", "z")),
    ("cummax", ("z", 0)),
    ("cummin", ("z", 0)),
    ("deg2rad", ("z",)),
    ("digamma", ("z",)),
    ("erf", ("z",)),
    ("erfc", ("z",)),
    ("erfinv", ("z",)),
    ("fix", ("z",)),
    ("floor", ("z",)),
    ("floor_divide", ("z", "z")),
    ("fmax", ("z", "z")),
    ("fmin", ("z", "z")),
    ("fmod", ("z", "z")),
    ("frac", ("z",)),
    ("hardshrink", ("z",)),
    ("heaviside", ("z", "z")),
    ("hypot", ("z", "z")),
    ("i0", ("z",)),
    ("isin", ("z", "z")),
    ("isneginf", ("z",)),
    ("isposinf", ("z",)),
    ("lgamma", ("z",)),
    ("log_softmax", ("z", 0)),
    ("log_softmax", ("z", 1)),
    ("logaddexp2", ("z", "z")),
    ("logit", ("z",)),
    ("max", ("z",)),
    ("maximum", ("z", "z")),
    ("median", ("z",)),
    ("min", ("z",)),
    ("minimum", ("z", "z")),
    ("mode", ("z",)),
    ("msort", ("z",)),
    ("nan_to_num", ("z",)),
    ("nanmean", ("z",)),
    ("nanmedian", ("z",)),
    ("nansum", ("z",)),
    ("rad2deg", ("z",)),
    ("relu", ("z",)),
    ("remainder", ("z", "z")),
    ("round", ("z",)),
    ("rrelu", ("z",)),
    ("searchsorted", ("z", "z")),
    ("selu", ("z",)),
    ("sign", ("z",)),
    ("signbit", ("z",)),
    ("slice_scatter", ("z", "z")),
    ("softmax", ("z", 0)),
    ("softmax", ("z", 1)),
    ("sort", ("z",)),
    ("topk", ("z", 1)),
    ("trunc", ("z",)),
    ("unique", ("z",)),
    ("unique_consecutive", ("z",)),
    ("xlogy", ("z", "z")),
]


# refused only where the complex output would need a gradient
GRAD_ONLY = {"nan_to_num", "slice_scatter"}


def _case(name: str, args: tuple, requires_grad: bool, dtype: str):
    def run(m):
        z = m.tensor([[1 + 2j, 3 - 1j], [0.5 - 0.5j, -1 + 0j]], dtype=getattr(m, dtype))
        z.requires_grad_(requires_grad)
        return getattr(m, name)(*[z if a == "z" else a for a in args])

    return run


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("requires_grad", [False, True], ids=["plain", "requires_grad"])
@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}{len(a)}" for n, a in CASES])
def test_complex_refused_as_torch(name, args, requires_grad, dtype):
    if requires_grad and name.endswith("_"):
        pytest.skip("torch refuses an in-place op on a leaf that requires grad first")
    if not requires_grad and name in GRAD_ONLY:
        pytest.skip("torch computes it without a gradient")
    check_error(_case(name, args, requires_grad, dtype))
