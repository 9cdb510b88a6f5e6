"""One case run under torch and under gradscope, and the two outcomes compared.

A case is a function of the module (``m`` is ``torch`` or ``gradscope``). An error case
must raise the same exception type in both, and gradscope's message must be torch's (a
gradscope hint may follow on a new line). A value case must give the same dtypes, shapes,
``requires_grad``, ``grad_fn`` names and values. A warning case must warn in gradscope
exactly when it warns in torch. Tables of cases map a name to the case, or to ``(case,
reason)`` for a case gradscope gets wrong today: a strict xfail, so that fixing it shows.

Example::

    ERRORS = {"add_shapes": lambda m: m.ones(3) + m.ones(4)}

    @pytest.mark.parametrize("fn", params(ERRORS))
    def test_error(fn):
        check_error(fn)
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gradscope as gs


def _torch():
    import torch  # the test files skip without it; this module is imported by them only

    return torch


def outcome(fn, m) -> tuple:
    """``(exception, None)`` or ``(None, result)`` of ``fn(m)``, warnings silenced, run
    with grad mode on (a case that failed half-way must not leave it off)."""
    m.set_grad_enabled(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return None, fn(m)
        except Exception as e:  # noqa: BLE001 - comparing whatever torch raises
            return e, None


def norm(text: str) -> str:
    """gradscope's text with its module named as torch's (``gradscope.float32``)."""
    return re.sub(r"\bgradscope\.", "torch.", text)


def as_numpy(t) -> np.ndarray:
    """``t``'s values (torch's ZeroTensor, as ``sgn``'s gradient, needs ``force``)."""
    if isinstance(t, gs.Tensor):
        return np.asarray(t.detach())
    return t.detach().numpy(force=True)


def edges(node) -> list:
    """The names of what ``node.next_functions`` point at (None for no edge)."""
    return [None if n is None else n.name() for n, _ in node.next_functions]


INTS = [-7, -2, 0, 3, 7, 5, -4, 1, 2]


def operand(m, spec, k: int, floats: list):
    """For ``spec`` (shape, dtype), a tensor of ``m`` with values drawn in turn from
    ``floats`` (or ``INTS``; bools every third), floats requiring grad; any other ``spec``
    (a Python number) as it is. ``k`` shifts where the values start."""
    if not isinstance(spec, tuple):
        return spec
    shape, dtype = spec
    n = int(np.prod(shape))
    if dtype == "bool":
        vals = [(i + k) % 3 == 0 for i in range(n)]
    else:
        pool = floats if dtype.startswith("float") else INTS
        vals = [pool[(i * 5 + k) % len(pool)] for i in range(n)]
        vals = [abs(v) for v in vals] if dtype == "uint8" else vals
    arr = np.array(vals, dtype=dtype).reshape(shape)
    t = m.tensor(arr.tolist(), dtype=getattr(m, dtype))
    return t.requires_grad_() if t.is_floating_point() else t


def signature(r):
    """A comparable summary: tensors as (dtype, shape, requires_grad, grad_fn, values)."""
    if isinstance(r, (gs.Tensor, _torch().Tensor)):
        gf = r.grad_fn.name() if r.grad_fn is not None else None
        dtype = str(r.dtype).rsplit(".", 1)[-1]
        return ("T", dtype, tuple(r.shape), r.requires_grad, gf, as_numpy(r))
    if isinstance(r, (tuple, list)):
        return tuple(signature(x) for x in r)
    return r


def assert_same(a, b, path: str = "result") -> None:
    """``b`` (gradscope's signature) equals ``a`` (torch's): values to float32 precision."""
    if isinstance(a, tuple) and a and a[0] == "T":
        assert isinstance(b, tuple) and b and b[0] == "T", f"{path}: torch {a[:5]}, gradscope {b}"
        assert a[1:5] == b[1:5], f"{path}: torch {a[1:5]}, gradscope {b[1:5]}"
        if a[5].dtype == np.bool_ or b[5].dtype == np.bool_:
            assert a[5].tolist() == b[5].tolist(), f"{path}: {a[5]} / {b[5]}"
        else:
            as_type = np.complex128 if np.iscomplexobj(a[5]) else np.float64
            np.testing.assert_allclose(
                b[5].astype(as_type),
                a[5].astype(as_type),
                rtol=1e-5,
                atol=1e-6,
                equal_nan=True,
                err_msg=path,
            )
        return
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), f"{path}: torch {a!r}, gradscope {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
        return
    assert a == b, f"{path}: torch {a!r}, gradscope {b!r}"


def grad_fn_tree(node, depth: int) -> str:
    """``Name(child, ...)`` of ``node`` down to ``depth`` levels (torch's C++ names without
    their namespace; ``None`` where an input has no edge)."""
    if node is None:
        return "None"
    name = node.name().replace("torch::autograd::", "")
    kids = [n for n, _ in node.next_functions]
    if depth == 0 or not kids:
        return name
    return f"{name}({', '.join(grad_fn_tree(k, depth - 1) for k in kids)})"


def fail_unless(cond: bool, msg) -> None:
    """A plain failure, no traceback (``msg`` may be a function: built only on failure)."""
    if not cond:
        pytest.fail(msg() if callable(msg) else msg, pytrace=False)


def check_error(fn) -> None:
    """torch raises; gradscope raises the same type with torch's message."""
    te, _ = outcome(fn, _torch())
    fail_unless(te is not None, "torch raises")
    ge, got = outcome(fn, gs)
    fail_unless(
        ge is not None, lambda: f"gradscope gives {got!r}; torch raises {type(te).__name__}: {te}"
    )
    gm, tm = norm(str(ge)), str(te)
    fail_unless(
        type(ge).__name__ == type(te).__name__,
        lambda: f"\ngradscope {type(ge).__name__}: {gm}\ntorch     {type(te).__name__}: {tm}",
    )
    fail_unless(gm == tm or gm.startswith(tm + "\n"), lambda: f"\ngradscope: {gm}\ntorch:     {tm}")


_ARGUMENT = re.compile(r"argument '(\w+)'")


def check_parser_type_error(fn, start: str | None = None) -> None:
    """Both raise TypeError where torch's argument parser refuses an argument (often
    listing its overloads over several lines), and gradscope's message is one line: it
    starts with ``start`` if given; else it names the function as torch's does (or no
    function, as for a dim that is not an int), and the argument torch names, if it names
    one."""
    te, _ = outcome(fn, _torch())
    ge, _ = outcome(fn, gs)
    assert type(te) is TypeError, repr(te)
    assert type(ge) is TypeError, repr(ge)
    tm, gm = str(te), str(ge)
    assert "\n" not in gm, gm
    if start is not None:
        assert gm.startswith(start), gm
        return
    assert gm.startswith("argument '") or gm.split("(")[0] == tm.split("(")[0], gm
    named = _ARGUMENT.search(tm)
    if named:
        got = _ARGUMENT.search(gm)
        assert got and got.group(1) in named.group(1), gm


def check_value(fn) -> None:
    """Neither raises, and the results' signatures are the same."""
    te, t = outcome(fn, _torch())
    fail_unless(te is None, lambda: f"torch raises {te!r}")
    ge, g = outcome(fn, gs)
    fail_unless(ge is None, lambda: f"gradscope raises {type(ge).__name__}: {ge}")
    try:
        assert_same(signature(t), signature(g))
    except AssertionError as e:
        fail_unless(False, str(e))


def warnings_of(fn, m) -> list[str]:
    """The warnings ``fn(m)`` gives, each time it gives them, under the filters in force (a
    library's own filters included, as its users see them)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", append=True)
        try:
            fn(m)
        except Exception:  # noqa: BLE001 - only the warnings matter here
            pass
    return [f"{w.category.__name__}: {w.message}" for w in rec]


def check_warns_as_torch(fn) -> None:
    """gradscope warns exactly when torch does."""
    tw, gw = warnings_of(fn, _torch()), warnings_of(fn, gs)
    fail_unless(bool(tw) == bool(gw), lambda: f"torch warns {tw}, gradscope warns {gw}")


def params(table: dict) -> list:
    """A table's cases as pytest params; ``(case, reason)`` is a strict xfail."""
    out = []
    for name, spec in table.items():
        fn, reason = spec if isinstance(spec, tuple) else (spec, None)
        marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
        out.append(pytest.param(fn, id=name, marks=marks))
    return out


def leaf_hook(m, hook):
    """``hook`` on a leaf [1, 2, 3] of ``(x * x).sum()``; the leaf's gradient."""
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.register_hook(hook)
    (x * x).sum().backward()
    return x.grad


def nonleaf_hook(m, hook):
    """``hook`` on ``y = x * 2`` of ``(y * y).sum()``; the leaf's gradient."""
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.register_hook(hook)
    (y * y).sum().backward()
    return x.grad
