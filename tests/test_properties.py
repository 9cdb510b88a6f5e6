"""Property-based tests: random programs over the op set, checked against references.

Each example is a random straight-line program (random broadcastable shapes, random op
sequences, shared subexpressions and diamonds, reused leaves, views and in-place ops on
fresh intermediates). Its gradients are checked against float64 central finite
differences and, where torch is installed, against torch; its trace is checked for the
recorder's invariants.

Examples run in CI: 800 (finite differences) + 800 (torch parity) + 800 (trace
invariants) = 2,400 programs, derandomised so every run checks the same ones. At the end,
the two broadcasting helpers every backward rule uses are checked against NumPy.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradscope as gs

SETTINGS = settings(
    max_examples=int(os.environ.get("GRADSCOPE_PROPERTY_EXAMPLES", "800")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SHAPES = [(3,), (2, 3), (1, 3), (2, 1), ()]

# smooth unary ops (domains kept safe so finite differences are meaningful)
UNARY = {
    "exp": lambda L, a: L.exp(L.tanh(a)),
    "sin": lambda L, a: L.sin(a),
    "cos": lambda L, a: L.cos(a),
    "tanh": lambda L, a: L.tanh(a),
    "sigmoid": lambda L, a: L.sigmoid(a),
    "square": lambda L, a: a**2,
    "neg": lambda L, a: -a,
    "mul_scalar": lambda L, a: a * 1.5,
    "add_scalar": lambda L, a: a + 0.25,
    "rsub": lambda L, a: 1.0 - a,
    "sqrt": lambda L, a: L.sqrt(a * a + 1.0),
    "log": lambda L, a: L.log(a * a + 1.0),
    "pow": lambda L, a: (a * a + 1.0) ** 0.75,
    "softmax": lambda L, a: L.softmax(a, dim=-1) if a.dim() else a * 1.0,
    "log_softmax": lambda L, a: L.log_softmax(a, dim=-1) if a.dim() else a * 1.0,
    "sum_keep": lambda L, a: a.sum(-1, keepdim=True) if a.dim() else a * 1.0,
    "mean_keep": lambda L, a: a.mean(0, keepdim=True) if a.dim() else a * 1.0,
    "clone_inplace": lambda L, a: _inplace(a),
    "view_T": lambda L, a: (a.T * 1.0).T if a.dim() == 2 else a + 0.0,
    "reshape": lambda L, a: a.reshape(-1).reshape(a.shape),
    "unsqueeze": lambda L, a: a.unsqueeze(0).squeeze(0),
    "index": lambda L, a: a[..., :1] * 2.0 if a.dim() else a * 2.0,
}

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b * b + 1.0),
    "where": lambda L, a, b: L.where(a > b, a, b * 2.0),
    "maxpair": lambda L, a, b: (a + b).max() + a * 0.5,
}


def _inplace(a):
    c = a * 1.0
    c.mul_(2.0)
    c.add_(0.5)
    return c


program = st.fixed_dictionaries(
    {
        "leaves": st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3),
        "steps": st.lists(
            st.one_of(
                st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 50)),
                st.tuples(
                    st.just("b"),
                    st.sampled_from(sorted(BINARY)),
                    st.integers(0, 50),
                    st.integers(0, 50),
                ),
            ),
            min_size=1,
            max_size=8,
        ),
        "seed": st.integers(0, 2**16),
    }
)


def run(L, leaves, prog):
    """Interpret ``prog`` with library ``L`` (gradscope or torch); returns the scalar loss."""
    pool = list(leaves)
    for step in prog["steps"]:
        if step[0] == "u":
            _, name, i = step
            pool.append(UNARY[name](L, pool[i % len(pool)]))
        else:
            _, name, i, j = step
            pool.append(BINARY[name](L, pool[i % len(pool)], pool[j % len(pool)]))
    loss = pool[len(leaves)].sum()
    for v in pool[len(leaves) + 1 :]:
        loss = loss + v.sum() * 0.5
    return loss


def _leaf_arrays(prog):
    rng = np.random.default_rng(prog["seed"])
    return [np.array(rng.standard_normal(s) * 0.8) for s in prog["leaves"]]


def _gs_grads(prog, arrays):
    leaves = [gs.tensor(a, dtype=gs.float64, requires_grad=True) for a in arrays]
    loss = run(gs, leaves, prog)
    loss.backward()
    return float(loss.item()), [
        (lf.grad.numpy() if lf.grad is not None else np.zeros(lf.shape)) for lf in leaves
    ]


@SETTINGS
@given(program)
def test_gradients_match_finite_differences(prog):
    arrays = _leaf_arrays(prog)
    _, grads = _gs_grads(prog, arrays)
    eps = 1e-6
    with gs.no_grad():
        for k, a in enumerate(arrays):
            flat = a.reshape(-1)
            num = np.zeros(flat.size)
            for i in range(flat.size):
                orig = flat[i]
                vals = []
                for d in (eps, -eps):
                    flat[i] = orig + d
                    leaves = [gs.tensor(x, dtype=gs.float64) for x in arrays]
                    vals.append(run(gs, leaves, prog).item())
                flat[i] = orig
                num[i] = (vals[0] - vals[1]) / (2 * eps)
            np.testing.assert_allclose(grads[k].reshape(-1), num, rtol=1e-4, atol=1e-5)


@SETTINGS
@given(program)
def test_values_and_gradients_match_torch(prog):
    torch = pytest.importorskip("torch", reason="parity tests need torch==2.13.0 (CPU)")
    arrays = _leaf_arrays(prog)
    value, grads = _gs_grads(prog, arrays)
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    loss = run(torch, leaves, prog)
    loss.backward()
    np.testing.assert_allclose(value, loss.item(), rtol=1e-10, atol=1e-12)
    for g, lf in zip(grads, leaves):
        ref = lf.grad.numpy() if lf.grad is not None else np.zeros(lf.shape)
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(program, st.booleans())
def test_trace_invariants(prog, retain):
    arrays = _leaf_arrays(prog)
    base = gs.live_bytes()
    with gs.trace() as tr:
        leaves = [gs.tensor(a, requires_grad=True) for a in arrays]
        loss = run(gs, leaves, prog)
        loss.backward(retain_graph=retain)
        held = {t._buffer.id: t._buffer.nbytes for t in leaves + [loss]}
        held.update(
            {t.grad._buffer.id: t.grad._buffer.nbytes for t in leaves if t.grad is not None}
        )
    evs = tr.events
    assert [e.seq for e in evs] == list(range(len(evs)))
    assert all(e.live_bytes >= base for e in evs)
    alive: dict[int, int] = {}
    freed = set()
    live = base
    for e in evs:
        if e.kind == "tensor_allocated":
            assert e.buffer not in alive and e.buffer not in freed
            alive[e.buffer] = e.nbytes
            live += e.nbytes
        elif e.kind == "tensor_freed":
            assert e.buffer in alive, "freed a buffer that was never allocated in the trace"
            assert e.buffer not in freed, "freed twice"
            assert alive.pop(e.buffer) == e.nbytes
            freed.add(e.buffer)
            live -= e.nbytes
        assert e.live_bytes == live, e
    assert tr.peak_bytes == max([base] + [e.live_bytes for e in evs])
    # each byte a graph's release frees is reported by one graph_freed event at most
    released = sum(e.nbytes for e in evs if e.kind == "graph_freed")
    assert released <= sum(e.nbytes for e in evs if e.kind == "tensor_freed")
    if not retain:
        # with the graph freed, only what the test still references is alive
        assert set(alive) <= set(held), {b: n for b, n in alive.items() if b not in held}
    assert not (set(held) & freed)
    del loss
    if not retain:
        assert gs.live_bytes() - base == sum(held.values()) - held.get(None, 0) - _loss_bytes()


def _loss_bytes() -> int:
    return 8  # the float64 scalar loss, dropped above


# -- the broadcasting helpers every backward uses, against NumPy ------------------------
dims = st.lists(st.integers(0, 3), min_size=0, max_size=4)


@st.composite
def broadcast_pair(draw):
    """A shape and a smaller shape that broadcasts to it (dims dropped or set to 1)."""
    shape = tuple(draw(dims))
    keep = draw(st.integers(0, len(shape)))
    small = tuple(1 if draw(st.booleans()) else n for n in shape[len(shape) - keep :])
    return shape, small


@SETTINGS
@given(broadcast_pair(), st.sampled_from(["c", "sliced", "scalar"]))
def test_expand_is_numpys_broadcast_to_as_a_read_only_view(pair, layout):
    from gradscope.backend import expand

    shape, small = pair
    v = np.arange(float(np.prod(small)) + 1)[1:].reshape(small)
    if layout == "sliced" and v.ndim:  # not C-contiguous: the general path
        v = np.concatenate([v, v], axis=-1)[..., ::2]
    if layout == "scalar":
        v = np.float32(2.5)
    got, want = expand(v, shape), np.broadcast_to(v, shape)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert not got.flags.writeable
    if isinstance(v, np.ndarray):
        assert np.shares_memory(got, v) or got.size == 0


@SETTINGS
@given(broadcast_pair())
def test_unbroadcast_sums_what_broadcasting_repeated(pair):
    from gradscope.ops._broadcast import unbroadcast

    shape, small = pair
    g = np.random.default_rng(len(shape)).standard_normal(shape)
    # the gradient of x broadcast to shape, summed by hand: over leading axes, then size-1 ones
    want = g.sum(axis=tuple(range(len(shape) - len(small))))
    want = want.sum(axis=tuple(i for i, n in enumerate(small) if n == 1), keepdims=True)
    got = unbroadcast(g, small)
    assert got.shape == small
    np.testing.assert_allclose(got, want.reshape(small), rtol=1e-12, atol=1e-12)


# -- where a view lies in its base (the nodes over views keep only this) ------------------
@st.composite
def base_and_view(draw):
    """A base array in some memory layout and a view of it made by a few view steps."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    size = int(np.prod(shape))
    layout = draw(st.sampled_from(["c", "f", "flipped", "strided"]))
    if layout == "c":
        base = np.arange(size, dtype=np.float64).reshape(shape)
    elif layout == "f":
        base = np.arange(size, dtype=np.float64).reshape(shape[::-1]).T
    elif layout == "flipped":  # a negative stride
        base = np.arange(size, dtype=np.float64).reshape(shape)[..., ::-1]
    else:  # memory the base does not cover densely
        base = np.arange(size * 3, dtype=np.float64).reshape(*shape[:-1], -1)[..., ::3]
    view = base
    for _ in range(draw(st.integers(0, 3))):
        step = draw(st.sampled_from(["slice", "transpose", "broadcast", "window"]))
        d = draw(st.integers(0, view.ndim - 1)) if view.ndim else 0
        if step == "slice" and view.ndim:
            start, by = draw(st.integers(0, view.shape[d])), draw(st.integers(1, 3))
            view = view[(slice(None),) * d + (slice(start, None, by),)]
        elif step == "transpose":
            view = view.T
        elif step == "broadcast":  # a new dimension of zero stride (torch's expand)
            view = np.broadcast_to(view[None], (draw(st.integers(1, 3)), *view.shape))
        elif step == "window" and view.ndim and view.shape[d] >= 2:  # overlapping windows
            view = np.lib.stride_tricks.sliding_window_view(view, 2, axis=d)
    return base, view


def _flat_positions(base, view):
    """For each element of view, the row-major index of the base element at its address."""
    addr = {}
    start = base.__array_interface__["data"][0]
    for idx in np.ndindex(base.shape):
        addr[start + sum(i * s for i, s in zip(idx, base.strides))] = np.ravel_multi_index(
            idx, base.shape
        )
    vstart = view.__array_interface__["data"][0]
    return np.array(
        [
            addr[vstart + sum(i * s for i, s in zip(idx, view.strides))]
            for idx in np.ndindex(view.shape)
        ],
        dtype=np.int64,
    ).reshape(view.shape)


@SETTINGS
@given(base_and_view())
def test_as_strided_backward_lands_each_element_where_the_view_has_it(pair):
    from gradscope.ops.shape import AsStridedBackward0, Geometry

    base, view = pair
    node = AsStridedBackward0.__new__(AsStridedBackward0)
    node.geometry = Geometry.of(base, view)
    g = np.random.default_rng(view.size).standard_normal(view.shape)
    (got,) = node.backward(g)
    pos = _flat_positions(base, view)
    want = np.zeros(base.size)
    np.add.at(want, pos, g)  # elements sharing a position add up
    assert got.shape == base.shape
    np.testing.assert_allclose(got.ravel(), want, rtol=1e-12, atol=1e-12)
    if not node.geometry.overlapping:  # the test is sufficient: no two positions alike
        zero = tuple(i for i, s in enumerate(view.strides) if s == 0)
        distinct = pos[tuple(slice(0, 1) if i in zero else slice(None) for i in range(pos.ndim))]
        assert np.unique(distinct).size == distinct.size


@st.composite
def array_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=0, max_size=4)))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.float16]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e4]))
    seed = draw(st.integers(0, 2**16))
    a = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)
    if not shape or draw(st.booleans()):
        return a, None, False
    dims = sorted(set(draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=3))))
    return a, dims, draw(st.booleans())


@SETTINGS
@given(array_and_dims())
def test_mean_and_sum_are_numpys_bit_for_bit(case):
    """The reductions' forward skips NumPy's Python wrappers: same bits, dtype and shape."""
    a, dims, keepdim = case
    t = gs.tensor(a)
    axis = None if dims is None else tuple(dims)
    with np.errstate(over="ignore"):  # float16 sums may overflow: to inf in both
        pairs = [
            (
                t.mean() if dims is None else t.mean(dims, keepdim),
                a.mean(axis, a.dtype, None, keepdim),
            ),
            (t.sum() if dims is None else t.sum(dims, keepdim), a.sum(axis, None, None, keepdim)),
        ]
    for ours, want in pairs:
        got = ours.numpy()
        want = np.asarray(want)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_erf_of_float32_and_float16_is_math_erf_rounded(dtype):
    """NumPy has no erf: float32 and float16 take a vectorised float64 one, which must round
    to what ``math.erf`` per element gives (float64 keeps ``math.erf`` itself)."""
    import math

    from gradscope.backend import erf

    rng = np.random.default_rng(21)
    x = np.concatenate(
        [
            rng.uniform(-4.5, 4.5, 100_000),
            rng.standard_normal(50_000),
            rng.uniform(-1, 1, 50_000) * 10.0 ** rng.uniform(-40, 0, 50_000),
            [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 4.0, -3.9, 1e-45, 0.99999994],
        ]
    ).astype(dtype)
    with np.errstate(all="ignore"):
        got = erf(x)
        want = np.asarray(np.frompyfunc(math.erf, 1, 1)(x), dtype=dtype)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want)  # NaN where NaN
    assert (np.signbit(got) == np.signbit(want)).all()  # erf(-0.0) is -0.0
