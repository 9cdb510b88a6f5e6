"""The graph fold, on hand-built event lists."""

from test_state_builder import Events, relu_chain, square_sum

from gradscope.state import fold_graph, snapshot


def test_nodes_inputs_and_saved_slots():
    g = fold_graph(square_sum().events)
    assert [n.op for n in g.nodes.values()] == ["AccumulateGrad", "PowBackward0", "SumBackward0"]
    pow_ = g.nodes[2]
    assert pow_.inputs == (1,)
    assert pow_.shape == (3,) and pow_.dtype == "float32"
    assert pow_.stack == "sq.py:4"
    (slot,) = pow_.saved
    assert (slot.slot, slot.buffer, slot.tensor, slot.nbytes, slot.new) == ("self", 1, 1, 12, False)
    assert pow_.saved_bytes == 12


def test_executed_order_freed_and_grads():
    before = snapshot(square_sum().events, "before").graph
    assert not any(n.executed or n.freed for n in before.nodes.values())
    assert before.grads == {}
    g = fold_graph(square_sum().events)
    (rec,) = g.backwards
    assert rec.executed == [3, 2, 1]
    assert g.nodes[2].freed and g.nodes[2].saved[0].freed
    assert g.nodes[3].executed == 1
    assert g.grads[1].nbytes == 12 and g.grads[1].count == 1
    assert g.root == 3 and g.loss_tensor == 3


def test_leaves_parameters_and_inputs():
    ev = square_sum()
    ev.alloc(9, 9, 12, (3,), role="leaf", name="c")
    g = fold_graph(ev.events)
    assert g.leaves == [1, 9]
    assert g.requires_grad(1) and not g.requires_grad(9)
    assert g.tensors[1].name == "x"


def test_accumulation_counts_and_a_freed_grad_is_gone():
    ev = square_sum()
    ev.grad(1, 1, 12, 5, first=False)
    g = fold_graph(ev.events)
    assert g.grads[1].count == 2
    ev.free(5)  # x.grad = None
    assert 1 not in fold_graph(ev.events).grads


def test_views_appear_as_node_outputs():
    ev = Events()
    ev.alloc(1, 1, 24, (6,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (6,))
    ev.node(2, "ViewBackward0", (1,), 2, (2, 3))  # shares buffer 1, no allocation
    g = fold_graph(ev.events)
    assert g.tensors[2].shape == (2, 3) and g.tensors[2].buffer is None
    assert g.tensors[2].node == 2


def test_consumers_and_ancestors_without_recursion():
    g = fold_graph(relu_chain(5000, numel=1).events)
    assert len(g.ancestors([g.root])) == 5002
    cons = g.consumers()
    assert cons[1] == [2] and cons[5001] == [5002]


def test_a_saved_buffer_freed_without_graph_freed_marks_the_slot():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), node=1)
    ev.node(1, "ExpBackward0", (), 1, (3,))
    ev.save(1, 1, 1, "result", 12, (3,))
    ev.free(1)  # the graph was dropped without backward
    g = fold_graph(ev.events)
    assert g.nodes[1].saved[0].freed and not g.nodes[1].freed


def test_saved_count_dedupes_buffers():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.node(2, "MulBackward0", (1, 1), 2, (3,))
    ev.save(2, 1, 1, "self", 12, (3,))
    ev.save(2, 1, 1, "other", 12, (3,))
    g = fold_graph(ev.events)
    assert g.saved_count == 1 and g.nodes[2].saved_bytes == 12
