"""The op table on CUDA (CuPy): values, gradients, graphs and JVPs equal the CPU run's.

Skips where CuPy or a GPU is missing.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES, to_gs

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not gs.cuda.is_available(), reason="needs CuPy and a CUDA GPU"),
]


class OnDevice:
    """``gradscope`` with its factories (``tensor``, ``eye``, ``zeros``, ...) building on
    ``device`` by default, for the table's constants, as ``torch.set_default_device``."""

    def __init__(self, device: str) -> None:
        self._device = device

    def __getattr__(self, name):
        attr = getattr(gs, name)
        if _takes_device(attr):
            return functools.partial(_on_device, attr, self._device)
        return attr


@functools.cache
def _takes_device(attr) -> bool:
    if not callable(attr) or inspect.isclass(attr):
        return False
    try:
        return "device" in inspect.signature(attr).parameters
    except (TypeError, ValueError):
        return False


def _on_device(factory, device, *args, **kwargs):
    kwargs.setdefault("device", device)
    return factory(*args, **kwargs)


def _host(t) -> np.ndarray:
    return np.asarray(t.detach().cpu())


def _signature(t) -> list:
    order, seen, stack = [], set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(n for n, _ in reversed(node.next_functions) if n is not None)
    # CuPy's elementwise results are C-contiguous whatever their inputs' layout (NumPy's
    # and torch's keep it), so a reshape after one is a plain view on the GPU
    return [n.name().replace("ReshapeAliasBackward0", "ViewBackward0") for n in order]


def _run(case, device, dtype):
    m = gs if device == "cpu" else OnDevice(device)
    inputs = [t.to(device) if device != "cpu" else t for t in to_gs(case, case.arrays(), dtype)]
    inputs = [t.detach().requires_grad_(rg) for t, rg in zip(inputs, case.requires())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.fn(m, *inputs)
        seed = np.random.default_rng(7).standard_normal(tuple(out.shape))
        out.backward(gs.tensor(seed, dtype=out.dtype, device=device))
        grads = [None if t._grad is None else _host(t._grad) for t in inputs]
    return out, grads


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_on_cuda(case):
    cpu_out, cpu_grads = _run(case, "cpu", gs.float32)
    out, grads = _run(case, "cuda", gs.float32)
    assert str(out.device) == "cuda:0"
    np.testing.assert_allclose(_host(out), _host(cpu_out), rtol=1e-5, atol=1e-6)
    assert _signature(out) == _signature(cpu_out)
    for g, c in zip(grads, cpu_grads):
        assert (g is None) == (c is None)
        if g is not None:
            np.testing.assert_allclose(g, c, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", [c for c in CASES if c.forward_ad], ids=lambda c: c.name)
def test_jvp_on_cuda(case):
    rng = np.random.default_rng(11)
    ts = [rng.standard_normal(s) for s in case.shapes]
    res = {}
    for device in ("cpu", "cuda"):
        m = gs if device == "cpu" else OnDevice(device)
        primals = tuple(gs.tensor(x, dtype=gs.float64, device=device) for x in case.arrays())
        tangents = tuple(gs.tensor(t, dtype=gs.float64, device=device) for t in ts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res[device] = gs.func.jvp(lambda *a, m=m: case.fn(m, *a), primals, tangents)
    for g, c in zip(res["cuda"], res["cpu"]):
        np.testing.assert_allclose(_host(g), _host(c), rtol=1e-9, atol=1e-12)


def _complex_run(case, device):
    m = gs if device == "cpu" else OnDevice(device)
    rng = np.random.default_rng(1)
    arrays = [x + 1j * rng.standard_normal(x.shape) for x in case.arrays()]
    inputs = [
        gs.tensor(a, dtype=gs.complex128, device=device, requires_grad=rg)
        for a, rg in zip(arrays, case.requires())
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.fn(m, *inputs)
        if isinstance(out, (tuple, list)):
            out = out[0]
        rng = np.random.default_rng(3)
        seed = rng.standard_normal(tuple(out.shape))
        if out.dtype.is_complex:
            seed = seed + 1j * rng.standard_normal(tuple(out.shape))
        out.backward(gs.tensor(seed, dtype=out.dtype, device=device))
    return _host(out), [None if t._grad is None else _host(t._grad) for t in inputs]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_complex_case_on_cuda(case):
    """Complex inputs: CUDA gives the CPU run's values and gradients, or the same refusal."""
    try:
        cpu_out, cpu_grads = _complex_run(case, "cpu")
    except Exception as e:  # refused on the CPU (or not defined for complex): refused here too
        with pytest.raises(type(e)):
            _complex_run(case, "cuda")
        return
    out, grads = _complex_run(case, "cuda")
    assert out.dtype == cpu_out.dtype
    np.testing.assert_allclose(out, cpu_out, rtol=1e-9, atol=1e-12)
    for g, c in zip(grads, cpu_grads):
        assert (g is None) == (c is None)
        if g is not None:
            np.testing.assert_allclose(g, c, rtol=1e-8, atol=1e-10)


def test_repr_on_cuda():
    t = gs.tensor([0.5465, 0.3207, -0.5304], device="cuda", requires_grad=True)
    assert repr(t) == "tensor([ 0.5465,  0.3207, -0.5304], device='cuda:0', requires_grad=True)"
