"""Graph views: what is drawn, DOT text, escaping, collapsing, SVG/PNG rendering."""

import os
import shutil
import xml.etree.ElementTree as ET

import pytest
from test_state_builder import Events, relu_chain, square_sum

from gradscope.state import fold_graph, snapshot
from gradscope.views.dot import STYLES, escape, to_dot
from gradscope.views.graph_model import build_view, focus_roots
from gradscope.views.render import RenderError, format_of, render_dot, render_file, resolve_binary

SVG_NS = "{http://www.w3.org/2000/svg}"


def _svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def test_items_of_square_sum():
    view = build_view(fold_graph(square_sum().events))
    assert [op.op for op in view.ops] == ["PowBackward0", "SumBackward0"]
    assert [lf.name for lf in view.leaves] == ["x"]
    assert view.leaves[0].grad.nbytes == 12
    assert ("t1", "n2", 1) in view.edges and ("n2", "n3", 1) in view.edges  # data-flow direction
    assert view.roots == ["n3"]
    (loss,) = [op for op in view.ops if op.role == "loss"]
    assert loss.op == "SumBackward0"
    (saved,) = view.saved
    assert saved.slots == ["self"] and saved.nbytes == 12 and saved.leaf == "param"
    assert saved.freed


def test_dot_has_ops_shapes_saved_bytes_and_freed_style():
    text = to_dot(build_view(snapshot(square_sum().events, "after").graph), title="after")
    assert text.startswith("digraph gradscope {") and text.rstrip().endswith("}")
    assert "PowBackward0\\n(3,) float32" in text
    assert "x saved as self\\n(3,) float32\\n12 B\\nfreed" in text
    assert 'style="dashed"' in text  # the freed saved tensor
    assert "x.grad\\n12 B" in text
    assert "loss\\nSumBackward0" in text
    assert "t1 -> n2" in text and "n2 -> n3" in text


def test_before_backward_nothing_is_freed():
    text = to_dot(build_view(snapshot(square_sum().events, "before").graph))
    assert "freed" not in text and ".grad" not in text


def test_node_styles_live_in_one_table():
    for name in ("op", "loss", "param", "input", "saved", "saved_freed", "grad", "collapsed"):
        assert name in STYLES


def test_labels_are_escaped_and_render_verbatim():
    weird = 'a<b & "c" \\n'
    assert escape(weird) == 'a<b &amp; \\"c\\" \\\\n'
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name=weird)
    ev.node(1, "AccumulateGrad", (), 1, (3,))
    ev.alloc(2, 2, 12, (3,), node=2)
    ev.node(2, "Op<&>Backward0", (1,), 2, (3,), stack='we"ird.py:1')
    svg = render_dot(to_dot(build_view(fold_graph(ev.events))), "svg")
    texts = _svg_texts(svg)
    assert weird.strip() in [t.strip() for t in texts]
    assert "Op<&>Backward0" in texts


def test_input_leaves_are_drawn_as_inputs():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name="w")
    ev.node(1, "AccumulateGrad", (), 1, (3,))
    ev.alloc(2, 2, 12, (3,), role="leaf", name="c")
    ev.alloc(3, 3, 12, (3,), node=2)
    ev.node(2, "MulBackward0", (1, None), 3, (3,))
    ev.save(2, 2, 2, "other", 12, (3,))
    view = build_view(fold_graph(ev.events))
    (saved,) = view.saved
    assert saved.leaf == "input" and saved.name == "c"
    assert 'label="input c saved as other' in to_dot(view)


def test_a_buffer_saved_by_two_nodes_is_one_box_with_two_edges():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (3,))
    ev.alloc(2, 2, 12, (3,), node=2)
    ev.node(2, "LogSoftmaxBackward0", (1,), 2, (3,))
    ev.save(2, 2, 2, "result", 12, (3,))
    ev.node(3, "NllLossBackward0", (2,), 3, ())
    ev.save(3, 2, 2, "self", 12, (3,))
    view = build_view(fold_graph(ev.events))
    (saved,) = view.saved
    assert saved.holders == ["n2", "n3"] and saved.slots == ["result", "self"]


def test_runs_of_identical_ops_collapse_with_a_note():
    view = build_view(fold_graph(relu_chain(100, numel=10).events))
    assert [op.op for op in view.ops] == ["ReluBackward0", "SumBackward0"]
    relu = view.ops[0]
    assert relu.count == 100 and relu.ids_text == "#2..#101"
    assert view.notes == ["collapsed 100 x ReluBackward0 (10,) (nodes #2..#101) into one box"]
    (saved,) = view.saved
    assert saved.count == 100 and saved.total == 4000
    text = to_dot(view)
    assert "ReluBackward0 x100" in text and "100 x 40 B = 4.0 kB" in text


def test_no_collapse_keeps_every_node():
    view = build_view(fold_graph(relu_chain(5, numel=10).events), collapse_min=0)
    assert len(view.ops) == 6 and not view.notes


def test_a_20000_node_chain_draws_a_handful_of_nodes():
    graph = fold_graph(relu_chain(20_000, numel=2).events)
    svg = render_dot(to_dot(build_view(graph)), "svg")
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
    assert len(nodes) < 8
    assert any("ReluBackward0 x20000" in t for t in _svg_texts(svg))


def test_the_cap_counts_what_is_not_drawn():
    ev = Events()
    ev.alloc(1, 1, 4, (1,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (1,))
    prev = 1
    for k in range(2, 42):  # alternating ops do not collapse
        ev.node(k, "ExpBackward0" if k % 2 else "SinBackward0", (prev,), k, (1,))
        prev = k
    view = build_view(fold_graph(ev.events), max_ops=10)
    assert len(view.ops) == 10 and view.omitted == 30
    assert "30 more nodes not drawn" in view.notes[0]
    assert "..." in to_dot(view)


def test_focus_is_the_graph_built_since_the_last_backward():
    ev = square_sum()
    ev.alloc(6, 6, 12, (3,), node=10)
    ev.node(10, "ExpBackward0", (1,), 6, (3,))
    g = fold_graph(ev.events)
    assert focus_roots(g) == [10]
    assert focus_roots(snapshot(ev.events, "after").graph) == [3]


def test_svg_and_png_files(tmp_path):
    text = to_dot(build_view(fold_graph(square_sum().events)))
    svg = render_file(text, str(tmp_path / "g.svg"))
    assert {"PowBackward0", "SumBackward0"} <= set(_svg_texts(open(svg, "rb").read()))
    png = render_file(text, str(tmp_path / "sub" / "g.png"))
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert format_of("a.gv") == "dot" and format_of("a.PNG") == "png"


def test_binary_choice(monkeypatch):
    monkeypatch.delenv("GRADSCOPE_DOT", raising=False)
    assert os.path.basename(resolve_binary()) == "graphviz-pure"
    assert os.path.basename(resolve_binary("pure")) == "graphviz-pure"
    monkeypatch.setenv("GRADSCOPE_DOT", "/no/such/dot")
    with pytest.raises(RenderError, match="'/no/such/dot' not found .*GRADSCOPE_DOT"):
        resolve_binary()
    with pytest.raises(RenderError, match="not found"):
        render_dot("digraph {}", "svg")
    monkeypatch.setenv("GRADSCOPE_DOT", shutil.which("graphviz-pure"))
    assert render_dot("digraph { a }", "svg").lstrip().startswith(b"<?xml")


@pytest.mark.skipif(shutil.which("dot") is not None, reason="a system Graphviz is installed")
def test_missing_system_dot_is_a_clear_error():
    with pytest.raises(RenderError, match="'dot' not found \\(install Graphviz"):
        resolve_binary("system")


def test_layout_failure_is_one_line():
    with pytest.raises(RenderError) as info:
        render_dot("digraph { a -> }", "svg")
    assert "\n" not in str(info.value)


def _shared_saves() -> Events:
    """``(exp(sin(x)) * x).sum()``: x saved by SinBackward0 as ``self`` and by MulBackward0
    as ``other``; exp's result saved by ExpBackward0 as ``result`` and by Mul as ``self``."""
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (3,), stack=None)
    ev.alloc(2, 2, 12, (3,), node=2)
    ev.node(2, "SinBackward0", (1,), 2, (3,), stack="s.py:3")
    ev.save(2, 1, 1, "self", 12, (3,))
    ev.alloc(3, 3, 12, (3,), node=3)
    ev.node(3, "ExpBackward0", (2,), 3, (3,), stack="s.py:3")
    ev.save(3, 3, 3, "result", 12, (3,))
    ev.alloc(4, 4, 12, (3,), node=4)
    ev.node(4, "MulBackward0", (3, 1), 4, (3,), stack="s.py:3")
    ev.save(4, 1, 1, "other", 12, (3,))
    ev.save(4, 3, 3, "self", 12, (3,))
    ev.alloc(5, 5, 4, (), node=5)
    ev.node(5, "SumBackward0", (4,), 5, (), stack="s.py:3")
    return ev


def test_each_box_names_only_the_slots_its_own_node_saved():
    from rich.console import Console

    from gradscope.views.dot import saved_lines
    from gradscope.views.graph_model import op_lines
    from gradscope.views.tree import graph_tree

    view = build_view(fold_graph(_shared_saves().events))
    saved = {op.op: next(x for x in op_lines(op) if x.startswith("saved")) for op in view.ops[:3]}
    assert saved == {
        "SinBackward0": "saved self 12 B",
        "ExpBackward0": "saved result 12 B",
        "MulBackward0": "saved other, self 24 B",
    }
    x = next(s for s in view.saved if s.name == "x")
    assert saved_lines(x)[0] == "x saved as self, other"  # the shared note: every holder
    assert [saved_lines(x, h)[0] for h in x.holders] == ["x saved as self", "x saved as other"]
    text = to_dot(view)
    assert "SinBackward0\\n(3,) float32\\ns.py:3\\nsaved self 12 B" in text
    assert "ExpBackward0\\n(3,) float32\\ns.py:3\\nsaved result 12 B" in text
    console = Console(width=200, record=True, color_system=None)
    console.print(graph_tree(view))
    tree = console.export_text()
    assert "SinBackward0 #2  (3,) float32  s.py:3  saved self 12 B" in tree
    assert "ExpBackward0 #3  (3,) float32  s.py:3  saved result 12 B" in tree
    assert "self/" not in tree and "/self" not in tree
    svg = _svg_texts(render_dot(text, "svg"))
    assert "saved self 12 B" in svg and "saved result 12 B" in svg
    assert not [t for t in svg if "/" in t]
