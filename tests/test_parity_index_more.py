"""The fused products (addmm, addmv, addr, baddbmm, addbmm), index writes and the in-place
comparison, logical and bitwise forms against torch 2.13: errors (type and whole text),
result dtypes, values without grad, version counters and grad_fn names."""

from __future__ import annotations

import pytest

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
