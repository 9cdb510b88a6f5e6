"""``gs.utils.data`` and ``gs.nn.utils.rnn``: the batches, splits, collation and errors of
torch's, and padded sequences recorded as torch records them."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import gradscope as gs
from tests.test_parity_torch import graph_signature

torch = pytest.importorskip("torch", reason="torch.utils.data is the reference")

P = namedtuple("P", "u v")


def _plain(x):
    """A batch as plain Python data (tensors as (dtype name, values)), to compare libraries."""
    if isinstance(x, (gs.Tensor, torch.Tensor)):
        return (str(x.dtype).split(".")[-1], x.detach().numpy().tolist())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, *[_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, *[_plain(v) for v in x]]
    return x


def _both(fn):
    return _plain(fn(torch)), _plain(fn(gs))


def _ds(m):
    return m.utils.data.TensorDataset(m.arange(10.0).reshape(5, 2), m.arange(5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: list(m.utils.data.DataLoader(_ds(m), batch_size=2)),
        lambda m: list(m.utils.data.DataLoader(_ds(m), batch_size=2, drop_last=True)),
        lambda m: list(m.utils.data.DataLoader(_ds(m), batch_size=None)),
        lambda m: list(m.utils.data.DataLoader(list(range(5)), batch_size=3)),
        lambda m: list(
            m.utils.data.DataLoader(
                _ds(m),
                batch_sampler=m.utils.data.BatchSampler(range(5), 2, drop_last=False),
            )
        ),
        lambda m: m.utils.data.default_collate([(1.0, 2, True), (3.0, 4, False)]),
        lambda m: m.utils.data.default_collate(
            [{"a": np.float32(1), "b": "x"}, {"a": np.float32(2), "b": "y"}]
        ),
        lambda m: m.utils.data.default_collate([P(1, 2.0), P(3, 4.0)]),
        lambda m: m.utils.data.default_collate([np.ones(2), np.zeros(2)]),
        lambda m: m.utils.data.default_collate([[1, 2], [3, 4]]),
        lambda m: m.utils.data.default_convert([np.int32(3), np.ones(2, np.float32)]),
        lambda m: m.utils.data.ConcatDataset([_ds(m), _ds(m)])[7],
        lambda m: len(m.utils.data.ConcatDataset([_ds(m), _ds(m)])),
        lambda m: m.utils.data.StackDataset(_ds(m), list("abcde"))[3],
        lambda m: m.utils.data.StackDataset(a=_ds(m), b=list("abcde"))[1],
        lambda m: m.utils.data.Subset(_ds(m), [4, 0])[0],
        lambda m: list(
            m.utils.data.BatchSampler(m.utils.data.SequentialSampler(range(7)), 3, False)
        ),
        lambda m: len(m.utils.data.BatchSampler(range(7), 3, True)),
        lambda m: [len(s) for s in m.utils.data.random_split(range(10), [0.3, 0.7])],
        lambda m: [len(s) for s in m.utils.data.random_split(range(11), [0.5, 0.5])],
        lambda m: [len(s) for s in m.utils.data.random_split(range(10), [4, 6])],
        lambda m: len(m.utils.data.DataLoader(_ds(m), batch_size=2)),
        lambda m: len(m.utils.data.RandomSampler(range(5), replacement=True, num_samples=9)),
    ],
)
def test_as_torch(fn):
    want, got = _both(fn)
    assert got == want


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.utils.data.DataLoader(_ds(m), sampler=[0, 1], shuffle=True),
        lambda m: m.utils.data.DataLoader(_ds(m), batch_sampler=[[0]], batch_size=2),
        lambda m: m.utils.data.DataLoader(_ds(m), batch_size=None, drop_last=True),
        lambda m: m.utils.data.DataLoader(_ds(m), num_workers=-1),
        lambda m: m.utils.data.DataLoader(_ds(m), prefetch_factor=2),
        lambda m: m.utils.data.DataLoader(_ds(m), persistent_workers=True),
        lambda m: m.utils.data.TensorDataset(m.ones(3), m.ones(2)),
        lambda m: m.utils.data.BatchSampler(range(3), 0, False),
        lambda m: m.utils.data.BatchSampler(range(3), 2, 1),
        lambda m: m.utils.data.RandomSampler(range(3), replacement=1),
        lambda m: m.utils.data.RandomSampler(range(3), num_samples=0),
        lambda m: m.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
        lambda m: m.utils.data.WeightedRandomSampler([[1.0, 2.0]], 3),
        lambda m: m.utils.data.random_split(range(5), [2, 2]),
        lambda m: m.utils.data.default_collate([m.ones(2), m.ones(3)]),
        lambda m: m.utils.data.default_collate([[1, 2], [3]]),
        lambda m: m.utils.data.StackDataset(_ds(m), [1, 2]),
    ],
)
def test_errors_as_torch(fn):
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(gs)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_shuffle_draws_a_new_order_each_pass_and_repeats_under_a_seed():
    ds = list(range(20))
    gs.manual_seed(0)
    loader = gs.utils.data.DataLoader(ds, batch_size=5, shuffle=True)
    first = [i for b in loader for i in b.tolist()]
    second = [i for b in loader for i in b.tolist()]
    assert sorted(first) == sorted(second) == ds
    assert first != second
    gs.manual_seed(0)
    assert [i for b in loader for i in b.tolist()] == first
    g = np.random.default_rng(7)
    own = gs.utils.data.DataLoader(ds, batch_size=20, shuffle=True, generator=g)
    assert sorted(next(iter(own)).tolist()) == ds


def test_samplers_draw_what_they_say():
    gs.manual_seed(1)
    w = gs.utils.data.WeightedRandomSampler([0.0, 1.0, 3.0], 4000)
    counts = np.bincount(list(w), minlength=3)
    assert counts[0] == 0 and counts[2] / counts[1] == pytest.approx(3.0, rel=0.15)
    picks = list(gs.utils.data.SubsetRandomSampler([3, 5, 9]))
    assert sorted(picks) == [3, 5, 9]
    r = list(gs.utils.data.RandomSampler(range(4), num_samples=10))
    assert len(r) == 10 and sorted(r[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_iterable_dataset_batches_and_refuses_shuffle():
    class Count(gs.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in gs.utils.data.DataLoader(Count(), batch_size=3)] == [
        [0, 1, 2],
        [3, 4, 5],
        [6],
    ]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        gs.utils.data.DataLoader(Count(), shuffle=True)
    assert gs.utils.data.get_worker_info() is None


def test_a_training_loop_over_a_loader():
    gs.manual_seed(0)
    x = gs.randn(32, 3)
    y = x @ gs.tensor([[1.0], [-2.0], [0.5]])
    model = gs.nn.Linear(3, 1)
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    loader = gs.utils.data.DataLoader(gs.utils.data.TensorDataset(x, y), batch_size=8, shuffle=True)
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            gs.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=1e-2)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"batch_first": True},
        {"batch_first": True, "padding_side": "left", "padding_value": -1.0},
    ],
)
def test_pad_sequence_as_torch(kw):
    res = []
    for m in (torch, gs):
        a = m.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        b = m.tensor([[7.0, 8.0]], requires_grad=True)
        p = m.nn.utils.rnn.pad_sequence([a, b * 2], **kw)
        (p * m.arange(p.numel(), dtype=p.dtype).reshape(p.shape)).sum().backward()
        res.append((p.detach().numpy(), graph_signature(p), a.grad.numpy(), b.grad.numpy()))
    (tp, tg, ta, tb), (gp, gg, ga, gb) = res
    np.testing.assert_array_equal(gp, tp)
    assert gg == tg
    np.testing.assert_array_equal(ga, ta)
    np.testing.assert_array_equal(gb, tb)


def test_unpad_sequence_and_pad_errors_as_torch():
    for m in (torch, gs):
        p = m.nn.utils.rnn.pad_sequence([m.ones(3, 2), 2 * m.ones(1, 2)])
        parts = m.nn.utils.rnn.unpad_sequence(p, m.tensor([3, 1]))
        assert [tuple(s.shape) for s in parts] == [(3, 2), (1, 2)]
    for bad in [
        lambda m: m.nn.utils.rnn.pad_sequence([]),
        lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2)], padding_side="up"),
        lambda m: m.nn.utils.rnn.pad_sequence(3),
        lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2, 3), m.ones(2, 2)]),
    ]:
        with pytest.raises(RuntimeError) as want:
            bad(torch)
        with pytest.raises(RuntimeError) as got:
            bad(gs)
        assert str(got.value) == str(want.value)
