"""Bad arguments get torch's exception, never a raw Python or NumPy error from inside
gradscope, nor a result where torch refuses.

Where torch's message comes from its argument parser (a float, list, None or bool where
a dim goes), gradscope's is a one-line message of the same type naming the argument;
elsewhere it is torch's own (see tests/parity.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, outcome, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def X(m, *shape):  # noqa: N802 - short, for the tables
    return m.ones(*shape) if shape else m.tensor(1.0)


ERRORS = {
    "flatten_0d_start_out_of_range": lambda m: X(m).flatten(-2, 4),
    "flatten_0d_end_out_of_range": lambda m: X(m).flatten(0, 1),
    "argmax_of_bools": lambda m: m.tensor([[True, False], [False, True]]).argmax(1),
    "argmin_of_bools": lambda m: m.tensor([True, False]).argmin(),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# a dim that is not an int: torch's parser refuses it (TypeError)
NOT_INT_DIMS = {
    "max_list": lambda m: X(m, 2, 3).max([0, 1]),
    "sum_float": lambda m: X(m, 2, 3).sum(dim=1.5),
    "sum_tuple_with_float": lambda m: X(m, 2, 3).sum(dim=(0, 1.0)),
    "transpose_float": lambda m: X(m, 2, 3).transpose(1.0, 0),
    "softmax_str": lambda m: X(m, 2, 3).softmax(dim="a"),
    "softmax_bool": lambda m: X(m, 2, 3).softmax(dim=True),
    "unsqueeze_none": lambda m: X(m, 2, 3).unsqueeze(None),
    "unsqueeze_bool": lambda m: X(m, 2, 3).unsqueeze(True),
    "argmax_float": lambda m: X(m, 2, 3).argmax(1.0),
    "cat_float": lambda m: m.cat([X(m, 2), X(m, 2)], dim=1.0),
    "narrow_float": lambda m: X(m, 2, 3).narrow(1.0, 0, 1),
    "sum_bool": lambda m: X(m, 2, 3).sum(dim=True),
    "gather_float": lambda m: X(m, 2, 3).gather(0.5, m.zeros(1, 1, dtype=m.int64)),
}


@pytest.mark.parametrize("case", NOT_INT_DIMS)
def test_a_dim_that_is_not_an_int_is_a_one_line_type_error(case):
    fn = NOT_INT_DIMS[case]
    te, _ = outcome(fn, torch)
    ge, _ = outcome(fn, gs)
    assert type(te) is TypeError
    assert type(ge) is TypeError, repr(ge)
    assert str(ge).startswith("argument 'dim' must be int, not "), str(ge)
    assert "\n" not in str(ge)


def test_a_numpy_int_is_a_dim():
    x = gs.ones(2, 3)
    assert x.sum(dim=np.int64(1)).shape == (2,)
    assert x.transpose(np.int32(0), 1).shape == (3, 2)
