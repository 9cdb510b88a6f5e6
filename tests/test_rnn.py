"""Recurrent layers and cells, and the unsafe splits their gates are cut with: values,
gradients and recorded graphs as torch's, torch's errors, and what a trace sees."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.test_parity_torch import graph_signature

torch = pytest.importorskip("torch", reason="torch is the reference for recurrent layers")
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")


def _flat(o) -> list:
    if isinstance(o, (tuple, list)):
        return [x for v in o for x in _flat(v)]
    return [o]


def _pair(make, dtype: str):
    """The same module in torch and gradscope, with torch's parameter values."""
    tm = make(torch).to(getattr(torch, dtype))
    gm = make(gs).to(getattr(gs, dtype))
    names = [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in gm.named_parameters()] == names
    for (_, g), (_, t) in zip(gm.named_parameters(), tm.named_parameters()):
        with gs.no_grad():
            g.copy_(gs.tensor(t.detach().numpy()))
    return tm, gm


def _run(module, lib, arrays, state: str):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    if state == "none":
        out = module(xs[0])
    elif state == "pair":
        out = module(xs[0], (xs[1], xs[2]))
    else:
        out = module(xs[0], xs[1])
    return xs, _flat(out)


MODULES = [
    ("rnn_cell", lambda m: m.nn.RNNCell(4, 5), [(3, 4), (3, 5)], "one"),
    ("rnn_cell_relu_no_bias", lambda m: m.nn.RNNCell(4, 5, False, "relu"), [(3, 4), (3, 5)], "one"),
    ("rnn_cell_unbatched", lambda m: m.nn.RNNCell(4, 5), [(4,)], "none"),
    ("lstm_cell", lambda m: m.nn.LSTMCell(4, 5), [(3, 4), (3, 5), (3, 5)], "pair"),
    ("lstm_cell_zero_state", lambda m: m.nn.LSTMCell(4, 5), [(3, 4)], "none"),
    ("lstm_cell_unbatched", lambda m: m.nn.LSTMCell(4, 5), [(4,), (5,), (5,)], "pair"),
    ("gru_cell", lambda m: m.nn.GRUCell(4, 5), [(3, 4), (3, 5)], "one"),
    ("gru_cell_no_bias_unbatched", lambda m: m.nn.GRUCell(4, 5, bias=False), [(4,), (5,)], "one"),
    ("rnn", lambda m: m.nn.RNN(4, 5), [(3, 2, 4)], "none"),
    (
        "rnn_2_layers_batch_first",
        lambda m: m.nn.RNN(4, 5, num_layers=2, batch_first=True),
        [(2, 3, 4), (2, 2, 5)],
        "one",
    ),
    (
        "rnn_bidirectional_relu",
        lambda m: m.nn.RNN(4, 5, 1, "relu", bidirectional=True),
        [(3, 2, 4)],
        "none",
    ),
    ("rnn_unbatched", lambda m: m.nn.RNN(4, 5), [(3, 4), (1, 5)], "one"),
    ("gru_2_layers", lambda m: m.nn.GRU(4, 5, num_layers=2), [(3, 2, 4)], "none"),
    (
        "gru_bidirectional_batch_first",
        lambda m: m.nn.GRU(4, 5, bidirectional=True, batch_first=True),
        [(2, 3, 4)],
        "none",
    ),
    ("lstm", lambda m: m.nn.LSTM(4, 5), [(3, 2, 4)], "none"),
    (
        "lstm_2_layers_batch_first",
        lambda m: m.nn.LSTM(4, 5, num_layers=2, batch_first=True),
        [(2, 3, 4), (2, 2, 5), (2, 2, 5)],
        "pair",
    ),
    (
        "lstm_bidirectional_2_layers",
        lambda m: m.nn.LSTM(4, 5, 2, bidirectional=True),
        [(3, 2, 4)],
        "none",
    ),
    ("lstm_projection", lambda m: m.nn.LSTM(4, 5, proj_size=3), [(3, 2, 4)], "none"),
    ("lstm_unbatched", lambda m: m.nn.LSTM(4, 5), [(3, 4), (1, 5), (1, 5)], "pair"),
    ("lstm_no_bias", lambda m: m.nn.LSTM(4, 5, bias=False), [(3, 2, 4)], "none"),
]


@pytest.mark.parametrize("name,make,shapes,state", MODULES, ids=[m[0] for m in MODULES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_module_matches_torch(name, make, shapes, state, dtype):
    """Outputs, the recorded graph of each output, and the gradients of the inputs and of
    every parameter, as torch's. torch runs a float32 LSTM through oneDNN's fused layer
    (one ``MkldnnRnnLayerBackward0`` per layer; not with projections): there only values
    and gradients compare."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    tm, gm = _pair(make, dtype)
    t_in, t_out = _run(tm, torch, arrays, state)
    g_in, g_out = _run(gm, gs, arrays, state)
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    fused = dtype == "float32" and isinstance(tm, torch.nn.LSTM) and not tm.proj_size
    assert len(t_out) == len(g_out)
    for t, g in zip(t_out, g_out):
        assert tuple(g.shape) == tuple(t.shape)
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), **tol)
        if not fused:
            assert graph_signature(g) == graph_signature(t)
    sum(((i + 1) * o).sum() for i, o in enumerate(t_out)).backward()
    total = gs.zeros((), dtype=getattr(gs, dtype))
    for i, o in enumerate(g_out):
        total = total + ((i + 1) * o).sum()
    total.backward()
    for t, g in zip(t_in, g_in):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), **tol)
    for (n, tp), (_, gp) in zip(tm.named_parameters(), gm.named_parameters()):
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), **tol, err_msg=n)


def test_parameters_names_shapes_and_repr_as_torch():
    for make in [
        lambda m: m.nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2, batch_first=True),
        lambda m: m.nn.GRU(3, 6, bias=False, dropout=0.5, num_layers=3),
        lambda m: m.nn.RNN(3, 6, 2, "relu"),
        lambda m: m.nn.RNNCell(3, 6, nonlinearity="relu", bias=False),
        lambda m: m.nn.LSTMCell(3, 6),
        lambda m: m.nn.GRUCell(3, 6),
    ]:
        tm, gm = make(torch), make(gs)
        assert [(n, tuple(p.shape)) for n, p in gm.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in tm.named_parameters()
        ]
        assert list(gm.state_dict()) == list(tm.state_dict())
        assert repr(gm) == repr(tm)


def test_initial_values_within_torch_bound():
    m = gs.nn.LSTM(4, 16)
    for p in m.parameters():
        biggest = float(p.detach().abs().max())
        assert 0.1 < biggest <= 0.25  # drawn, within 1 / sqrt(16)  # drawn, not zeros
    assert gs.nn.LSTM(4, 16).weight_ih_l0.dtype == gs.float32


def test_dropout_between_layers_only_while_training():
    x = gs.tensor(np.random.default_rng(1).standard_normal((4, 2, 3)), dtype=gs.float32)
    m = gs.nn.GRU(3, 8, num_layers=2, dropout=0.5)
    gs.manual_seed(0)
    a, _ = m(x)
    gs.manual_seed(1)
    b, _ = m(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())  # different masks
    m.eval()
    c, _ = m(x)
    d, _ = m(x)
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())
    # the dropout is torch's: the product with a mask, between the layers
    m.train()
    out, _ = m(x.requires_grad_())
    names = [n for n, _ in graph_signature(out)]
    assert names.count("MulBackward0") > 0


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        gs.nn.LSTM(3, 4, dropout=0.2)


ERRORS = [
    ("rnn_input_dims", lambda m: m.nn.RNN(4, 5)(m.randn(4))),
    ("lstm_input_dims", lambda m: m.nn.LSTM(4, 5)(m.randn(1, 1, 1, 4))),
    ("gru_input_dims", lambda m: m.nn.GRU(4, 5)(m.randn(4))),
    ("input_size", lambda m: m.nn.GRU(4, 5)(m.randn(2, 3, 3))),
    ("hidden_size", lambda m: m.nn.GRU(4, 5)(m.randn(2, 3, 4), m.randn(1, 2, 5))),
    ("hidden_dims_batched", lambda m: m.nn.RNN(4, 5)(m.randn(2, 3, 4), m.randn(3, 5))),
    ("hidden_dims_unbatched", lambda m: m.nn.RNN(4, 5)(m.randn(3, 4), m.randn(1, 1, 5))),
    (
        "lstm_hidden0",
        lambda m: m.nn.LSTM(4, 5)(m.randn(2, 3, 4), (m.randn(1, 2, 5), m.randn(1, 3, 5))),
    ),
    (
        "lstm_hidden1",
        lambda m: m.nn.LSTM(4, 5)(m.randn(2, 3, 4), (m.randn(1, 3, 5), m.randn(1, 3, 4))),
    ),
    (
        "lstm_hx_dims",
        lambda m: m.nn.LSTM(4, 5)(m.randn(2, 3, 4), (m.randn(3, 5), m.randn(1, 3, 5))),
    ),
    ("dtype", lambda m: m.nn.LSTM(4, 5)(m.randn(2, 3, 4, dtype=m.float64))),
    ("empty_sequence", lambda m: m.nn.GRU(4, 5)(m.randn(0, 3, 4))),
    ("cell_input_size", lambda m: m.nn.LSTMCell(4, 5)(m.randn(3, 3))),
    ("cell_batch", lambda m: m.nn.GRUCell(4, 5)(m.randn(3, 4), m.randn(2, 5))),
    ("cell_hidden0", lambda m: m.nn.LSTMCell(4, 5)(m.randn(3, 4), (m.randn(3, 6), m.randn(3, 5)))),
    ("cell_hidden1", lambda m: m.nn.LSTMCell(4, 5)(m.randn(3, 4), (m.randn(3, 5), m.randn(3, 6)))),
    ("cell_input_dims", lambda m: m.nn.RNNCell(4, 5)(m.randn(1, 3, 4))),
    ("cell_hidden_dims", lambda m: m.nn.GRUCell(4, 5)(m.randn(3, 4), m.randn(1, 3, 5))),
    (
        "lstm_cell_hx_dims",
        lambda m: m.nn.LSTMCell(4, 5)(m.randn(3, 4), (m.randn(3, 5), m.randn(1, 3, 5))),
    ),
    ("cell_nonlinearity", lambda m: m.nn.RNNCell(4, 5, nonlinearity="gelu")(m.randn(3, 4))),
    ("rnn_nonlinearity", lambda m: m.nn.RNN(4, 5, nonlinearity="gelu")),
    ("gru_proj", lambda m: m.nn.GRU(4, 5, proj_size=2)),
    ("proj_too_big", lambda m: m.nn.LSTM(4, 5, proj_size=5)),
    ("dropout_range", lambda m: m.nn.LSTM(4, 5, dropout=1.5)),
    ("hidden_zero", lambda m: m.nn.LSTM(4, 0)),
    ("layers_zero", lambda m: m.nn.LSTM(4, 5, num_layers=0)),
    ("bias_type", lambda m: m.nn.LSTM(4, 5, bias=1)),
    ("input_size_type", lambda m: m.nn.GRU(4.0, 5)),
    ("unsafe_split_negative", lambda m: m.unsafe_split(m.randn(4, 6), -1)),
    ("unsafe_split_list", lambda m: m.unsafe_split(m.randn(4, 6), [2, 4], 1)),
    ("unsafe_chunk_zero", lambda m: m.unsafe_chunk(m.randn(4, 6), 0)),
    ("unsafe_split_sizes_sum", lambda m: m.unsafe_split_with_sizes(m.randn(4, 6), [2, 3], 1)),
    ("unsafe_chunk_scalar", lambda m: m.unsafe_chunk(m.tensor(1.0), 1)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(name, fn):
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(gs)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_functional_forms_as_torch():
    rng = np.random.default_rng(3)
    arrays = [
        rng.standard_normal(s) for s in [(3, 4), (3, 5), (3, 5), (20, 4), (20, 5), (20,), (20,)]
    ]

    def run(m):
        x, h, c, *w = [m.tensor(a, requires_grad=True) for a in arrays]
        hy, cy = m.lstm_cell(x, (h, c), *w)
        out, hn, cn = m.lstm(
            x[:, None], (h[None, :1], c[None, :1]), w, True, 1, 0.0, False, False, False
        )
        return [hy, cy, out, hn, cn]

    for g, t in zip(run(gs), run(torch)):
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-12)
        assert graph_signature(g) == graph_signature(t)


def test_unsafe_chunk_parts_share_memory_not_versions():
    """As torch's: no new bytes, no view of the input to autograd, a version counter each."""
    for lib in (gs, torch):
        y = lib.tensor(np.arange(12.0).reshape(2, 6), requires_grad=True) * 1
        parts = y.unsafe_chunk(3, 1)
        assert parts[0]._base is None
        parts[0].sigmoid_()
        assert (y._version, parts[0]._version, parts[1]._version) == (0, 1, 0)
        assert float(y[0, 0].detach()) == pytest.approx(0.5)  # written through the memory
    with gs.trace() as tr:
        y = gs.ones(4, 6, requires_grad=True) * 1
        before = tr.live_bytes
        parts = gs.unsafe_split(y, 2, 1)
        assert tr.live_bytes == before
        assert [tuple(p.shape) for p in parts] == [(4, 2)] * 3
    assert parts[1].grad_fn.name() == "UnsafeSplitBackward0"
    assert parts[1].output_nr == 1


def test_lstm_in_a_trace_records_each_step():
    """A two-step LSTM under ``gs.trace``: each step's gates are one ``AddmmBackward0`` on
    the hidden state, cut by one ``UnsafeSplitBackward0``; backward frees what they saved."""
    m = gs.nn.LSTM(3, 4)
    x = gs.randn(2, 1, 3)
    with gs.trace() as tr:
        out, (h, c) = m(x)
        gs.mark("before backward")
        out.sum().backward()
    created = [e for e in tr.events if e.kind == "node_created"]
    names = [e.op for e in created]
    assert names.count("UnsafeSplitBackward0") == 2
    assert names.count("StackBackward0") == 3  # the outputs, h_n and c_n
    freed = [e for e in tr.events if e.kind == "graph_freed"]
    assert sum(e.nbytes for e in freed) > 0
    assert m.weight_hh_l0.grad is not None and tuple(m.weight_hh_l0.grad.shape) == (16, 4)


# ------------------------------------------------------------------ packed sequences

X_PACK = np.random.default_rng(0).standard_normal((3, 4, 2))


@pytest.mark.parametrize(
    "lengths,enforce_sorted,batch_first",
    [([3, 2, 1, 1], True, False), ([1, 3, 2, 1], False, False), ([1, 3, 2, 1], False, True)],
)
def test_pack_and_pad_as_torch(lengths, enforce_sorted, batch_first):
    got = []
    for m in (torch, gs):
        R = m.nn.utils.rnn
        x0 = X_PACK.transpose(1, 0, 2).copy() if batch_first else X_PACK
        x = m.tensor(x0, requires_grad=True)
        p = R.pack_padded_sequence(x, m.tensor(lengths), batch_first, enforce_sorted)
        out, lens = R.pad_packed_sequence(p, batch_first, padding_value=-1.0, total_length=4)
        (out * m.arange(out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
        perm = [None if t is None else t.tolist() for t in (p.sorted_indices, p.unsorted_indices)]
        got.append(
            (
                p.data.detach().numpy(),
                p.batch_sizes.tolist(),
                perm,
                graph_signature(p.data),
                out.detach().numpy(),
                lens.tolist(),
                graph_signature(out),
                x.grad.numpy(),
            )
        )
    want, mine = got
    for a, b in zip(want, mine):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(b, a)
        else:
            assert b == a


PACKED = [
    ("gru", lambda m: m.nn.GRU(2, 3), False),
    ("rnn_2_layers", lambda m: m.nn.RNN(2, 3, num_layers=2), False),
    ("lstm", lambda m: m.nn.LSTM(2, 3), True),
    ("gru_bidirectional", lambda m: m.nn.GRU(2, 3, bidirectional=True), False),
    ("lstm_bidirectional_2_layers", lambda m: m.nn.LSTM(2, 3, 2, bidirectional=True), True),
    ("lstm_projection", lambda m: m.nn.LSTM(2, 3, proj_size=2), True),
]


@pytest.mark.parametrize("name,make,lstm", PACKED, ids=[p[0] for p in PACKED])
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [3, 2, 1, 1]), (False, [1, 3, 2, 1])])
@pytest.mark.parametrize("give_state", [False, True])
def test_modules_on_packed_input_as_torch(name, make, lstm, enforce_sorted, lengths, give_state):
    """torch's packed layers: the batch shrinks as sequences end (a ``narrow`` of the
    state), ended sequences' states are joined by a ``cat``, and the state comes back in
    the batch's order (``index_select``)."""
    tm, gm = _pair(make, "float64")
    got = []
    for m, module in ((torch, tm), (gs, gm)):
        x = m.tensor(X_PACK, requires_grad=True)
        p = m.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        dirs = 2 if module.bidirectional else 1
        size = module.proj_size or module.hidden_size
        args = ()
        if give_state:
            h = m.tensor(
                np.random.default_rng(1).standard_normal((module.num_layers * dirs, 4, size))
            )
            h.requires_grad_()
            c = m.tensor(np.random.default_rng(2).standard_normal((module.num_layers * dirs, 4, 3)))
            args = ((h, c.requires_grad_()),) if lstm else (h,)
        out, hidden = module(p, *args)
        assert type(out).__name__ == "PackedSequence"
        flat = [out.data, *(hidden if lstm else (hidden,))]
        sum(((i + 1) * f).sum() for i, f in enumerate(flat)).backward()
        got.append(
            (
                [f.detach().numpy() for f in flat],
                [graph_signature(f) for f in flat],
                x.grad.numpy(),
                [q.grad.numpy() for q in module.parameters()],
            )
        )
    (tv, tg, tx, tp), (gv, gg, gx, gp) = got
    for a, b in zip(tv, gv):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    assert gg == tg
    np.testing.assert_allclose(gx, tx, rtol=1e-10, atol=1e-12)
    for a, b in zip(tp, gp):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_pack_sequence_round_trip_and_errors_as_torch():
    for m in (torch, gs):
        R = m.nn.utils.rnn
        seqs = [m.ones(2, 3), 2 * m.ones(3, 3), 3 * m.ones(1, 3)]
        packed = R.pack_sequence(seqs, enforce_sorted=False)
        assert packed.batch_sizes.tolist() == [3, 2, 1]
        back = R.unpack_sequence(packed)
        assert [s[0, 0].item() for s in back] == [1.0, 2.0, 3.0]
        assert [tuple(s.shape) for s in back] == [(2, 3), (3, 3), (1, 3)]
    for bad in [
        lambda m: m.nn.utils.rnn.pack_padded_sequence(m.ones(3, 2, 1), [3, 0]),
        lambda m: m.nn.utils.rnn.pack_padded_sequence(m.ones(3, 2, 1), [2, 3]),
        lambda m: m.nn.utils.rnn.pack_padded_sequence(m.ones(3, 2, 1), [3]),
        lambda m: m.nn.utils.rnn.pad_packed_sequence(
            m.nn.utils.rnn.pack_padded_sequence(m.ones(3, 2, 1), [3, 2]), total_length=2
        ),
    ]:
        with pytest.raises(Exception) as want:
            bad(torch)
        with pytest.raises(Exception) as got:
            bad(gs)
        assert type(got.value) is type(want.value)
        assert str(got.value) == str(want.value)


def test_packing_refuses_forward_mode_as_torch():
    for m in (torch, gs):
        fwAD = m.autograd.forward_ad
        with fwAD.dual_level():
            x = fwAD.make_dual(m.ones(3, 2, 1, dtype=m.float64), m.ones(3, 2, 1, dtype=m.float64))
            with pytest.raises(NotImplementedError, match="forward AD with _pack_padded_sequence"):
                m.nn.utils.rnn.pack_padded_sequence(x, [3, 2])
