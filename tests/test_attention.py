"""Attention and transformer layers: ``F.scaled_dot_product_attention`` (torch's fused CPU
node or its math composite, whichever torch records), ``F.multi_head_attention_forward``,
``nn.MultiheadAttention`` and the transformer layers: values, gradients of the inputs and
of every parameter, the recorded graph with its saved tensors' shapes, errors, parameters
and what a trace sees, against torch 2.13."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import norm

torch = pytest.importorskip("torch", reason="torch is the reference for attention")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")

FLASH = "ScaledDotProductFlashAttentionForCpuBackward0"


def _graph(t, lib) -> list:
    """The graph under ``t`` depth-first: (depth, name, saved tensors' (slot, shape,
    dtype)); a node seen before is marked, not walked again."""
    out, seen = [], set()

    def walk(fn, depth):
        if fn is None:
            out.append((depth, None))
            return
        name = fn.name().replace("torch::autograd::", "")
        if id(fn) in seen:
            out.append((depth, name + " again"))
            return
        seen.add(id(fn))
        if lib is torch:
            slots = [a[7:] for a in dir(fn) if a.startswith("_saved_")]
        else:
            slots = list(fn._slot_names())
        saved = []
        for slot in sorted(slots):
            v = getattr(fn, "_saved_" + slot)
            if isinstance(v, (torch.Tensor, gs.Tensor)):
                saved.append((slot, tuple(v.shape), str(v.dtype).rsplit(".", 1)[-1]))
        out.append((depth, name, tuple(saved)))
        for nxt, _ in fn.next_functions:
            walk(nxt, depth + 1)

    walk(t.grad_fn, 0)
    return out


def _tol(dtype: str) -> dict:
    return {"rtol": 1e-9, "atol": 1e-10} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}


def _weights(out) -> np.ndarray:
    return np.arange(1, out.numel() + 1, dtype=np.float64).reshape(tuple(out.shape)) / out.numel()


# ---------------------------------------------------------------- scaled_dot_product_attention

_R = np.random.default_rng(7)
_BOOL = _R.random((4, 6)) > 0.3
_FLOAT4 = _R.standard_normal((2, 1, 4, 6))
_FLOAT3 = _R.standard_normal((3, 4, 6))

Q4, K4, V4 = (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8)
SDPA = [
    ("fused", (Q4, K4, V4), {}, FLASH),
    ("fused_causal_scale", (Q4, K4, V4), {"is_causal": True, "scale": 0.3}, FLASH),
    ("fused_bool_mask", (Q4, K4, V4), {"attn_mask": "bool"}, FLASH),
    ("fused_float_mask_4d", (Q4, K4, V4), {"attn_mask": "float4"}, FLASH),
    ("fused_gqa", ((2, 4, 4, 8), (2, 2, 6, 8), (2, 2, 6, 8)), {"enable_gqa": True}, FLASH),
    ("math_value_head", ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), {}, "UnsafeViewBackward0"),
    ("math_3d_causal", ((3, 4, 5), (3, 6, 5), (3, 6, 7)), {"is_causal": True}, None),
    ("math_3d_bool_mask", ((3, 4, 5), (3, 6, 5), (3, 6, 7)), {"attn_mask": "bool"}, None),
    ("math_2d_negative_scale", ((4, 5), (6, 5), (6, 7)), {"scale": -0.5}, "MmBackward0"),
    ("math_gqa", ((2, 4, 4, 5), (2, 2, 6, 5), (2, 2, 6, 7)), {"enable_gqa": True}, None),
    ("math_mask_3d", (Q4, K4, V4), {"attn_mask": "float3"}, "UnsafeViewBackward0"),
    ("math_batch_broadcast", ((1, 3, 4, 8), K4, V4), {}, "UnsafeViewBackward0"),
]


def _mask(spec, lib, dtype):
    if spec == "bool":
        return lib.tensor(_BOOL)
    if spec == "float4":
        return lib.tensor(_FLOAT4.astype(dtype))
    if spec == "float3":
        return lib.tensor(_FLOAT3.astype(dtype))
    return spec


def _sdpa(lib, arrays, kw, dtype):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    kw = {k: _mask(v, lib, dtype) if k == "attn_mask" else v for k, v in kw.items()}
    return xs, lib.nn.functional.scaled_dot_product_attention(*xs, **kw)


@pytest.mark.parametrize("name,shapes,kw,top", SDPA, ids=[c[0] for c in SDPA])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sdpa_matches_torch(name, shapes, kw, top, dtype):
    """Values, gradients and the recorded graph (with what each node saves) as torch's:
    its fused node where torch takes its fused kernel, else its math composite."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    tx, t = _sdpa(torch, arrays, kw, dtype)
    gx, g = _sdpa(gs, arrays, kw, dtype)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), **_tol(dtype))
    assert _graph(g, gs) == _graph(t, torch)
    if top is not None:
        assert g.grad_fn.name() == top
    (t * torch.tensor(_weights(t))).sum().backward()
    (g * gs.tensor(_weights(g))).sum().backward()
    for a, b in zip(gx, tx):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("path", ["fused", "math"])
def test_sdpa_gradcheck(path):
    rng = np.random.default_rng(1)
    shapes = [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4 if path == "fused" else 3)]
    xs = [gs.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    mask = gs.tensor(rng.standard_normal((3, 5)))
    fn = lambda q, k, v: gs.nn.functional.scaled_dot_product_attention(q, k, v, mask)  # noqa: E731
    assert fn(*xs).grad_fn.name() == (FLASH if path == "fused" else "UnsafeViewBackward0")
    assert gs.autograd.gradcheck(fn, xs)


def test_sdpa_fully_masked_row_gives_zeros_as_torch():
    """A query that may attend to nothing: 0 out and 0 gradient, on both paths (torch's
    ``_safe_softmax`` and its fused kernel), with ``logsumexp`` as torch's."""
    mask = np.ones((3, 5), bool)
    mask[1] = False
    rng = np.random.default_rng(2)
    for shapes in [[(1, 1, 3, 4), (1, 1, 5, 4), (1, 1, 5, 4)], [(3, 4), (5, 4), (5, 4)]]:
        arrays = [rng.standard_normal(s) for s in shapes]
        outs = []
        for lib in (torch, gs):
            xs = [lib.tensor(a, requires_grad=True) for a in arrays]
            o = lib.nn.functional.scaled_dot_product_attention(*xs, attn_mask=lib.tensor(mask))
            lse = o.grad_fn._saved_logsumexp.detach().numpy() if o.ndim == 4 else None
            o.sum().backward()
            outs.append((o.detach().numpy(), xs[0].grad.numpy(), lse))
        (to, tg, tl), (go, gg, gl) = outs
        np.testing.assert_allclose(go, to, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gg, tg, rtol=1e-12, atol=1e-12)
        assert not go[..., 1, :].any()
        if tl is not None:
            np.testing.assert_allclose(gl, tl, rtol=1e-12)


def test_sdpa_fused_double_backward_and_forward_mode_refused_as_torch():
    """torch gives the fused node's gradients a ``NotImplemented`` node over the incoming
    gradient, the inputs and the output; backward through it raises, and forward mode
    raises at once."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s) for s in (Q4, K4, V4)]
    for lib in (torch, gs):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.nn.functional.scaled_dot_product_attention(*xs)
        go = lib.ones_like(out, requires_grad=True)
        grads = lib.autograd.grad(out, xs, go, create_graph=True)
        nodes = [g.grad_fn for g in grads]
        assert {n.name().replace("torch::autograd::", "") for n in nodes} == {"NotImplemented"}
        assert [n.name() for n, _ in nodes[0].next_functions] == [
            "torch::autograd::AccumulateGrad"
        ] * 4 + [FLASH]
        with pytest.raises(RuntimeError) as e:
            grads[0].sum().backward()
        assert str(e.value) == (
            "derivative for aten::_scaled_dot_product_flash_attention_for_cpu_backward "
            "is not implemented"
        )
        with lib.autograd.forward_ad.dual_level():
            q = lib.autograd.forward_ad.make_dual(xs[0].detach(), lib.ones_like(xs[0]))
            with pytest.raises(NotImplementedError, match="_scaled_dot_product_flash_attention"):
                lib.nn.functional.scaled_dot_product_attention(q, xs[1].detach(), xs[2].detach())


def test_sdpa_dropout_records_the_mask_product():
    """Dropout (no ``training`` flag in SDPA: any ``dropout_p > 0`` drops) leaves the fused
    path: torch's composite with one ``MulBackward0`` on the weights; without dropout the
    result is deterministic."""
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s) for s in (Q4, K4, V4)]
    names = {}
    for lib in (torch, gs):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.nn.functional.scaled_dot_product_attention(*xs, dropout_p=0.5)
        names[lib] = [n[:2] for n in _graph(out, lib)]
        assert out.shape == (2, 3, 4, 8)
    assert names[gs] == names[torch]
    assert (4, "MulBackward0") in names[gs]
    x = [gs.tensor(a) for a in arrays]
    a = gs.nn.functional.scaled_dot_product_attention(*x)
    b = gs.nn.functional.scaled_dot_product_attention(*x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sdpa_trace_reports_the_fused_saves():
    """The fused node's saves as a trace sees them: the inputs and output shared, the
    ``logsumexp`` (``(B, H, L)``) new bytes, and a boolean mask's additive form, a tensor
    made for the node, held by it."""
    q, k, v = (gs.randn(*s, requires_grad=True) for s in (Q4, K4, V4))
    mask = gs.tensor(_BOOL)
    with gs.trace() as tr:
        out = gs.nn.functional.scaled_dot_product_attention(q, k, v, mask)
    saved = {e.slot: e for e in tr.events if e.kind == "tensor_saved"}
    assert set(saved) == {"query", "key", "value", "output", "logsumexp", "attn_mask"}
    assert saved["logsumexp"].nbytes == 2 * 3 * 4 * 4 and saved["logsumexp"].new
    assert saved["attn_mask"].nbytes == 4 * 6 * 4 and saved["attn_mask"].shape == (4, 6)
    assert not saved["query"].new and not saved["output"].new
    assert out.grad_fn.name() == FLASH


_r = lambda *s, **k: lambda m: m.randn(*s, **k)  # noqa: E731
SDPA_ERRORS = {
    "dtype": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 3, 4, dtype=m.float64), m.randn(2, 3, 4)
    ),
    "one_dim": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(4), m.randn(4), m.randn(4)
    ),
    "mask_dtype": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 3, 4), m.randn(2, 3, 4), attn_mask=m.ones(3, 3, dtype=m.int64)
    ),
    "causal_and_mask": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 3, 4), m.randn(2, 3, 4), m.randn(3, 3), is_causal=True
    ),
    "head_size": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 3, 5), m.randn(2, 3, 4)
    ),
    "value_length": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 5, 4), m.randn(2, 6, 4)
    ),
    "mask_shape": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 5, 4), m.randn(2, 5, 4), attn_mask=m.randn(3, 4)
    ),
    "mask_too_big": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 5, 4), m.randn(2, 5, 4), attn_mask=m.randn(4, 2, 3, 5)
    ),
    "gqa_heads": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(1, 4, 3, 4), m.randn(1, 3, 5, 4), m.randn(1, 3, 5, 4), enable_gqa=True
    ),
    "heads_without_gqa": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 4, 4, 8), m.randn(2, 2, 6, 8), m.randn(2, 2, 6, 8)
    ),
    "batch": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(3, 3, 4), m.randn(3, 3, 4)
    ),
    "dropout_above_one": lambda m: m.nn.functional.scaled_dot_product_attention(
        m.randn(2, 3, 4), m.randn(2, 3, 4), m.randn(2, 3, 4), dropout_p=1.5
    ),
}


@pytest.mark.parametrize("name", list(SDPA_ERRORS))
def test_sdpa_errors_as_torch(name):
    fn = SDPA_ERRORS[name]
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(gs)
    assert type(got.value) is type(want.value)
    assert norm(str(got.value)) == str(want.value)


# ---------------------------------------------------------------- modules


def _pair(make, dtype: str):
    """The same module in torch and gradscope, with torch's parameter values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = make(torch).to(getattr(torch, dtype))
        gm = make(gs).to(getattr(gs, dtype))
    assert [n for n, _ in gm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    for (_, g), (_, t) in zip(gm.named_parameters(), tm.named_parameters()):
        with gs.no_grad():
            g.copy_(gs.tensor(t.detach().numpy()))
    return tm, gm


def _causal(lib, n, dtype):
    return lib.nn.Transformer.generate_square_subsequent_mask(n, dtype=getattr(lib, dtype))


_TRIU = np.triu(np.ones((3, 3), bool), 1)
_KPM = [[False, False, True, False], [False] * 4]

MODULES = [
    ("mha_self", lambda m: m.nn.MultiheadAttention(8, 2), [(3, 2, 8)], lambda m, x, d: x[0]),
    (
        "mha_self_no_weights",
        lambda m: m.nn.MultiheadAttention(8, 2),
        [(3, 2, 8)],
        lambda m, x, d: {"need_weights": False},
    ),
    ("mha_cross", lambda m: m.nn.MultiheadAttention(8, 2), [(3, 2, 8), (4, 2, 8)], None),
    (
        "mha_kdim_vdim",
        lambda m: m.nn.MultiheadAttention(8, 2, kdim=5, vdim=6),
        [(3, 2, 8), (4, 2, 5), (4, 2, 6)],
        lambda m, x, d: {"need_weights": False},
    ),
    (
        "mha_bias_kv_zero_attn_padding",
        lambda m: m.nn.MultiheadAttention(
            8, 2, add_bias_kv=True, add_zero_attn=True, batch_first=True
        ),
        [(2, 3, 8), (2, 4, 8), (2, 4, 8)],
        lambda m, x, d: {"key_padding_mask": m.tensor(_KPM), "average_attn_weights": False},
    ),
    (
        "mha_unbatched_bool_mask_no_bias",
        lambda m: m.nn.MultiheadAttention(8, 2, bias=False),
        [(3, 8)],
        lambda m, x, d: {"attn_mask": m.tensor(_TRIU), "need_weights": False},
    ),
    (
        "mha_causal_hint",
        lambda m: m.nn.MultiheadAttention(8, 2),
        [(3, 2, 8)],
        lambda m, x, d: {"attn_mask": _causal(m, 3, d), "is_causal": True, "need_weights": False},
    ),
    (
        "encoder_layer",
        lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
        [(3, 2, 8)],
        None,
    ),
    (
        "encoder_layer_norm_first_gelu",
        lambda m: m.nn.TransformerEncoderLayer(
            8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True
        ),
        [(2, 3, 8)],
        lambda m, x, d: {"src_mask": m.tensor(_TRIU)},
    ),
    (
        "encoder_two_layers",
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2, m.nn.LayerNorm(8)
        ),
        [(3, 2, 8)],
        lambda m, x, d: {"mask": _causal(m, 3, d)},
    ),
    (
        "decoder_layer",
        lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
        [(3, 2, 8), (4, 2, 8)],
        None,
    ),
    (
        "decoder_callable_activation",
        lambda m: m.nn.TransformerDecoder(
            m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=m.tanh), 1
        ),
        [(3, 2, 8), (4, 2, 8)],
        lambda m, x, d: {"tgt_mask": _causal(m, 3, d)},
    ),
    (
        "transformer",
        lambda m: m.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0),
        [(4, 2, 8), (3, 2, 8)],
        lambda m, x, d: {"tgt_mask": _causal(m, 3, d)},
    ),
]


def _call(module, lib, xs, extra, dtype):
    kw = {} if extra is None else extra(lib, xs, dtype)
    if isinstance(module, (torch.nn.MultiheadAttention, gs.nn.MultiheadAttention)):
        if isinstance(kw, (torch.Tensor, gs.Tensor)):  # self-attention: one tensor thrice
            kw = {}
            args = (xs[0], xs[0], xs[0])
        else:
            args = (xs[0], xs[-2], xs[-1]) if len(xs) == 3 else (xs[0], xs[-1], xs[-1])
        return [o for o in module(*args, **kw) if o is not None]
    return [module(*xs, **kw)]


@pytest.mark.parametrize("name,make,shapes,extra", MODULES, ids=[m[0] for m in MODULES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_module_matches_torch(name, make, shapes, extra, dtype):
    """Outputs (and attention weights), their graphs with the saved tensors' shapes, and
    the gradients of the inputs and of every parameter, as torch's in training mode."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    tm, gm = _pair(make, dtype)
    results = {}
    for lib, module in ((torch, tm), (gs, gm)):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        outs = _call(module, lib, xs, extra, dtype)
        graphs = [_graph(o, lib) for o in outs]
        total = sum((o * lib.tensor(_weights(o).astype(dtype))).sum() for o in outs)
        total.backward()
        results[lib] = (outs, xs, graphs)
    (to, tx, tg), (go, gx, gg) = results[torch], results[gs]
    assert len(go) == len(to)
    for a, b in zip(go, to):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **_tol(dtype))
    assert gg == tg
    for a, b in zip(gx, tx):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **_tol(dtype))
    for (n, tp), (_, gp) in zip(tm.named_parameters(), gm.named_parameters()):
        if tp.grad is None:
            assert gp.grad is None, n
            continue
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), **_tol(dtype), err_msg=n)


def test_mha_gradcheck():
    gs.manual_seed(0)
    m = gs.nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    x = gs.randn(3, 2, 4, dtype=gs.float64, requires_grad=True)
    kv = gs.randn(2, 2, 4, dtype=gs.float64, requires_grad=True)
    ps = [m.in_proj_weight, m.in_proj_bias, m.out_proj.weight, m.bias_k]

    def fn(x, kv, w, b, ow, bk):
        return gs.nn.functional.multi_head_attention_forward(
            x, kv, kv, 4, 2, w, b, bk, m.bias_v, False, 0.0, ow, m.out_proj.bias
        )[0]

    assert gs.autograd.gradcheck(fn, [x, kv, *ps])
    fused = lambda x, w: m(x, x, x, need_weights=False)[0]  # noqa: E731
    assert gs.autograd.gradcheck(lambda x: fused(x, None), [x])


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.nn.MultiheadAttention(8, 2),
        lambda m: m.nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, kdim=3, vdim=5),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu"), 2, m.nn.LayerNorm(8)
        ),
        lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, bias=False, norm_first=True),
        lambda m: m.nn.Transformer(8, 2, 2, 1, 16),
    ],
)
def test_parameters_state_dict_and_repr_as_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm, gm = make(torch), make(gs)
    assert [(n, tuple(p.shape)) for n, p in gm.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in tm.named_parameters()
    ]
    assert list(gm.state_dict()) == list(tm.state_dict())
    assert repr(gm) == repr(tm)


def test_mha_initial_values_as_torch_draws_them():
    """``in_proj_weight`` from xavier_uniform_, the biases 0 (``out_proj``'s too)."""
    m = gs.nn.MultiheadAttention(16, 4)
    bound = (6 / (16 + 48)) ** 0.5
    w = m.in_proj_weight.detach().numpy()
    assert 0.5 * bound < np.abs(w).max() <= bound
    assert not m.in_proj_bias.detach().numpy().any()
    assert not m.out_proj.bias.detach().numpy().any()
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"


def test_dropout_in_training_only():
    """In training the layers drop (a ``MulBackward0`` with a mask, different draws give
    different values); in eval mode nothing is dropped and the output is deterministic
    and torch's."""
    x = np.random.default_rng(5).standard_normal((3, 2, 8))
    tm, gm = _pair(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5), "float64")
    xs = gs.tensor(x, requires_grad=True)
    gs.manual_seed(0)
    a = gm(xs)
    gs.manual_seed(1)
    b = gm(xs)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    # the attention weights' dropout, then the three layers'
    assert [n for _, n, *_ in _graph(a, gs)].count("MulBackward0") == 4
    tm.eval()
    gm.eval()
    with torch.no_grad():  # torch's fast path: the same values as the path gradscope records
        want = tm(torch.tensor(x)).numpy()
    c, d = gm(xs), gm(xs)
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())
    np.testing.assert_allclose(c.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    assert "MulBackward0" not in [n for _, n, *_ in _graph(c, gs)]


def test_mha_weights_dropout_recorded_as_torch():
    tm, gm = _pair(lambda m: m.nn.MultiheadAttention(8, 2, dropout=0.5), "float64")
    x = np.random.default_rng(6).standard_normal((3, 2, 8))
    names = {}
    for lib, m in ((torch, tm), (gs, gm)):
        t = lib.tensor(x, requires_grad=True)
        out, w = m(t, t, t)
        names[lib] = [n[:2] for n in _graph(w, lib)]
    assert names[gs] == names[torch]


def test_generate_square_subsequent_mask_and_nested_tensor_warning_as_torch():
    for n in (1, 4):
        np.testing.assert_array_equal(
            gs.nn.Transformer.generate_square_subsequent_mask(n).numpy(),
            torch.nn.Transformer.generate_square_subsequent_mask(n).numpy(),
        )
    for lib in (torch, gs):
        with pytest.warns(UserWarning, match="self_attn.batch_first was not True"):
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 1)


MODULE_ERRORS = {
    "embed_dim_zero": lambda m: m.nn.MultiheadAttention(0, 2),
    "heads_divide": lambda m: m.nn.MultiheadAttention(8, 3),
    "query_dims": lambda m: m.nn.MultiheadAttention(8, 2)(*(m.randn(1, 3, 2, 8),) * 3),
    "key_dims": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.randn(3, 2, 8), m.randn(3, 8), m.randn(3, 8)
    ),
    "mask_2d_shape": lambda m: m.nn.MultiheadAttention(8, 2)(
        *(m.randn(3, 2, 8),) * 3, attn_mask=m.zeros(3, 4)
    ),
    "mask_3d_shape": lambda m: m.nn.MultiheadAttention(8, 2)(
        *(m.randn(3, 2, 8),) * 3, attn_mask=m.zeros(2, 3, 3)
    ),
    "mask_int": lambda m: m.nn.MultiheadAttention(8, 2)(
        *(m.randn(3, 2, 8),) * 3, attn_mask=m.zeros(3, 3, dtype=m.int64)
    ),
    "padding_shape": lambda m: m.nn.MultiheadAttention(8, 2)(
        *(m.randn(3, 2, 8),) * 3, key_padding_mask=m.zeros(2, 4, dtype=m.bool)
    ),
    "causal_without_mask": lambda m: m.nn.MultiheadAttention(8, 2)(
        *(m.randn(3, 2, 8),) * 3, is_causal=True
    ),
    "embed_dim": lambda m: m.nn.MultiheadAttention(8, 2)(*(m.randn(3, 2, 6),) * 3),
    "activation": lambda m: m.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    "transformer_batch": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(
        m.randn(3, 2, 8), m.randn(3, 3, 8)
    ),
    "transformer_features": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(
        m.randn(3, 2, 8), m.randn(3, 2, 6)
    ),
}


@pytest.mark.parametrize("name", list(MODULE_ERRORS))
def test_module_errors_as_torch(name):
    fn = MODULE_ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as want:
            fn(torch)
        with pytest.raises(Exception) as got:
            fn(gs)
    assert type(got.value) is type(want.value)
    assert norm(str(got.value)) == str(want.value)
