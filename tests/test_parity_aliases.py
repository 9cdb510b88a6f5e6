"""torch's other names for the same ops (``multiply``, ``divide``, ``fix``, ``arccos``,
``greater``, ``type_as``, ...) as tensor methods, in-place methods and ``gs.`` functions,
against torch 2.13: values, dtype, the node recorded, gradients and version counts; and
the in-place inverse hyperbolic functions, which torch records without a derivative (the
out-of-place ones are in op_cases.py)."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

VALUES = [0.75, -0.5, 0.25, -0.0, 0.9]

# alias -> (the arguments after the tensor, which of them are tensors made like it)
BINARY = {
    "multiply": (2.5,),
    "divide": (-1.5,),
    "subtract": (0.25,),
    "true_divide": (3.0,),
    "arctan2": ("other",),
    "greater": (0.0,),
    "greater_equal": (0.25,),
    "less": (0.0,),
    "less_equal": (-0.5,),
    "not_equal": (0.25,),
}
UNARY = ["negative", "absolute", "fix", "arccos", "arcsin", "arctan"]
IN_PLACE = ["multiply_", "divide_", "subtract_", "true_divide_", "arctan2_", "negative_",
            "absolute_", "fix_", "arccos_", "arcsin_", "arctan_"]  # fmt: skip
NO_GRAD = {"greater", "greater_equal", "less", "less_equal", "not_equal"}


def _args(m, name: str) -> tuple:
    if name in UNARY or name.rstrip("_") in UNARY:
        return ()
    spec = BINARY[name.rstrip("_")]
    return tuple(m.tensor([0.5, 1.0, -2.0, 0.25, 3.0]) if a == "other" else a for a in spec)


def _outcome(m, name: str, how: str):
    x = m.tensor(VALUES, dtype=m.float64, requires_grad=True)
    y = x * 1
    args = _args(m, name)
    if how == "method":
        out = getattr(y, name)(*args)
    elif how == "function":
        out = getattr(m, name)(y, *args)
    else:  # in place
        out = getattr(y, name)(*args)
        assert out is y
    node = out.grad_fn.name() if out.grad_fn is not None else None
    version = y._version
    grad = None
    if out.requires_grad:
        out.sum().backward()
        grad = x.grad.tolist()
    return np.asarray(out.tolist()).tolist(), str(out.dtype).split(".")[1], node, grad, version


def _same(got, want) -> None:
    """Values and gradients to the last bit or so (libm's acos may differ by one ulp),
    signs of zero included; dtype, node and version exactly."""
    for g, w in ((got[0], want[0]), (got[3], want[3])):
        assert (g is None) == (w is None)
        if g is not None:
            g, w = np.asarray(g, float), np.asarray(w, float)
            np.testing.assert_allclose(g, w, rtol=1e-15, atol=0)
            assert (np.signbit(g) == np.signbit(w)).all()
    assert got[1:3] == want[1:3] and got[4] == want[4]


@pytest.mark.parametrize("name", sorted(BINARY) + UNARY)
@pytest.mark.parametrize("how", ["method", "function"])
def test_an_alias_is_the_op_it_names(name, how):
    got = _outcome(gs, name, how)
    _same(got, _outcome(torch, name, how))
    assert (got[2] is None) == (name in NO_GRAD)


@pytest.mark.parametrize("name", IN_PLACE)
def test_an_in_place_alias_is_the_in_place_op_it_names(name):
    got = _outcome(gs, name, "in place")
    _same(got, _outcome(torch, name, "in place"))
    assert got[4] == 1


def test_divide_takes_a_rounding_mode_and_type_as_moves_to_the_others_dtype():
    def run(m):
        x = m.tensor([7.5, -7.5, 2.0], requires_grad=True)
        y = x * 1
        floor = y.divide(2, rounding_mode="floor")
        z = y * 1
        z.divide_(-2, rounding_mode="trunc")
        wide = y.type_as(m.zeros(1, dtype=m.float64))
        same = y.type_as(m.zeros(2))
        return (floor.tolist(), floor.grad_fn.name(), z.tolist(), z.grad_fn.name(),
                str(wide.dtype).split(".")[1], wide.grad_fn.name(), same is y,
                y.ndimension())  # fmt: skip

    assert run(gs) == run(torch)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's forward AD loads torch.jit
@pytest.mark.parametrize("name", ["acosh_", "asinh_", "atanh_", "arccosh_", "arctanh_"])
def test_in_place_inverse_hyperbolics_have_no_derivative_as_in_torch(name):
    """torch records ``AcoshBackward1`` (and so on) with nothing saved; backward through it,
    and forward mode, raise its NotImplementedError."""

    def run(m):
        x = m.tensor([1.5, 0.5, 2.0], dtype=m.float64, requires_grad=True)
        y = x * 1
        out = getattr(y, name)()
        node = out.grad_fn
        saved = [a for a in dir(node) if a.startswith("_saved_")] if m is torch else []
        try:
            out.sum().backward()
            error = None
        except NotImplementedError as e:
            error = str(e)
        with m.autograd.forward_ad.dual_level():
            fw = m.autograd.forward_ad
            d = fw.make_dual(m.tensor([1.5, 0.5]), m.tensor([1.0, 1.0])) * 1
            try:
                getattr(d, name)()
                jvp_error = None
            except NotImplementedError as e:
                jvp_error = str(e)
        values = np.asarray(out.tolist())
        return out is y, node.name(), saved, y._version, error, jvp_error, values

    got, want = run(gs), run(torch)
    assert got[:6] == want[:6]
    np.testing.assert_allclose(got[6], want[6], rtol=1e-15)
