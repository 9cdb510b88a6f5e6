"""``F.ctc_loss`` and ``nn.CTCLoss`` against torch: values and gradients in float32 and
float64 (padded and concatenated targets, lengths as tensors or sequences, unbatched
input, ``zero_infinity``, impossible alignments, ``blank`` other than 0, repeated labels,
a last label that is the blank, inputs that are not normalised), the first derivative
against finite differences, what the node saves, ``create_graph`` and forward mode, and
torch's refusals (op-table cases cover graphs and saved shapes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference")

_TG = [[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]]
_X = np.random.default_rng(0).standard_normal((7, 3, 5))


def _run(m, x, targets, il, tl, dtype, normalise=True, tensors=False, **kw):
    """The loss and the gradient of ``x`` (through ``log_softmax`` unless told not to)."""
    leaf = m.tensor(x, dtype=getattr(m, dtype), requires_grad=True)
    lp = leaf.log_softmax(-1) if normalise else leaf
    if tensors:
        il, tl = m.tensor(il), m.tensor(tl)
    loss = m.nn.functional.ctc_loss(lp, m.tensor(targets), il, tl, **kw)
    seed = np.random.default_rng(1).standard_normal(tuple(loss.shape))
    loss.backward(m.tensor(seed, dtype=loss.dtype))
    return loss.detach().numpy(), leaf.grad.numpy(), loss.grad_fn.name()


def _compare(x, targets, il, tl, **kw):
    for dtype, tol in (("float32", 1e-5), ("float64", 1e-11)):
        ours = _run(gs, x, targets, il, tl, dtype, **kw)
        theirs = _run(torch, x, targets, il, tl, dtype, **kw)
        assert ours[2] == theirs[2]
        np.testing.assert_allclose(ours[0], theirs[0], rtol=tol, atol=tol)
        np.testing.assert_allclose(ours[1], theirs[1], rtol=10 * tol, atol=10 * tol)


# name: (x, targets, input_lengths, target_lengths, options), each run with the reduction
# that shows the most (the per-sample losses, mostly)
CONFIGS = {
    "padded": (_X, _TG, [7, 6, 7], [4, 2, 3], {}),
    "concatenated": (_X, [1, 2, 2, 3, 4, 1, 3, 3, 3], [7, 6, 7], [4, 2, 3], {}),
    "tensor_lengths": (_X, _TG, [7, 6, 7], [4, 2, 3], {"tensors": True, "reduction": "mean"}),
    "impossible": (_X, _TG, [3, 6, 5], [4, 2, 3], {}),  # inf loss, NaN gradient as torch
    "zero_infinity": (_X, _TG, [3, 6, 5], [4, 2, 3], {"zero_infinity": True}),
    "zero_infinity_mean": (
        _X,
        _TG,
        [3, 6, 5],
        [4, 2, 3],
        {"zero_infinity": True, "reduction": "mean"},
    ),
    "blank_3": (_X, [[1, 2, 2, 4], [4, 1, 0, 0], [0, 0, 0, 1]], [7, 6, 7], [4, 2, 3], {"blank": 3}),
    "last_label_blank": (_X, [[1, 0, 2, 2], [4, 0, 0, 0], [2, 3, 3, 0]], [7, 6, 7], [2, 1, 4], {}),
    "repeats": (_X, [[2, 2, 2, 2], [1, 1, 0, 0], [3, 3, 3, 3]], [7, 6, 7], [4, 2, 3], {}),
    "no_input_or_target": (_X, _TG, [7, 0, 0], [0, 0, 1], {}),
    "no_target_mean": (_X, _TG, [7, 6, 7], [0, 2, 0], {"reduction": "mean"}),
    "not_normalised": (_X, _TG, [7, 6, 7], [4, 2, 3], {"normalise": False}),
    "unbatched": (_X[:, 0], [1, 2, 2], [7], [3], {}),
    "unbatched_2d_targets": (_X[:, 0], [[1, 2, 2]], (7,), (3,), {"reduction": "sum"}),
    "unbatched_tensor_lengths": (_X[:, 0], [1, 2, 2], 6, 3, {"tensors": True, "reduction": "mean"}),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_values_and_gradients_match_torch(name):
    x, targets, il, tl, kw = CONFIGS[name]
    _compare(x, targets, il, tl, **{"reduction": "none", **kw})


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reductions_match_torch(reduction):
    _compare(_X, _TG, [7, 6, 7], [4, 2, 3], reduction=reduction)


def test_random_sizes_lengths_and_blanks_match_torch():
    for seed in range(5):
        r = np.random.default_rng(seed)
        steps, batch, classes, longest = (int(v) for v in r.integers([1, 1, 2, 0], [16, 5, 6, 6]))
        x = r.standard_normal((steps, batch, classes)) * 3
        targets = r.integers(0, classes, (batch, longest)).tolist()
        il = r.integers(0, steps + 1, batch).tolist()
        tl = r.integers(0, longest + 1, batch).tolist()
        blank = int(r.integers(0, classes))
        _compare(x, targets, il, tl, reduction="none", blank=blank)


# (not last_label_blank: there torch's kernel writes the last step's blank term over with
# the label's instead of adding them, and its gradient, which gradscope's follows, is not
# the derivative)
@pytest.mark.parametrize("name", ["padded", "concatenated", "blank_3", "repeats", "unbatched"])
def test_first_derivative_against_finite_differences(name):
    x, targets, il, tl, kw = CONFIGS[name]
    leaf = gs.tensor(x, dtype=gs.float64, requires_grad=True)
    tg = gs.tensor(targets)

    def fn(t):
        return gs.nn.functional.ctc_loss(t.log_softmax(-1), tg, il, tl, reduction="none", **kw)

    assert gs.autograd.gradcheck(fn, (leaf,))


def test_zero_infinity_gradient_against_finite_differences():
    leaf = gs.tensor(_X, dtype=gs.float64, requires_grad=True)
    tg = gs.tensor(_TG)

    def fn(t):
        lp = t.log_softmax(-1)
        return gs.nn.functional.ctc_loss(lp, tg, [3, 6, 5], [4, 2, 3], zero_infinity=True)

    assert gs.autograd.gradcheck(fn, (leaf,))


def _node(m, targets, **kw):
    lp = m.tensor(_X, requires_grad=True).log_softmax(2)
    return m.nn.functional.ctc_loss(lp, targets, [7, 6, 7], [4, 2, 3], reduction="none", **kw)


def test_saved_values_as_torch():
    for targets in (_TG, [1, 2, 2, 3, 4, 1, 3, 3, 3]):
        saved = []
        for m in (gs, torch):
            loss = _node(m, m.tensor(targets, dtype=m.int32), blank=0, zero_infinity=True)
            node = loss.grad_fn.next_functions[1][0]  # past zero_infinity's where
            assert node.name() == "CtcLossBackward0"
            saved.append(
                (
                    node._saved_input_lengths,
                    node._saved_target_lengths,
                    node._saved_blank,
                    node._saved_zero_infinity,
                    str(node._saved_targets.dtype).rsplit(".")[-1],
                    node._saved_targets.tolist(),
                    tuple(node._saved_result1.shape),
                    node._saved_result0.detach().numpy().tolist(),
                )
            )
        assert saved[0][:7] == saved[1][:7]
        np.testing.assert_allclose(saved[0][7], saved[1][7], rtol=1e-5)


def test_int64_targets_are_saved_as_they_are():
    tg = gs.tensor(_TG)
    assert _node(gs, tg).grad_fn._saved_targets is tg


def test_log_alpha_within_the_lengths_is_torchs():
    alphas = []
    for m in (gs, torch):
        node = _node(m, m.tensor(_TG)).grad_fn
        alphas.append(node._saved_result1.detach().numpy())
    for b, (il, tl) in enumerate(zip([7, 6, 7], [4, 2, 3])):  # torch leaves the rest unwritten
        np.testing.assert_allclose(
            alphas[0][b, :il, : 2 * tl + 1], alphas[1][b, :il, : 2 * tl + 1], rtol=1e-5
        )
        assert np.all(alphas[0][b, il:] == -np.inf)


def _tree(node, depth: int = 3) -> str:
    if node is None:
        return "None"
    kids = [_tree(n, depth - 1) for n, _ in node.next_functions] if depth else []
    return node.name() + (f"({','.join(kids)})" if kids else "")


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("grad_requires_grad", [False, True])
def test_create_graph_gives_torchs_not_implemented_node(reduction, grad_requires_grad):
    results = []
    for m in (gs, torch):
        x = m.tensor(_X, dtype=m.float64, requires_grad=True)
        loss = m.nn.functional.ctc_loss(
            x.log_softmax(2), m.tensor(_TG), [7, 6, 7], [4, 2, 3], reduction=reduction
        )
        v = m.ones(tuple(loss.shape), dtype=m.float64, requires_grad=grad_requires_grad)
        (g,) = m.autograd.grad(loss, x, v, create_graph=True)
        with pytest.raises(RuntimeError) as err:
            g.sum().backward()
        results.append((_tree(g.grad_fn), str(err.value), g.detach().numpy()))
    assert results[0][:2] == results[1][:2]
    assert results[0][1] == "derivative for aten::_ctc_loss_backward is not implemented"
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-10, atol=1e-12)


def test_forward_mode_is_refused_as_torch():
    def fn(m):
        fa = torch.autograd.forward_ad if m is torch else gs.autograd.forward_ad
        with fa.dual_level():
            lp = fa.make_dual(m.tensor(_X).log_softmax(2), m.ones(7, 3, 5))
            return m.nn.functional.ctc_loss(lp, m.tensor(_TG), [7, 6, 7], [4, 2, 3])

    check_error(fn)


def test_module():
    for m in (gs, torch):
        mod = m.nn.CTCLoss(blank=1, reduction="sum", zero_infinity=True)
        assert (mod.blank, mod.reduction, mod.zero_infinity) == (1, "sum", True)
        assert repr(mod) == "CTCLoss()"
    check_value(
        lambda m: m.nn.CTCLoss(blank=1)(
            m.tensor(_X).log_softmax(2), m.tensor([[2, 3], [0, 0], [4, 4]]), [5, 4, 7], [2, 1, 2]
        )
    )
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        gs.nn.CTCLoss(reduction="bad")(
            gs.tensor(_X).log_softmax(2), gs.tensor(_TG), [7, 6, 7], [4, 2, 3]
        )


def test_elementwise_mean_warns_and_means():
    lp = gs.tensor(_X).log_softmax(2)
    with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
        a = gs.nn.functional.ctc_loss(
            lp, gs.tensor(_TG), [7, 6, 7], [4, 2, 3], reduction=("elementwise_mean")
        )
    b = gs.nn.functional.ctc_loss(lp, gs.tensor(_TG), [7, 6, 7], [4, 2, 3])
    assert a.item() == b.item()


def test_a_label_out_of_range_is_refused():
    lp = gs.tensor(_X).log_softmax(2)
    with pytest.raises(RuntimeError, match="target label 5 is out of range for 5 classes"):
        gs.nn.functional.ctc_loss(lp, gs.tensor([[1, 5], [0, 0], [1, 1]]), [7, 6, 7], [2, 0, 1])
    # past a sample's length, a padded target is not read
    gs.nn.functional.ctc_loss(lp, gs.tensor([[1, 9], [-1, 0], [1, 1]]), [7, 6, 7], [1, 0, 1])


def _f(m, lp=None, targets=None, il=(5, 4), tl=(3, 2), **kw):
    """ctc_loss of (5, 2, 4) log-probabilities and padded (2, 3) targets, each replaceable."""
    if lp is None:
        lp = m.tensor(_X[:5, :2, :4], dtype=m.float32).log_softmax(2)
    if targets is None:
        targets = m.tensor([[1, 2, 2], [3, 1, 0]])
    return m.nn.functional.ctc_loss(lp(m) if callable(lp) else lp, targets, il, tl, **kw)


def _lp(m):
    return m.tensor(_X[:5, :2, :4], dtype=m.float32).log_softmax(2)


ERRORS = {
    "reduction": lambda m: _f(m, reduction="bad"),
    "reduction_first": lambda m: _f(m, il=[5, 4, 3], reduction="bad", blank=9),
    "input_lengths_size": lambda m: _f(m, il=[5, 4, 3]),
    "target_lengths_size": lambda m: _f(m, tl=[3]),
    "input_length_too_long": lambda m: _f(m, il=[6, 4]),
    "input_length_negative": lambda m: _f(m, il=[-1, 4]),
    "target_length_negative": lambda m: _f(m, tl=[3, -2], il=[7, 4]),
    "targets_too_short": lambda m: _f(m, tl=[4, 2]),
    "targets_rows": lambda m: _f(m, targets=m.tensor([[1, 2, 2]])),
    "concatenated_short": lambda m: _f(m, targets=m.tensor([1, 2, 2, 3])),
    "concatenated_long": lambda m: _f(m, targets=m.tensor([1, 2, 2, 3, 1, 1])),
    "blank_high": lambda m: _f(m, blank=4),
    "blank_negative": lambda m: _f(m, blank=-1, il=[5, 4, 3]),
    "targets_3d": lambda m: _f(m, targets=m.tensor([[[1, 2, 2], [3, 1, 0]]]), blank=9),
    "targets_0d": lambda m: _f(m, targets=m.tensor(1)),
    "log_probs_2d_batch": lambda m: _f(m, lp=lambda m: _lp(m)[0]),
    "log_probs_1d": lambda m: _f(m, lp=lambda m: _lp(m)[0, 0]),
    "log_probs_0d": lambda m: _f(m, lp=lambda m: _lp(m)[0, 0, 0]),
    "log_probs_4d": lambda m: _f(m, lp=lambda m: _lp(m)[None], blank=9),
    "half": lambda m: _f(m, lp=lambda m: _lp(m).half(), il=[5, 4, 3]),
    "int": lambda m: _f(m, lp=lambda m: _lp(m).int(), targets=m.tensor([[[1]]])),
    "complex": lambda m: _f(m, lp=lambda m: _lp(m).to(m.complex64)),
    "empty_half": lambda m: _f(m, lp=lambda m: _lp(m)[:0].half()),
    "empty": lambda m: _f(m, lp=lambda m: _lp(m)[:0], il=[5, 4, 3]),
    "empty_batch": lambda m: _f(m, lp=lambda m: _lp(m)[:, :0], il=[], tl=[]),
    "lengths_tensor_and_list": lambda m: _f(m, il=m.tensor([5, 4])),
    "lengths_list_and_tensor": lambda m: _f(m, tl=m.tensor([3, 2])),
    "lengths_tensor_and_tuple": lambda m: _f(m, il=m.tensor([5, 4]), tl=(3, 2)),
    "float_input_lengths": lambda m: _f(m, il=m.tensor([5.0, 4]), tl=m.tensor([3, 2])),
    "float_target_lengths": lambda m: _f(m, il=m.tensor([5, 4, 3]), tl=m.tensor([3.0, 2])),
    "bool_input_lengths": lambda m: _f(m, il=m.tensor([True, True]), tl=m.tensor([3, 2])),
    "float_in_list": lambda m: _f(m, il=[5.0, 4]),
    "bool_in_list": lambda m: _f(m, il=[True, 4]),
    "int_lengths": lambda m: _f(m, lp=lambda m: _lp(m)[:, 0], il=5, tl=3),
    "ndarray_lengths": lambda m: _f(m, il=np.array([5, 4])),
    "range_lengths": lambda m: _f(m, il=range(5, 3, -1)),
    "blank_bool": lambda m: _f(m, blank=True),
    "blank_float": lambda m: _f(m, blank=1.0),
    "zero_infinity_int": lambda m: _f(m, zero_infinity=1),
    "zero_infinity_none": lambda m: _f(m, zero_infinity=None),
    "targets_list": lambda m: _f(m, targets=[[1, 2, 2], [3, 1, 0]]),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


VALUES = {
    "numpy_int_in_list": lambda m: _f(m, il=[np.int64(5), 4]),
    "int_tensor_in_list": lambda m: _f(m, il=[m.tensor(5), 4]),
    "2d_length_tensors": lambda m: _f(m, il=m.tensor([[5, 4]]), tl=m.tensor([[3], [2]])),
    "small_int_length_tensors": lambda m: _f(
        m, il=m.tensor([5, 4], dtype=m.uint8), tl=m.tensor([3, 2], dtype=m.int8)
    ),
    "float_targets": lambda m: _f(m, targets=m.tensor([[1.0, 2.0, 2.9], [3.0, 1.0, 0.0]])),
    "bool_targets": lambda m: _f(m, targets=m.tensor([[True, False, True], [True, True, True]])),
    "int16_targets": lambda m: _f(m, targets=m.tensor([[1, 2, 2], [3, 1, 0]], dtype=m.int16)),
    "empty_lists_mean": lambda m: _f(m, il=[5, 4], tl=[0, 0]),
    "no_grad": lambda m: _f(m, reduction="none"),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_value(fn)
