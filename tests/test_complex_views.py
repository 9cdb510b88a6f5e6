"""``real``, ``imag``, ``view_as_real`` and ``view_as_complex`` against torch 2.13: views
that share their input's memory (no bytes allocated), torch's nodes (``SelectBackward0``
over ``ViewAsRealBackward0``), values, strides, gradients and forward-mode tangents,
torch's errors, and a clear refusal of in-place writes that autograd would have to carry
across the change of dtype."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

Z = np.array([[1 + 2j, 3 - 1j, -0.5j], [0.25 + 0j, 2 - 2j, -1 + 1.5j]])

EXPRESSIONS = {
    "real": lambda m, z: (z.real * 2).sum(),
    "imag": lambda m, z: (z.imag**2).sum(),
    "real_and_imag": lambda m, z: (z.real * z.imag).sum(),
    "fn_real_imag": lambda m, z: (m.real(z) - 3 * m.imag(z)).sum(),
    "view_as_real": lambda m, z: (m.view_as_real(z) ** 2 * 0.5).sum(),
    "view_as_real_sliced": lambda m, z: m.view_as_real(z)[:, 1:, 1].sum(),
    "round_trip": lambda m, z: m.view_as_complex(m.view_as_real(z) * 2).abs().sum(),
    "of_a_product": lambda m, z: ((z * z).real + (z * 1j).imag).sum(),
    "of_a_transpose": lambda m, z: (m.view_as_real(z.T) * m.arange(12.0).reshape(3, 2, 2)).sum(),
    "real_of_transpose": lambda m, z: (z.T.real * m.arange(6.0).reshape(3, 2)).sum(),
    "of_a_0d": lambda m, z: z[1, 2].imag * 4,
}


def _graph(t) -> list:
    names, stack = [], [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        names.append(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return names


@pytest.mark.parametrize("name", list(EXPRESSIONS))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_values_gradients_and_graph_as_torch(name, dtype):
    fn = EXPRESSIONS[name]
    zt = torch.tensor(Z, dtype=getattr(torch, dtype), requires_grad=True)
    zg = gs.tensor(Z, dtype=getattr(gs, dtype), requires_grad=True)
    want, got = fn(torch, zt * 1), fn(gs, zg * 1)
    assert got.dtype.is_complex == want.dtype.is_complex
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5)
    assert _graph(got) == _graph(want)
    want.backward()
    got.backward()
    assert zg.grad.dtype == gs.tensor(Z, dtype=getattr(gs, dtype)).dtype
    np.testing.assert_allclose(zg.grad.numpy(), zt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_view_as_complex_of_real_pairs_as_torch():
    x = np.arange(12.0).reshape(3, 2, 2) - 5
    xt = torch.tensor(x, requires_grad=True)
    xg = gs.tensor(x, requires_grad=True)
    ct, cg = torch.view_as_complex(xt * 1), gs.view_as_complex(xg * 1)
    assert cg.shape == tuple(ct.shape) and str(cg.dtype) == "gradscope.complex128"
    np.testing.assert_array_equal(cg.detach().numpy(), ct.detach().numpy())
    assert cg.grad_fn.name() == ct.grad_fn.name() == "ViewAsComplexBackward0"
    (ct * (1 - 2j)).abs().sum().backward()
    (cg * (1 - 2j)).abs().sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_gradient_through_view_as_complex_is_the_finite_difference():
    x = gs.tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    assert gs.autograd.gradcheck(lambda t: (gs.view_as_complex(t * 1) * (2 + 1j)).abs().sum(), (x,))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_the_views_share_memory_strides_and_offsets_with_their_input(dtype):
    z = gs.tensor(Z, dtype=getattr(gs, dtype))
    zt = torch.tensor(Z, dtype=getattr(torch, dtype))
    for f in (
        lambda m, z: m.view_as_real(z),
        lambda m, z: z.real,
        lambda m, z: z.imag,
        lambda m, z: z.T.imag,
        lambda m, z: m.view_as_real(z[:, 1:]),
    ):
        got, want = f(gs, z), f(torch, zt)
        assert got.shape == tuple(want.shape)
        assert got.stride() == want.stride()
        assert got.storage_offset() == want.storage_offset()
        assert got._base is z
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    r, i = z.real, z.imag
    with gs.no_grad():
        r.mul_(2)
        i.add_(1)
    np.testing.assert_array_equal(z.numpy(), 2 * Z.real + 1j * (Z.imag + 1))
    x = gs.view_as_complex(gs.view_as_real(z))
    assert x._base is z
    np.testing.assert_array_equal(x.numpy(), z.numpy())


def test_a_view_allocates_no_bytes():
    z = gs.randn(1000, dtype=gs.complex64)
    before = gs.live_bytes()
    assert before >= 8000
    with gs.trace() as tr:
        parts = (z.real, z.imag, gs.view_as_real(z), gs.view_as_complex(gs.view_as_real(z)))
    assert gs.live_bytes() == before
    assert not [e for e in tr.events if e.kind == "tensor_allocated"]
    assert parts[2].shape == (1000, 2)


def test_real_of_a_real_tensor_is_itself_and_the_rest_raise_torchs_errors():
    x = gs.ones(4, 2)
    assert gs.real(x) is x and x.real is x
    cases = {
        lambda m: m.ones(2).imag: "imag is not implemented for tensors with non-complex dtypes.",
        lambda m: m.view_as_real(m.ones(2)): "view_as_real is only supported for complex tensors",
        lambda m: m.view_as_complex(m.ones(3, 2, dtype=m.int64)): (
            "view_as_complex is only supported for half, float and double tensors, but got a "
            "tensor of scalar type: Long"
        ),
        lambda m: m.view_as_complex(m.ones(())): "Input tensor must have one or more dimensions",
        lambda m: m.view_as_complex(m.ones(4)): "Tensor must have a last dimension of size 2",
        lambda m: m.view_as_complex(m.ones(2, 2).T): (
            "Tensor must have a last dimension with stride 1"
        ),
        lambda m: m.view_as_complex(m.ones(3, 5)[:, :2]): (
            "Tensor must have a stride divisible by 2 for all but last dimension"
        ),
        lambda m: m.view_as_complex(m.ones(4, 6)[:, 1:3]): (
            "Tensor must have a storage_offset divisible by 2"
        ),
    }
    for fn, message in cases.items():
        with pytest.raises(RuntimeError) as want:
            fn(torch)
        with pytest.raises(RuntimeError) as got:
            fn(gs)
        assert str(got.value) == str(want.value) == message


def test_forward_mode_tangents_as_torch():
    import torch.autograd.forward_ad as tfwd

    t = np.array([[0.5 - 1j, 2j, 1 + 0j], [-1 + 1j, 0.25j, 3 - 0.5j]])
    with tfwd.dual_level():
        d = tfwd.make_dual(torch.tensor(Z), torch.tensor(t))
        want = tfwd.unpack_dual(torch.view_as_real(d * 2)).tangent.numpy()
        want_imag = tfwd.unpack_dual(d.imag).tangent.numpy()
    with gs.autograd.forward_ad.dual_level():
        d = gs.autograd.forward_ad.make_dual(gs.tensor(Z), gs.tensor(t))
        got = gs.autograd.forward_ad.unpack_dual(gs.view_as_real(d * 2)).tangent.numpy()
        got_imag = gs.autograd.forward_ad.unpack_dual(d.imag).tangent.numpy()
    np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(got_imag, want_imag)


def test_in_place_writes_that_autograd_would_carry_across_dtypes_are_refused():
    z = gs.tensor(Z, requires_grad=True)
    w = z * 1
    with pytest.raises(NotImplementedError, match="view of another dtype .* written in place"):
        w.real.mul_(2)
    w = z * 1
    r = w.imag
    w.mul_(2)
    with pytest.raises(NotImplementedError, match="after its memory was written in place"):
        r * 1
    w = z * 1
    w.real.clone().mul_(2)  # a copy is fine
