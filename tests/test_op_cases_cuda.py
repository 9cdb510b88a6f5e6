"""The op table on CUDA (CuPy): values, gradients, graphs and JVPs equal the CPU run's.

Skips where CuPy or a GPU is missing.
"""

from __future__ import annotations

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
    """``gradscope`` with tensors built on ``device`` by default (for the table's constants)."""

    def __init__(self, device: str) -> None:
        self._device = device

    def __getattr__(self, name):
        return getattr(gs, name)

    def tensor(self, data, **kwargs):
        kwargs.setdefault("device", self._device)
        return gs.tensor(data, **kwargs)


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
    return [n.name() for n in order]


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


def test_repr_on_cuda():
    t = gs.tensor([0.5465, 0.3207, -0.5304], device="cuda", requires_grad=True)
    assert repr(t) == "tensor([ 0.5465,  0.3207, -0.5304], device='cuda:0', requires_grad=True)"
