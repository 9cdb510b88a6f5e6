"""CUDA tensors through CuPy: the same ops, gradients and memory story on the GPU.

Skips (with the reason) where CuPy or a GPU is missing; the CPU suite covers the rest.
"""

import pathlib
import re

import numpy as np
import pytest

import gradscope as gs

needs_gpu = pytest.mark.skipif(not gs.cuda.is_available(), reason="needs CuPy and a CUDA GPU")

# (name, function of leaves, leaf shapes); each leaf requires grad
EXPRESSIONS = [
    ("add_broadcast", lambda a, b: a + b, [(4, 3), (3,)]),
    ("sub_scalar", lambda a: 2 - a * 3, [(4, 3)]),
    ("mul_div", lambda a, b: a * b / (b * b + 1), [(4, 3), (4, 3)]),
    ("pow", lambda a: (a * a + 1) ** 1.5 + 2**a, [(5,)]),
    ("unary", lambda a: a.exp().sin() + a.cos() + a.tanh() + a.sigmoid() + a.abs(), [(6,)]),
    ("log_sqrt", lambda a: (a * a + 1).log() + (a * a + 1).sqrt(), [(6,)]),
    ("relu_clamp", lambda a: gs.relu(a) + a.clamp(-0.5, 0.5), [(3, 4)]),
    ("matmul", lambda a, b: a @ b, [(5, 4), (4, 3)]),
    ("mv_dot", lambda a, v: (a @ v) @ (a @ v), [(5, 4), (4,)]),
    ("bmm", lambda a, b: a @ b, [(2, 5, 4), (2, 4, 3)]),
    (
        "reductions",
        lambda a: a.sum(0) + a.mean(1, keepdim=True).sum() + a.max() + a.min(dim=1)[0].sum(),
        [(4, 3)],
    ),
    ("softmax", lambda a: gs.softmax(a, 1) * gs.log_softmax(a, 0), [(4, 3)]),
    (
        "shapes",
        lambda a: (
            a.reshape(3, 4).T.permute(1, 0).unsqueeze(0).expand(2, 3, 4).transpose(1, 2).flatten()
        ),
        [(4, 3)],
    ),
    (
        "cat_stack",
        lambda a, b: gs.cat([a, b], 0).sum(0) + gs.stack([a, b], 1).sum(1).sum(0),
        [(2, 3), (2, 3)],
    ),
    ("where", lambda a, b: gs.where(a > 0, a, b), [(4, 3), (4, 3)]),
    ("index", lambda a: a[1] + a[1:3].sum(0) + a[:, 2].sum() + a[a.detach() > 0].sum(), [(4, 3)]),
    (
        "linear_xent",
        lambda x, w, b: gs.nn.functional.cross_entropy(gs.nn.functional.linear(x, w, b), TARGET),
        [(4, 5), (3, 5), (3,)],
    ),
    ("mse", lambda a, b: gs.nn.functional.mse_loss(a, b), [(4, 3), (4, 3)]),
]
TARGET = None


def _run(fn, shapes, device, seed=0):
    global TARGET
    rng = np.random.default_rng(seed)
    leaves = [
        gs.tensor(rng.standard_normal(s).astype(np.float32), device=device, requires_grad=True)
        for s in shapes
    ]
    TARGET = gs.tensor([0, 2, 1, 2], device=device)
    out = fn(*leaves)
    out.sum().backward()
    return out, leaves


@needs_gpu
@pytest.mark.cuda
@pytest.mark.parametrize("name, fn, shapes", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_ops_match_cpu(name, fn, shapes):
    out_c, leaves_c = _run(fn, shapes, "cpu")
    out_g, leaves_g = _run(fn, shapes, "cuda")
    assert out_g.device == gs.device("cuda:0")
    assert out_g.grad_fn.name() == out_c.grad_fn.name()
    np.testing.assert_allclose(
        out_g.cpu().detach().numpy(), out_c.detach().numpy(), rtol=1e-4, atol=1e-5
    )
    for lc, lg in zip(leaves_c, leaves_g):
        assert lg.grad.device == gs.device("cuda:0")
        np.testing.assert_allclose(lg.grad.cpu().numpy(), lc.grad.numpy(), rtol=1e-4, atol=1e-5)


@needs_gpu
@pytest.mark.cuda
def test_mixing_devices_raises_torch_error():
    a = gs.ones(3, device="cuda")
    b = gs.ones(3)
    with pytest.raises(
        RuntimeError,
        match="Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
    ):
        a + b


@needs_gpu
@pytest.mark.cuda
def test_moves_are_recorded_and_differentiable():
    x = gs.randn(3, requires_grad=True)
    with gs.trace() as tr:
        y = x.cuda()
        z = (y * 2).cpu()
    assert y.grad_fn.name() == "ToCopyBackward0" and y.device.type == "cuda"
    allocs = [e for e in tr.events if e.kind == "tensor_allocated"]
    assert {e.device for e in allocs} == {"cuda:0", "cpu"}
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and x.grad.device.type == "cpu"


@needs_gpu
@pytest.mark.cuda
@pytest.mark.big
def test_lecture_relu_chain_on_gpu():
    base = gs.live_bytes("cuda:0")
    x = gs.randn(1_000_000, requires_grad=True, device="cuda")
    assert gs.live_bytes("cuda:0") - base == 4_000_000
    with gs.trace() as tr:
        p = gs.relu(x)
        assert gs.live_bytes("cuda:0") - base == 8_000_000
        for _ in range(100):
            p = gs.relu(p)
        loss = p.sum()
        assert gs.live_bytes("cuda:0") - base == 408_000_004
        pool = gs.cuda.memory_pool_bytes()
        assert pool["used_bytes"] >= 408_000_004 and pool["total_bytes"] >= pool["used_bytes"]
        loss.backward()
    assert gs.live_bytes("cuda:0") - base == 12_000_004
    started = next(e for e in tr.events if e.kind == "backward_started")
    finished = next(e for e in tr.events if e.kind == "backward_finished")
    assert started.pool["cuda:0"]["used_bytes"] >= 408_000_004
    assert finished.pool["cuda:0"]["used_bytes"] < started.pool["cuda:0"]["used_bytes"]
    assert all(e.device == "cuda:0" for e in tr.events if e.kind == "tensor_allocated")


@needs_gpu
@pytest.mark.cuda
def test_gradients_meeting_at_a_node_are_summed_in_place_on_the_gpu():
    """As on the CPU: x * x's two gradients are summed into the first on the device, which
    becomes x.grad (version 1); backward allocates the root's 1 and two gradients only."""
    x = gs.ones(1000, requires_grad=True, device="cuda")
    base = gs.live_bytes() - 4000  # all devices: the events count every live byte
    with gs.trace() as tr:
        y = (x * x).sum()
        y.backward()
    start = next(e.seq for e in tr.events if e.kind == "backward_started")
    made = [e for e in tr.events[start:] if e.kind == "tensor_allocated"]
    assert [(e.nbytes, e.role, e.device) for e in made] == [
        (4, "temp", "cuda:0"),
        (4000, "temp", "cuda:0"),
        (4000, "temp", "cuda:0"),
    ]
    (acc,) = [e for e in tr.events if e.kind == "grad_accumulated"]
    assert acc.buffer == made[1].buffer and acc.first
    assert tr.peak_bytes - base == 4000 + 4 + 4 + 4000 + 4000
    assert x.grad._version == 1 and x.grad.cpu().tolist() == [2.0] * 1000

    # a gradient someone else holds is never the one summed into
    x = gs.tensor([1.0, 2.0], requires_grad=True, device="cuda")
    u = x * 2
    given = gs.tensor([1.0, 1.0], device="cuda")
    (u + u).backward(given)
    assert given.cpu().tolist() == [1.0, 1.0] and x.grad.cpu().tolist() == [4.0, 4.0]


# where an op brings an array to the host on purpose: the error messages of a singular or
# not positive-definite matrix, and the ufunc accumulations and per-row loops CuPy lacks
@needs_gpu
def test_complex_views_share_the_gpu_buffer_and_differentiate_as_on_the_cpu():
    z = np.array([[1 + 2j, 3 - 1j, -0.5j], [0.25 + 0j, 2 - 2j, -1 + 1.5j]])
    got = {}
    for device in ("cpu", "cuda"):
        leaf = gs.tensor(z, device=device, requires_grad=True)
        w = leaf * 1
        before = gs.live_bytes(str(w.device))
        pairs, re, im = gs.view_as_real(w), w.T.real, w.imag
        back = gs.view_as_complex(pairs)
        assert gs.live_bytes(str(w.device)) == before  # views: no bytes
        loss = (pairs**2).sum() + (re * 2).sum() + (im * im.detach()).sum() + back.abs().sum()
        loss.backward()
        got[device] = (loss.item(), leaf.grad.cpu().numpy(), re.detach().cpu().numpy())
    assert got["cuda"][0] == pytest.approx(got["cpu"][0], rel=1e-12)
    np.testing.assert_allclose(got["cuda"][1], got["cpu"][1], rtol=1e-12)
    np.testing.assert_array_equal(got["cuda"][2], got["cpu"][2])


# (cummax, mode, kthvalue's ties; linalg.eig's geev, which CuPy lacks and torch also runs on
# the host)
HOST_COPIES = {"decompositions.py": 1, "order.py": 1, "linalg_eig.py": 1}


def test_ops_never_copy_to_the_host():
    """Op and engine code must not call .get()/asnumpy: CUDA work stays on the GPU; the
    few copies made on purpose go through ``backend.to_device(..., CPU)``, counted here."""
    root = pathlib.Path(gs.__file__).parent
    offenders, copies = [], {}
    for sub in ("ops", "autograd"):
        for path in (root / sub).rglob("*.py"):  # ops/api/ too
            name = path.relative_to(root / sub).as_posix()
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.get\(\)|asnumpy\(", line):
                    offenders.append(f"{name}:{i}: {line.strip()}")
                if re.search(r"to_device\([^)]*\bCPU\)", line):
                    copies[name] = copies.get(name, 0) + 1
    assert offenders == []
    assert copies == HOST_COPIES


def test_cuda_without_cupy_says_how_to_install(monkeypatch):
    import builtins

    from gradscope import backend

    if backend._cupy is not None:
        pytest.skip("CuPy is installed here")
    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name == "cupy":
            raise ImportError("no cupy")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(RuntimeError, match=r"pip install cupy-cuda12x \(CUDA 12\) or cupy-cuda13x"):
        gs.zeros(3, device="cuda")
    assert gs.cuda.is_available() is False


_ONE_ARG_SPECIALS = [
    "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
    "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0", "airy_ai",
]  # fmt: skip
_POLYNOMIALS = [
    "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
    "laguerre_polynomial_l", "legendre_polynomial_p",
]  # fmt: skip


def _same_on_both(fn, *arrays, dtype=gs.float64, rtol=1e-12):
    cpu = fn(*[gs.tensor(a, dtype=dtype) if isinstance(a, np.ndarray) else a for a in arrays])
    gpu = fn(
        *[
            gs.tensor(a, dtype=dtype, device="cuda") if isinstance(a, np.ndarray) else a
            for a in arrays
        ]
    )
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(gpu.cpu().numpy(), cpu.numpy(), rtol=rtol, atol=0, equal_nan=True)


@needs_gpu
@pytest.mark.parametrize("name", _ONE_ARG_SPECIALS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_special_functions_on_the_gpu_give_the_cpus_values(name, dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            [0, -0.0, np.nan, np.inf, -np.inf, 1e-300, 0.5, 2.09, 5, 8, 103.9, 700],
            rng.uniform(-20, 20, 50),
            np.exp(rng.uniform(-20, 6, 30)),
        ]
    )
    x = np.concatenate([x, -x])
    rtol = 1e-12 if dtype == "float64" else 1e-6
    _same_on_both(getattr(gs.special, name), x, dtype=getattr(gs, dtype), rtol=rtol)


@needs_gpu
@pytest.mark.parametrize("name", _POLYNOMIALS)
def test_orthogonal_polynomials_on_the_gpu_give_the_cpus_values(name):
    rng = np.random.default_rng(1)
    xs = np.concatenate([[np.nan, np.inf, 0, 1, -1, 0.5, 2.0], rng.uniform(-1.2, 1.2, 20)])
    ns = np.array([-1, 0, 1, 2, 3, 7, 40, 100, np.nan, 2.5])
    x, n = np.meshgrid(xs, ns, indexing="ij")
    fn = getattr(gs.special, name)
    _same_on_both(fn, x, n, rtol=1e-10)
    _same_on_both(lambda t: fn(t, 7), x, rtol=1e-10)


@needs_gpu
@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "zeta", "xlog1py"])
def test_two_argument_special_functions_and_their_gradients_on_the_gpu(name):
    rng = np.random.default_rng(2)
    a = np.concatenate([np.exp(rng.uniform(-4, 7, 100)), [0, np.nan, np.inf, 1, 2]])
    b = np.concatenate([np.exp(rng.uniform(-4, 7, 100)), [1, 2, 0, np.nan, np.inf]])
    if name == "zeta":
        a, b = a + 1, b - 3
    fn = getattr(gs.special, name)
    _same_on_both(fn, a, b, rtol=1e-10)
    grads = []
    for device in ("cpu", "cuda"):
        q = gs.tensor([2.0, 3.0], dtype=gs.float64, device=device, requires_grad=True)
        y = fn(gs.tensor([2.5, 1.5], dtype=gs.float64, device=device), q)
        (g,) = gs.autograd.grad(y.sum(), q)
        grads.append((y.grad_fn.name(), g.cpu().numpy()))
    assert grads[1][0] == grads[0][0]
    np.testing.assert_allclose(grads[1][1], grads[0][1], rtol=1e-12)


@needs_gpu
@pytest.mark.parametrize(
    ("targets", "input_lengths", "target_lengths", "kwargs"),
    [
        ([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]], [7, 6, 7], [4, 2, 3], {}),
        ([1, 2, 2, 3, 4, 1, 3, 3, 3], [7, 6, 7], [4, 2, 3], {"reduction": "sum"}),
        ([[1, 0, 2, 2], [4, 0, 0, 0], [2, 3, 3, 0]], [7, 6, 7], [2, 1, 4], {"reduction": "none"}),
        (
            [[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]],
            [3, 6, 0],
            [4, 2, 0],
            {"zero_infinity": True, "reduction": "none"},
        ),
        ([[1, 2, 2, 4], [4, 1, 0, 0], [0, 0, 0, 1]], [7, 6, 7], [4, 2, 3], {"blank": 3}),
    ],
)
def test_ctc_loss_on_the_gpu_gives_the_cpus_loss_and_gradient(
    targets, input_lengths, target_lengths, kwargs
):
    x0 = np.random.default_rng(0).standard_normal((7, 3, 5))
    got = {}
    for device in ("cpu", "cuda"):
        x = gs.tensor(x0, dtype=gs.float64, device=device, requires_grad=True)
        loss = gs.nn.functional.ctc_loss(
            x.log_softmax(2),
            gs.tensor(targets, device=device),
            input_lengths,
            target_lengths,
            **kwargs,
        )
        loss.sum().backward()
        got[device] = (loss.detach().cpu().numpy(), x.grad.cpu().numpy())
    np.testing.assert_allclose(got["cuda"][0], got["cpu"][0], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got["cuda"][1], got["cpu"][1], rtol=1e-11, atol=1e-12)
