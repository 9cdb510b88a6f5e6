"""Complex tensors through every op of the shared table, against torch 2.13: each case that
torch runs on complex inputs either gives torch's values and gradients in gradscope, or is
refused with a ``NotImplementedError`` (never a silent wrong answer). Run with every input
complex, with the first input real and the rest complex (a real input's gradient is the
real part, as torch's), and without a graph."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _run(m, case, arrays):
    ts = [m.tensor(a, requires_grad=rg) for a, rg in zip(arrays, case.requires())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.fn(m, *ts)
        if isinstance(out, (tuple, list)):
            out = out[0]
        rng = np.random.default_rng(3)
        g = rng.standard_normal(tuple(out.shape))
        if out.dtype.is_complex:
            g = g + 1j * rng.standard_normal(tuple(out.shape))
        out.backward(m.tensor(g, dtype=out.dtype))
    grads = [None if t.grad is None else t.grad.detach().resolve_conj().numpy() for t in ts]
    return out.detach().resolve_conj().numpy(), grads


def _inputs(case, mixed: bool):
    xs = case.arrays()
    rng = np.random.default_rng(1)
    out = [x + 1j * rng.standard_normal(x.shape) for x in xs]
    return [xs[0], *out[1:]] if mixed else out


def _same(want, got) -> bool:
    return (
        want.shape == got.shape
        and want.dtype == got.dtype
        and np.allclose(want, got, rtol=1e-5, atol=1e-6, equal_nan=True)
    )


def _check(case, mixed: bool) -> str:
    arrays = _inputs(case, mixed)
    try:
        want = _run(torch, case, arrays)
    except Exception:  # torch refuses complex here (or its dtypes mixed): nothing to match
        return "torch refuses"
    try:
        got = _run(gs, case, arrays)
    except NotImplementedError:
        return "refused"
    assert _same(want[0], got[0]), f"{case.name}: value {got[0]!r}, torch {want[0]!r}"
    for i, (w, g) in enumerate(zip(want[1], got[1])):
        assert (w is None) == (g is None), f"{case.name}: input {i} grad presence"
        if w is not None:
            assert _same(w, g), f"{case.name}: input {i} grad {g!r}, torch {w!r}"
    return "same"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_complex_inputs_match_torch_or_are_refused(case):
    _check(case, mixed=False)


MIXED = [c for c in CASES if len(c.shapes) >= 2]


@pytest.mark.parametrize("case", MIXED, ids=lambda c: c.name)
def test_real_and_complex_inputs_match_torch_or_are_refused(case):
    _check(case, mixed=True)


def _forward(m, case, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.fn(m, *[m.tensor(a) for a in arrays])
    return (out[0] if isinstance(out, (tuple, list)) else out).resolve_conj().numpy()


# a complex matrix's singular vectors are defined up to a phase each, which LAPACK's
# routines choose differently: these cases read them without undoing it
PHASE_DEPENDENT = {"torch_svd", "torch_svd_not_some"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_complex_values_without_a_graph_match_torch_or_are_refused(case):
    if case.name in PHASE_DEPENDENT:
        pytest.skip("singular vectors of a complex matrix: each up to its own phase")
    arrays = _inputs(case, mixed=False)
    try:
        want = _forward(torch, case, arrays)
    except Exception:
        return
    try:
        got = _forward(gs, case, arrays)
    except NotImplementedError:
        return
    except RuntimeError as e:  # a refusal in torch's words where torch has no kernel
        assert "can't be cast" in str(e), f"{case.name}: {e}"
        return
    assert _same(want, got), f"{case.name}: value {got!r}, torch {want!r}"


CORE = [
    "add",
    "sub",
    "mul",
    "div",
    "pow_2",
    "pow_tensor",
    "matmul_2d_2d",
    "matmul_batched",
    "exp",
    "log",
    "sin",
    "tanh",
    "sigmoid",
    "sqrt",
    "sum",
    "mean",
    "var",
    "std",
    "norm",
    "vector_norm",
    "dist",
    "F_linear",
    "F_conv2d",
    "prod",
    "abs",
    "sgn",
    "angle",
    "conj_real",
    "H",
    "cov",
    "linalg_det",
    "linalg_solve",
]


@pytest.mark.parametrize("name", CORE)
def test_core_ops_differentiate_complex_tensors(name):
    """The ops most programs are made of give torch's gradients, not a refusal."""
    case = next(c for c in CASES if c.name == name)
    assert _check(case, mixed=False) == "same"


def test_real_leaf_through_complex_gets_the_real_part():
    for m in (gs, torch):
        x = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        w = m.tensor([1 + 2j, -0.5j, 3 - 1j])
        y = (x * w).exp() * (1 - 1j)
        y.backward(m.ones(3, dtype=y.dtype))
        if m is gs:
            got = x.grad.numpy()
        else:
            want = x.grad.numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_complex_singular_vectors_are_a_decomposition():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    u, s, vh = gs.linalg.svd(gs.tensor(a), full_matrices=False)
    assert s.dtype == gs.float64
    np.testing.assert_allclose(((u * s.to(gs.complex128)) @ vh).numpy(), a, atol=1e-12)
    np.testing.assert_allclose(s.numpy(), torch.linalg.svdvals(torch.tensor(a)).numpy())


def test_refusal_names_the_op():
    z = gs.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    with pytest.raises(NotImplementedError, match="LogsumexpBackward0: gradscope does not diff"):
        gs.logsumexp(z, 0)


def test_a_complex_graph_is_freed_by_reference_counting():
    import gc
    import weakref

    enabled = gc.isenabled()
    gc.disable()
    try:
        z = gs.tensor([1 + 1j, 2 - 1j], requires_grad=True)
        y = (z * z).exp()
        node = weakref.ref(y.grad_fn)
        before = gs.live_bytes() if hasattr(gs, "live_bytes") else None
        del y
        assert node() is None
        if before is not None:
            assert gs.live_bytes() < before
    finally:
        if enabled:
            gc.enable()


def test_create_graph_over_complex_tensors_is_refused():
    z = gs.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    y = (z * z).sum()
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        gs.autograd.grad(y, z, grad_outputs=gs.tensor(1 + 0j), create_graph=True)


def test_forward_mode_over_complex_tensors_as_torch():
    results = []
    for m in (gs, torch):
        fwAD = m.autograd.forward_ad
        z0 = m.tensor([1 + 2j, -0.5 + 1j])
        w = m.tensor([0.3 - 1j, 2 + 0.5j])
        with fwAD.dual_level():
            z = fwAD.make_dual(z0, m.tensor([1 - 1j, 0.5j]))
            out = fwAD.unpack_dual((z * w).exp().sin() / (z + 2))
        results.append((out.primal.numpy(), out.tangent.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)


def test_forward_mode_refuses_an_op_unchecked_for_complex_tensors():
    fwAD = gs.autograd.forward_ad
    with fwAD.dual_level():
        z = fwAD.make_dual(gs.tensor([1 + 2j, 3j]), gs.tensor([1 + 0j, 1j]))
        with pytest.raises(NotImplementedError, match="takes real tensors only"):
            gs.logcumsumexp(z, 0)


@pytest.mark.parametrize(
    ("name", "kernel"),
    [("atan2", "atan2_cpu"), ("hypot", "hypot_cpu"), ("copysign", "copysign_cpu")],
)
@pytest.mark.parametrize("requires_grad", [False, True])
def test_an_op_whose_kernel_fails_on_complex_tensors_is_refused_by_name(
    name, kernel, requires_grad
):
    """NumPy (and CuPy) have no complex loop for these: the refusal is torch's, naming
    its kernel, as one after the forward would be, rather than the array library's error."""
    z = gs.tensor([1 + 2j, -3j], requires_grad=requires_grad)
    with pytest.raises(
        NotImplementedError, match=f"^\"{kernel}\" not implemented for 'ComplexFloat'$"
    ) as e:
        getattr(gs, name)(z, z)
    assert e.value.__suppress_context__
