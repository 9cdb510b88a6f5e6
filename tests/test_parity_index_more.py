"""The fused products (addmm, addmv, addr, baddbmm, addbmm), index writes and the in-place
comparison, logical and bitwise forms against torch 2.13: errors (type and whole text),
result dtypes, values without grad, version counters and grad_fn names."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _f(*shape, dtype="float32"):
    def make(m):
        n = 1
        for s in shape:
            n *= s
        return (m.arange(n, dtype=getattr(m, dtype)) % 7 - 3).reshape(shape)

    return make


M35, M34, M45, V3, V4, V5 = _f(3, 5), _f(3, 4), _f(4, 5), _f(3), _f(4), _f(5)
B234, B245, B235 = _f(2, 3, 4), _f(2, 4, 5), _f(2, 3, 5)
F64 = "float64"

PRODUCT_ERRORS = {
    "addmm_shapes": lambda m: m.addmm(M35(m), M34(m), _f(3, 5)(m)),
    "addmm_mat2_dtype": lambda m: m.addmm(M35(m), M34(m), _f(4, 5, dtype=F64)(m)),
    "addmm_self_dtype": lambda m: m.addmm(_f(3, 5, dtype=F64)(m), M34(m), M45(m)),
    "addmm_mat1_dtype": lambda m: m.addmm(M35(m), _f(3, 4, dtype=F64)(m), M45(m)),
    "addmm_self_dtype_first": lambda m: m.addmm(_f(3, 5, dtype=F64)(m), V4(m), M45(m)),
    "addmm_mat1_1d": lambda m: m.addmm(M35(m), V4(m), M45(m)),
    "addmm_mat2_1d": lambda m: m.addmm(M35(m), M34(m), V5(m)),
    "addmm_self_shape": lambda m: m.addmm(_f(4, 5)(m), M34(m), M45(m)),
    "addmm_self_dims": lambda m: m.addmm(_f(2, 3, 5)(m), M34(m), M45(m)),
    "addmm_in_place_shape": lambda m: V5(m).addmm_(M34(m), M45(m)),
    "addmm_in_place_row": lambda m: _f(1, 5)(m).addmm_(M34(m), M45(m)),
    "addmm_bool": lambda m: m.addmm(M35(m).bool(), M34(m).bool(), M45(m).bool()),
    "addmv_sizes": lambda m: m.addmv(V3(m), M34(m), V5(m)),
    "addmv_dims": lambda m: m.addmv(V3(m), V4(m), V4(m)),
    "addmv_2d_vec": lambda m: m.addmv(V3(m), M34(m), M45(m)),
    "addmv_2d_input": lambda m: m.addmv(_f(2, 3)(m), M34(m), V4(m)),
    "addmv_input_size": lambda m: m.addmv(V4(m), M34(m), V4(m)),
    "addmv_dtype": lambda m: m.addmv(_f(3, dtype=F64)(m), M34(m), V4(m)),
    "addmv_vec_dtype": lambda m: m.addmv(V3(m), M34(m), _f(4, dtype=F64)(m)),
    "addmv_in_place_shape": lambda m: _f(1)(m).addmv_(M34(m), V4(m)),
    "addmv_bool": lambda m: m.addmv(V3(m).bool(), M34(m).bool(), V4(m).bool()),
    "addr_vec1_2d": lambda m: m.addr(M35(m), M34(m), V5(m)),
    "addr_vec2_2d": lambda m: m.addr(M35(m), V3(m), M34(m)),
    "addr_self_shape": lambda m: m.addr(M35(m), V3(m), V4(m)),
    "addr_self_1d_shape": lambda m: m.addr(V4(m), V3(m), V5(m)),
    "addr_self_dims": lambda m: m.addr(_f(2, 3, 5)(m), V3(m), V5(m)),
    "addr_int_float_alpha": lambda m: m.addr(M35(m).long(), V3(m).long(), V5(m).long(), alpha=1.5),
    "addr_bool_beta": lambda m: m.addr(M35(m), V3(m), V5(m), beta=True),
    "addr_bool_alpha": lambda m: m.addr(M35(m), V3(m), V5(m), alpha=True),
    "addr_in_place_1d": lambda m: V5(m).addr_(V3(m), V5(m)),
    "addr_in_place_int": lambda m: M35(m).int().addr_(V3(m), V5(m)),
    "baddbmm_batch2_2d": lambda m: m.baddbmm(B235(m), B234(m), M45(m)),
    "baddbmm_batches": lambda m: m.baddbmm(B235(m), B234(m), _f(3, 4, 5)(m)),
    "baddbmm_inner": lambda m: m.baddbmm(B235(m), B234(m), _f(2, 3, 5)(m)),
    "baddbmm_batch2_dtype": lambda m: m.baddbmm(B235(m), B234(m), _f(2, 4, 5, dtype=F64)(m)),
    "baddbmm_self_dtype": lambda m: m.baddbmm(_f(2, 3, 5, dtype=F64)(m), B234(m), B245(m)),
    "baddbmm_self_shape": lambda m: m.baddbmm(_f(2, 3, 4)(m), B234(m), B245(m)),
    "baddbmm_self_dims": lambda m: m.baddbmm(_f(1, 2, 3, 5)(m), B234(m), B245(m)),
    "baddbmm_batch1_2d": lambda m: m.baddbmm(B235(m), M34(m), B245(m)),
    "baddbmm_in_place_shape": lambda m: M35(m).baddbmm_(B234(m), B245(m)),
    "baddbmm_bool": lambda m: m.baddbmm(B235(m).bool(), B234(m).bool(), B245(m).bool()),
    "addbmm_batch2_2d": lambda m: m.addbmm(M35(m), B234(m), M45(m)),
    "addbmm_batches": lambda m: m.addbmm(M35(m), B234(m), _f(3, 4, 5)(m)),
    "addbmm_inner": lambda m: m.addbmm(M35(m), B234(m), _f(2, 3, 5)(m)),
    "addbmm_batch2_dtype": lambda m: m.addbmm(M35(m), B234(m), _f(2, 4, 5, dtype=F64)(m)),
    "addbmm_self_dtype": lambda m: m.addbmm(_f(3, 5, dtype=F64)(m), B234(m), B245(m)),
    "addbmm_batch1_dtype": lambda m: m.addbmm(M35(m), _f(2, 3, 4, dtype=F64)(m), B245(m)),
    "addbmm_self_shape": lambda m: m.addbmm(M34(m), B234(m), B245(m)),
    "addbmm_self_dims": lambda m: m.addbmm(B235(m), B234(m), B245(m)),
    "addbmm_batch1_2d": lambda m: m.addbmm(M35(m), M34(m), B245(m)),
    "addbmm_bool": lambda m: m.addbmm(M35(m).bool(), B234(m).bool(), B245(m).bool()),
}


@pytest.mark.parametrize("fn", params(PRODUCT_ERRORS))
def test_product_errors(fn):
    check_error(fn)


def _grads(m, *ts):
    return [t.requires_grad_() for t in ts]


def _in_place_version(m, op, shapes, **kw):
    x = _f(*shapes[0])(m).requires_grad_()
    y = x * 1
    v = y._version
    getattr(y, op)(*[_f(*s)(m) for s in shapes[1:]], **kw)
    return y, y._version - v


PRODUCT_VALUES = {
    "addmm_int": lambda m: m.addmm(M35(m).long(), M34(m).long(), M45(m).long(), alpha=2),
    "addmm_int_float_beta": lambda m: m.addmm(
        M35(m).long(), M34(m).long(), M45(m).long(), beta=2.0
    ),
    "addmm_beta0_nan": lambda m: m.addmm(M35(m) / 0, M34(m), M45(m), beta=0),
    "addmm_method": lambda m: M35(m).addmm(M34(m), M45(m), beta=2, alpha=-1),
    "addmm_grad": lambda m: m.addmm(*_grads(m, M35(m), M34(m), M45(m))),
    "addmm_no_grad": lambda m: m.addmm(M35(m), M34(m), M45(m).requires_grad_(), beta=3),
    "addmm_in_place": lambda m: _in_place_version(m, "addmm_", ((3, 5), (3, 4), (4, 5))),
    "addmv_bcast_input": lambda m: m.addmv(_f(1)(m), M34(m), V4(m)),
    "addmv_0d_input": lambda m: m.addmv(_f(1)(m)[0], M34(m), V4(m), alpha=2),
    "addmv_int_float_alpha": lambda m: m.addmv(
        V3(m).long(), M34(m).long(), V4(m).long(), alpha=1.5
    ),
    "addmv_in_place": lambda m: _in_place_version(m, "addmv_", ((3,), (3, 4), (4,))),
    "addr_promotes": lambda m: m.addr(M35(m), _f(3, dtype=F64)(m), V5(m)),
    "addr_int_self": lambda m: m.addr(M35(m).int(), V3(m), V5(m)),
    "addr_bool": lambda m: m.addr(M35(m).bool(), V3(m).bool(), V5(m).bool(), beta=2),
    "addr_1d_self": lambda m: m.addr(V5(m), *_grads(m, V3(m), V5(m))),
    "addr_in_place_f64_vec": lambda m: M35(m).addr_(_f(3, dtype=F64)(m), V5(m)),
    "addr_in_place": lambda m: _in_place_version(m, "addr_", ((3, 5), (3,), (5,))),
    "baddbmm_bcast": lambda m: m.baddbmm(M35(m), *_grads(m, B234(m), B245(m))),
    "baddbmm_1d_self": lambda m: V5(m).baddbmm(B234(m), B245(m), beta=0.5),
    "baddbmm_in_place": lambda m: _in_place_version(
        m, "baddbmm_", ((2, 3, 5), (2, 3, 4), (2, 4, 5)), alpha=2
    ),
    "addbmm_bcast": lambda m: m.addbmm(V5(m), *_grads(m, B234(m), B245(m)), beta=2),
    "addbmm_in_place": lambda m: _in_place_version(
        m, "addbmm_", ((3, 5), (2, 3, 4), (2, 4, 5)), beta=0
    ),
}


@pytest.mark.parametrize("fn", params(PRODUCT_VALUES))
def test_product_values(fn):
    check_value(fn)


# ---------------------------------------------------------------- index writes

X43 = _f(4, 3)


def _i(*vals, dtype="int64"):
    return lambda m: m.tensor(list(vals), dtype=getattr(m, dtype))


I30 = _i(3, 0)
S23 = _f(2, 3)

INDEX_ERRORS = {
    "index_add_source_type": lambda m: m.index_add(X43(m), 0, I30(m), 1.0),
    "index_add_index_float": lambda m: m.index_add(X43(m), 0, I30(m).float(), S23(m)),
    "index_add_source_dtype": lambda m: m.index_add(X43(m), 0, I30(m), _f(2, 3, dtype=F64)(m)),
    "index_add_index_2d": lambda m: m.index_add(X43(m), 0, m.tensor([[3, 0]]), S23(m)),
    "index_add_dim": lambda m: m.index_add(X43(m), 2, I30(m), S23(m)),
    "index_add_count": lambda m: m.index_add(X43(m), 0, I30(m), _f(3, 3)(m)),
    "index_add_slice": lambda m: m.index_add(X43(m), 0, I30(m), _f(2, 4)(m)),
    "index_add_dims": lambda m: m.index_add(X43(m), 0, I30(m), _f(2, 3, 1)(m)),
    "index_add_bounds": lambda m: m.index_add(X43(m), 0, _i(4, 0)(m), S23(m)),
    "index_add_negative": lambda m: m.index_add(X43(m), 0, _i(-1, 0)(m), S23(m)),
    "index_add_leaf": lambda m: m.ones(4, 3, requires_grad=True).index_add_(0, I30(m), S23(m)),
    "index_copy_index_int": lambda m: m.index_copy(X43(m), 0, I30(m).int(), S23(m)),
    "index_copy_source_dtype": lambda m: m.index_copy(X43(m), 0, I30(m), _f(2, 3, dtype=F64)(m)),
    "index_copy_count": lambda m: m.index_copy(X43(m), 0, I30(m), _f(3, 3)(m)),
    "index_copy_slice": lambda m: m.index_copy(X43(m), 0, I30(m), _f(2, 4)(m)),
    "index_copy_dims": lambda m: m.index_copy(X43(m), 0, I30(m), _f(2, 3, 1)(m)),
    "index_copy_bounds": lambda m: m.index_copy(X43(m), 0, _i(4, 0)(m), S23(m)),
    "index_copy_dim": lambda m: m.index_copy(X43(m), 2, I30(m), S23(m)),
    "index_copy_source_dims": lambda m: m.index_copy(X43(m), 1, m.tensor(2), _f(4)(m)),
    "index_copy_index_2d": lambda m: m.index_copy(X43(m), 0, m.tensor([[3, 0]]), S23(m)),
    "index_fill_index_int": lambda m: m.index_fill(X43(m), 0, I30(m).int(), 1.0),
    "index_fill_bounds": lambda m: m.index_fill(X43(m), 0, _i(4)(m), 1.0),
    "index_fill_dim": lambda m: m.index_fill(X43(m), 2, I30(m), 1.0),
    "index_fill_value_1d": lambda m: m.index_fill(X43(m), 0, I30(m), m.tensor([1.0, 2.0])),
    "index_fill_index_2d": lambda m: m.index_fill(X43(m), 0, m.tensor([[3, 0]]), 1.0),
    "scatter__dtype": lambda m: X43(m).scatter_(0, m.tensor([[0, 1, 2]]), _f(1, 3, dtype=F64)(m)),
    "scatter_add__dtype": lambda m: X43(m).scatter_add_(
        0, m.tensor([[0, 1, 2]]), _f(1, 3, dtype=F64)(m)
    ),
    "scatter__bounds": lambda m: X43(m).scatter_(0, m.tensor([[4, 1, 2]]), _f(1, 3)(m)),
    "scatter__reduce": lambda m: X43(m).scatter_(0, m.tensor([[0, 1, 2]]), 2.0, reduce="max"),
    "masked_scatter_source_type": lambda m: m.masked_scatter(X43(m), X43(m) > 0, 1.0),
    "masked_scatter_byte_mask": lambda m: m.masked_scatter(
        X43(m), m.ones(4, 3).to(m.uint8), _f(12)(m)
    ),
    "masked_scatter_dtype": lambda m: m.masked_scatter(
        X43(m), m.ones(3).bool(), _f(12, dtype=F64)(m)
    ),
    "masked_scatter_broadcast": lambda m: m.masked_scatter(X43(m), m.ones(5).bool(), _f(12)(m)),
    "masked_scatter_too_few": lambda m: m.masked_scatter(X43(m), m.ones(4, 3).bool(), S23(m)),
    "masked_scatter__bigger_mask": lambda m: _f(3)(m).masked_scatter_(
        m.ones(4, 3).bool(), _f(12)(m)
    ),
    "masked_scatter__mask_shape": lambda m: _f(2, 3)(m).masked_scatter_(
        m.ones(4, 3).bool(), _f(12)(m)
    ),
    "put_index_int": lambda m: X43(m).put(_i(0, 1)(m).int(), _f(2)(m)),
    "put_dtype": lambda m: X43(m).put(_i(0, 1)(m), _f(2, dtype=F64)(m)),
    "put_count": lambda m: X43(m).put(_i(0, 1)(m), _f(3)(m)),
    "put_bounds": lambda m: X43(m).put_(_i(12)(m), _f(1)(m)),
    "put_negative_bounds": lambda m: X43(m).put_(_i(-13)(m), _f(1)(m)),
    "index_put_dtype": lambda m: m.index_put(X43(m), (I30(m),), _f(2, 3, dtype=F64)(m)),
    "index_put_value_shape": lambda m: m.index_put(X43(m), (I30(m),), _f(3, 3)(m)),
    "index_put_bounds": lambda m: m.index_put(X43(m), (_i(5)(m),), _f(3)(m)),
    "index_put_float_index": lambda m: m.index_put(X43(m), (I30(m).float(),), S23(m)),
    "index_put_not_tuple": lambda m: m.index_put(X43(m), I30(m), S23(m)),
    "index_put_index_shapes": lambda m: m.index_put(X43(m), (I30(m), _i(0, 1, 2)(m)), _f(2)(m)),
    "index_put__leaf": lambda m: m.ones(4, 3, requires_grad=True).index_put_((I30(m),), S23(m)),
}


@pytest.mark.parametrize("fn", params(INDEX_ERRORS))
def test_index_write_errors(fn):
    check_error(fn)


def _version_bump(m, op, *args, **kw):
    y = X43(m)
    v = y._version
    out = getattr(y, op)(*args, **kw)
    return out is y, y._version - v, y


INDEX_VALUES = {
    "index_add_int32_index": lambda m: m.index_add(X43(m), 0, I30(m).int(), S23(m), alpha=2),
    "index_add_int_alpha_float": lambda m: m.index_add(
        X43(m).long(), 0, I30(m), S23(m).long(), alpha=1.5
    ),
    "index_add_repeats": lambda m: m.index_add(X43(m), 1, _i(1, 1, 1)(m), _f(4, 3)(m)),
    "index_add_no_grad": lambda m: m.index_add(X43(m), 0, I30(m), S23(m).requires_grad_()),
    "index_add_self_grad": lambda m: m.index_add(X43(m).requires_grad_(), 0, I30(m), S23(m)),
    "index_add_0d": lambda m: m.index_add(m.tensor(1.0), 0, _i(0)(m), m.tensor(2.0)),
    "index_add_version": lambda m: _version_bump(m, "index_add_", 0, I30(m), S23(m)),
    "index_copy_0d_index": lambda m: m.index_copy(X43(m), 1, m.tensor(2), _f(4, 1)(m)),
    "index_copy_version": lambda m: _version_bump(m, "index_copy_", 0, I30(m), S23(m)),
    "index_fill_int_float_value": lambda m: m.index_fill(X43(m).long(), 0, I30(m), 1.5),
    "index_fill_negative": lambda m: m.index_fill(X43(m), 0, _i(-1)(m), 1.0),
    "index_fill_f64_value": lambda m: m.index_fill(X43(m), 0, I30(m), m.tensor(1.0).double()),
    "index_fill_grad_value": lambda m: m.index_fill(
        X43(m), 0, I30(m), m.tensor(1.0).requires_grad_()
    ),
    "index_fill_version": lambda m: _version_bump(m, "index_fill_", 1, _i(0)(m), -2),
    "scatter__version": lambda m: _version_bump(m, "scatter_", 0, m.tensor([[0, 1, 2]]), 2.0),
    "scatter__reduce_add": lambda m: X43(m).scatter_(
        0, m.tensor([[0, 1, 2]]), _f(1, 3)(m), reduce="add"
    ),
    "scatter__reduce_grad": lambda m: (X43(m).requires_grad_() * 1).scatter_(
        0, m.tensor([[0, 1, 2]]), 2.0, reduce="multiply"
    ),
    "scatter_add__version": lambda m: _version_bump(
        m, "scatter_add_", 0, m.tensor([[0, 1, 2]]), _f(1, 3)(m)
    ),
    "masked_scatter_smaller_self": lambda m: m.masked_scatter(
        _f(3)(m).requires_grad_(), X43(m) > 0, _f(12)(m)
    ),
    "masked_scatter_version": lambda m: _version_bump(m, "masked_scatter_", X43(m) > 0, _f(12)(m)),
    "put_negative": lambda m: X43(m).put(_i(-12, -1)(m), _f(2)(m)),
    "put_2d_index": lambda m: X43(m).put(m.tensor([[0], [1]]), _f(2)(m)),
    "put_version": lambda m: _version_bump(m, "put_", _i(0, 1)(m), _f(2)(m), accumulate=True),
    "index_put_list": lambda m: m.index_put(X43(m), [I30(m)], S23(m)),
    "index_put_bool_mask": lambda m: m.index_put(
        X43(m), (m.tensor([True, False, True, False]),), m.tensor(2.0)
    ),
    "index_put_int32": lambda m: m.index_put(X43(m), (I30(m).int(), _i(1, 1)(m)), _f(1)(m)),
    "index_put_negative": lambda m: m.index_put(X43(m), (_i(-1)(m),), _f(3)(m), True),
    "index_put_version": lambda m: _version_bump(m, "index_put_", (_i(1)(m),), m.tensor(1.0)),
}


@pytest.mark.parametrize("fn", params(INDEX_VALUES))
def test_index_write_values(fn):
    check_value(fn)


# ---------------------------------------------------------------- scatter_reduce

J = lambda m: m.tensor([[0, 1, 2], [0, 1, 1]])  # noqa: E731


def _small_index_backward(m):
    a, s = X43(m).requires_grad_(), S23(m).requires_grad_()
    m.scatter_reduce(a, 0, J(m)[:1], s, "sum").sum().backward()


REDUCE_ERRORS = {
    "scatter_reduce_name": lambda m: m.scatter_reduce(X43(m), 0, J(m), S23(m), "foo"),
    "scatter_reduce_dtype": lambda m: m.scatter_reduce(
        X43(m), 0, J(m), _f(2, 3, dtype=F64)(m), "sum"
    ),
    "scatter_reduce_bounds": lambda m: m.scatter_reduce(X43(m), 0, J(m) + 3, S23(m), "amax"),
    "scatter_reduce_index_dims": lambda m: m.scatter_reduce(
        X43(m), 0, m.tensor([0, 1, 2]), S23(m), "sum"
    ),
    "scatter_reduce_src_type": lambda m: m.scatter_reduce(X43(m), 0, J(m), 1.0, "sum"),
    "scatter_reduce_smaller_index_backward": _small_index_backward,
    "scatter_reduce__leaf": lambda m: m.ones(4, 3, requires_grad=True).scatter_reduce_(
        0, J(m), S23(m), "sum"
    ),
}


@pytest.mark.parametrize("fn", params(REDUCE_ERRORS))
def test_scatter_reduce_errors(fn):
    check_error(fn)


def _reduce(red, inc=True, dtype="float32"):
    return lambda m: m.scatter_reduce(
        _f(4, 3, dtype=dtype)(m), 0, J(m), _f(2, 3, dtype=dtype)(m), red, include_self=inc
    )


REDUCE_VALUES = {
    **{
        f"{red}_{dtype}_{inc}": _reduce(red, inc, dtype)
        for red in ("sum", "prod", "mean", "amax", "amin")
        for inc in (True, False)
        for dtype in ("float32", "int64")
    },
    "int32_index": lambda m: m.scatter_reduce(X43(m), 0, J(m).int(), S23(m), reduce="sum"),
    "grad_fn": lambda m: m.scatter_reduce(X43(m).requires_grad_(), 0, J(m), S23(m), "prod"),
    "version": lambda m: _version_bump(m, "scatter_reduce_", 0, J(m), S23(m), "amin"),
}


@pytest.mark.parametrize("fn", params(REDUCE_VALUES))
def test_scatter_reduce_values(fn):
    check_value(fn)


# ---------------------------------------------------------------- in-place logic, bits

XI = lambda m: m.tensor([[1, -2, 3], [0, 5, -1]])  # noqa: E731
XF = lambda m: m.tensor([[1.0, -2.0, 3.0], [0.0, 5.0, -1.0]])  # noqa: E731
XB = lambda m: XI(m) > 0  # noqa: E731


def _grad_target(m):
    return XF(m).requires_grad_() * 1


def _after(fn):
    """``fn``'s target, with its version and whether ``fn`` returned the target itself."""

    def case(m):
        t, out = fn(m)
        return out is t, t._version, t

    return case


_COMPARES = (
    "eq_",
    "ne_",
    "lt_",
    "le_",
    "gt_",
    "ge_",
    "greater_",
    "greater_equal_",
    "less_",
    "less_equal_",
    "not_equal_",
)


def _compare(op: str, target, other):
    return lambda m: getattr(target(m), op)(other)


def _bits(op: str, kind: str):
    def case(m):
        name = "bitwise_" + op
        if kind == "scalar":
            return getattr(m, name)(XI(m), 3)
        if kind == "bool":
            return getattr(XI(m), name)(XB(m))
        if kind == "int32":
            return getattr(m, name)(XI(m), XI(m).int().abs())
        if kind == "in_place":
            return getattr(XI(m), name + "_")(2)
        return getattr(m, name)(2, XI(m))

    return case


def _bits_error(op: str, kind: str):
    def case(m):
        if kind == "float":
            return getattr(m, "bitwise_" + op)(XF(m), 1)
        return getattr(XB(m), "bitwise_" + op + "_")(XI(m))

    return case


_BIT_OPS = ("and", "or", "xor", "left_shift", "right_shift")

LOGIC_VALUES = {
    **{f"{op}_float_grad": _compare(op, _grad_target, 0) for op in _COMPARES},
    **{f"{op}_int": _compare(op, XI, 1.5) for op in _COMPARES},
    "eq__tensor_grad": lambda m: _grad_target(m).eq_(m.tensor([1.0, 2, 3], requires_grad=True)),
    "lt__bool": lambda m: XB(m).lt_(1),
    "eq__broadcast": lambda m: XI(m).eq_(m.tensor([1, 2, 3])),
    "ge__version": _after(lambda m: (lambda t: (t, t.ge_(0)))(XF(m))),
    "logical_and__grad": lambda m: _grad_target(m).logical_and_(XF(m)),
    "logical_or__int_bool": lambda m: XI(m).logical_or_(XB(m)),
    "logical_xor__bool_int": lambda m: XB(m).logical_xor_(XI(m)),
    "logical_not__grad": lambda m: _grad_target(m).logical_not_(),
    "logical_not__int": lambda m: XI(m).logical_not_(),
    "logical_not__leaf": lambda m: XF(m).requires_grad_().logical_not_(),
    "logical_and__leaf_version": _after(
        lambda m: (lambda t: (t, t.logical_and_(t)))(XF(m).requires_grad_())
    ),
    **{
        f"bitwise_{op}_{kind}": _bits(op, kind)
        for op in _BIT_OPS
        for kind in ("scalar", "bool", "int32", "in_place", "number_first")
    },
    "right_shift_edges": lambda m: m.tensor([1, -8, 16]).bitwise_right_shift(m.tensor([-1, 70, 2])),
    "left_shift_edges": lambda m: m.tensor([1, -8, 16]).bitwise_left_shift(m.tensor([-1, 64, 63])),
    "left_shift_int32": lambda m: m.tensor([1, -8, 16], dtype=m.int32).bitwise_left_shift(
        m.tensor([31, 32, 33], dtype=m.int32)
    ),
    "right_shift_uint8": lambda m: m.tensor([1, 248, 16], dtype=m.uint8).bitwise_right_shift(
        m.tensor([1, 9, 2], dtype=m.uint8)
    ),
    "bitwise_not_int": lambda m: m.bitwise_not(XI(m)),
    "bitwise_not_bool": lambda m: XB(m).bitwise_not(),
    "bitwise_not__int": lambda m: XI(m).bitwise_not_(),
    "bitwise_and__version": _after(lambda m: (lambda t: (t, t.bitwise_and_(6)))(XI(m))),
    "cumsum__int32": lambda m: XI(m).int().cumsum_(0),
    "cumsum__same_dtype": lambda m: XI(m).cumsum_(0, dtype=m.int64),
    "cumprod__grad": lambda m: _grad_target(m).cumprod_(1),
    "cumsum__version": _after(lambda m: (lambda t: (t, t.cumsum_(1)))(XF(m))),
    "fill_diagonal__int": lambda m: XI(m).fill_diagonal_(1.5),
    "fill_diagonal__wrap": lambda m: m.zeros(7, 3).fill_diagonal_(1, wrap=True),
    "fill_diagonal__no_wrap": lambda m: m.zeros(7, 3).fill_diagonal_(1),
    "fill_diagonal__wide_wrap": lambda m: m.zeros(2, 5).fill_diagonal_(1, wrap=True),
    "fill_diagonal__3d": lambda m: m.zeros(2, 2, 2).fill_diagonal_(1),
    "fill_diagonal__grad": lambda m: _grad_target(m).fill_diagonal_(7),
    "fill_diagonal__version": _after(lambda m: (lambda t: (t, t.fill_diagonal_(0)))(XF(m))),
}


@pytest.mark.parametrize("fn", params(LOGIC_VALUES))
def test_logic_and_bits_in_place_values(fn):
    check_value(fn)


LOGIC_ERRORS = {
    "eq__shape": lambda m: XI(m).eq_(m.ones(3, 3)),
    "eq__broadcast_up": lambda m: XI(m).eq_(m.ones(4, 2, 3)),
    "lt__leaf": lambda m: XF(m).requires_grad_().lt_(0),
    "logical_and__shape": lambda m: XI(m).logical_and_(m.ones(3, 3)),
    "logical_or__broadcast_up": lambda m: XI(m).logical_or_(m.ones(4, 2, 3)),
    **{f"bitwise_{op}_float": _bits_error(op, "float") for op in _BIT_OPS},
    **{f"bitwise_{op}__bool_int": _bits_error(op, "bool_int") for op in _BIT_OPS},
    "bitwise_and_float_number": lambda m: m.bitwise_and(XI(m), 2.5),
    "bitwise_and_int_float": lambda m: XI(m).bitwise_and(XF(m)),
    "bitwise_not_float": lambda m: m.bitwise_not(XF(m)),
    "bitwise_not_number": lambda m: m.bitwise_not(2),
    "cumsum__dtype": lambda m: XI(m).cumsum_(0, dtype=m.float32),
    "cumprod__dtype": lambda m: _grad_target(m).cumprod_(1, dtype=m.float64),
    "cumsum__dim": lambda m: XF(m).cumsum_(2),
    "cumsum__bool": lambda m: XB(m).cumsum_(0),
    "fill_diagonal__1d": lambda m: m.zeros(3).fill_diagonal_(1),
    "fill_diagonal__unequal": lambda m: m.zeros(2, 3, 2).fill_diagonal_(1),
    "fill_diagonal__leaf": lambda m: XF(m).requires_grad_().fill_diagonal_(1),
}


@pytest.mark.parametrize("fn", params(LOGIC_ERRORS))
def test_logic_and_bits_in_place_errors(fn):
    check_error(fn)


# ---------------------------------------------------------------- create_graph


def _tree(node, depth: int = 4) -> str:
    if node is None or depth == 0:
        return ""
    kids = [_tree(n, depth - 1) for n, _ in node.next_functions if n is not None]
    name = node.name().replace("torch::autograd::", "")
    return name + (f"({','.join(kids)})" if any(kids) else "")


_J2 = lambda m: m.tensor([[0, 1, 2], [0, 1, 1]])  # noqa: E731

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _reduced(reduce: str):
    def fn(m, a, s):
        return a.scatter_reduce(0, _J2(m), s, reduce, include_self=reduce != "mean")

    return fn


GRAPH_CASES = {
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2), [(4,), (3, 5), (5, 4)]),
    "addmm_default": (lambda m, c, a, b: m.addmm(c, a, b), [(3, 4), (3, 5), (5, 4)]),
    "addmv": (lambda m, c, a, b: m.addmv(c, a, b, beta=2, alpha=3), [(3,), (3, 5), (5,)]),
    "addr": (lambda m, c, a, b: m.addr(c, a, b, alpha=2), [(3, 5), (3,), (5,)]),
    "baddbmm": (lambda m, c, a, b: m.baddbmm(c, a, b, alpha=2), [(2, 3, 4), (2, 3, 5), (2, 5, 4)]),
    "addbmm": (lambda m, c, a, b: m.addbmm(c, a, b, beta=3), [(3, 4), (2, 3, 5), (2, 5, 4)]),
    "index_add": (lambda m, a, s: a.index_add(1, m.tensor([1, 0, 1]), s, alpha=2), [(4, 3)] * 2),
    "index_copy": (lambda m, a, s: a.index_copy(0, m.tensor([1, 3]), s), [(4, 3), (2, 3)]),
    "index_fill": (lambda m, a: a.index_fill(0, m.tensor([1, 3]), 2.0), [(4, 3)]),
    "index_fill_tensor": (lambda m, a, v: a.index_fill(0, m.tensor([1, 3, 1]), v), [(4, 3), ()]),
    "masked_scatter": (
        lambda m, a, s: a.masked_scatter(m.tensor([[True, False, True]] * 4), s),
        [(3,), (3, 4)],
    ),
    "put": (lambda m, a, s: a.put(m.tensor([0, 5, -1]), s), [(4, 3), (3,)]),
    "put_accumulate": (
        lambda m, a, s: a.put(m.tensor([[0, 5], [0, 11]]), s, accumulate=True),
        [(4, 3), (2, 2)],
    ),
    "index_put": (lambda m, a, s: m.index_put(a, (m.tensor([3, 0]),), s), [(4, 3), (2, 3)]),
    "index_put_accumulate": (
        lambda m, a, s: m.index_put(a, (m.tensor([3, 3, 0]),), s, accumulate=True),
        [(4, 3), (3,)],
    ),
    **{f"scatter_reduce_{r}": (_reduced(r), [(4, 3), (2, 3)]) for r in _REDUCTIONS},
}


@pytest.mark.parametrize("name", sorted(GRAPH_CASES))
def test_first_order_gradient_graphs_have_torchs_nodes(name):
    """The grad_fn tree of each first gradient, taken with create_graph, is torch's."""
    fn, shapes = GRAPH_CASES[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    trees = []
    for m in (gs, torch):
        ins = [m.tensor(a, requires_grad=True) for a in arrays]
        y = fn(m, *ins)
        go = m.tensor(np.ones(tuple(y.shape)), requires_grad=True)
        grads = m.autograd.grad(y, ins, go, create_graph=True, allow_unused=True)
        trees.append([None if g is None else _tree(g.grad_fn) for g in grads])
    assert trees[0] == trees[1]
