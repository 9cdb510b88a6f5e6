"""Softmax cross-entropy -log(softmax(Wx + b)) at class y: the graph, what it saves, dL/dZ = p - onehot(y).

The lecture's classifier: ``W`` (10, 784) and ``b`` (10,) are parameters, ``x`` (784,) an
input that needs no gradient, ``y`` the true class. The graph is MatMul -> Add ->
Softmax -> Log -> Index -> Neg, in torch's names ``MvBackward0``, ``AddBackward0``,
``SoftmaxBackward0``, ``LogBackward0``, ``SelectBackward0``, ``NegBackward0``.

Run it: ``python scenarios/softmax_cross_entropy.py`` or ``gradscope run scenarios/softmax_cross_entropy.py``.
"""

import gradscope as gs


def walk(root) -> list:
    """The nodes reachable from ``root`` through ``next_functions``, loss first, each once."""
    order, seen, todo = [], set(), [root]
    while todo:
        node = todo.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        todo += [n for n, _ in node.next_functions]
    return order


def main(classes: int = 10, features: int = 784, y: int = 3, seed: int = 0) -> dict:
    """Build the loss, print its graph and saves, backpropagate, check dL/dZ."""
    gs.manual_seed(seed)
    with gs.trace() as tr:
        W = (gs.randn(classes, features) * 0.05).requires_grad_()
        b = gs.zeros(classes, requires_grad=True)
        x = gs.randn(features)
        Z = W @ x + b  # logits
        Z.retain_grad()  # keep dL/dZ, which backward would otherwise pass on and drop
        L = -gs.log(gs.softmax(Z, dim=0))[y]
        print(f"L = {L!r}")

        # What each node saved, by slot: from the trace (tensor_saved events) and read back
        # from the node itself through torch's _saved_<slot> attributes.
        slots = {}
        for e in tr.events:
            if e.kind == "tensor_saved":
                slots.setdefault(e.node, []).append(e)
        print("\nthe graph, from L back to the parameters (grad_fn.next_functions):")
        chain, saved_bytes = [], {}
        nodes = walk(L.grad_fn)
        width = max(len(node.name()) for node in nodes)
        for node in nodes:
            nexts = ", ".join(n.name() if n is not None else "None" for n, _ in node.next_functions)
            chain.append(node.name())
            leaf = getattr(node, "variable", None)
            name = {id(W): "W", id(b): "b"}.get(id(leaf), "a leaf")
            of = f"  writes {name}.grad {tuple(leaf.shape)}" if leaf is not None else ""
            print(f"  {node.name():<{width}} next: ({nexts}){of}")
            for e in slots.get(node._sequence_nr(), []):
                t = getattr(node, f"_saved_{e.slot}")
                saved_bytes[(node.name(), e.slot)] = t.nbytes
                what = "already live" if not e.new else "new"
                print(f"      saves {e.slot}: {tuple(t.shape)} {e.dtype}, {t.nbytes:,} bytes "
                      f"(buffer {e.buffer}, {what})")  # fmt: skip
        ops = [n for n in reversed(chain) if not n.endswith("AccumulateGrad")]
        print("  forward order: " + " -> ".join(ops))
        distinct = {e.buffer: e.nbytes for ss in slots.values() for e in ss}
        print(f"  {len(distinct)} distinct saved buffers, {sum(distinct.values()):,} bytes: "
              "the softmax output (shared by Softmax and Log) and x")  # fmt: skip

        gs.mark("before backward")
        L.backward()
        gs.mark("after backward")

    print("\ngradients:")
    print(f"  W.grad {tuple(W.grad.shape)}, b.grad {tuple(b.grad.shape)}, "
          f"Z.grad {tuple(Z.grad.shape)}, x.grad {x.grad}")  # fmt: skip
    with gs.no_grad():
        onehot = gs.zeros(classes)
        onehot[y] = 1.0
        expected = gs.softmax(Z, dim=0) - onehot
        dz_err = (Z.grad - expected).abs().max().item()
        b_err = (b.grad - Z.grad).abs().max().item()
        w_err = (W.grad - Z.grad.unsqueeze(1) * x.unsqueeze(0)).abs().max().item()
    print(f"  dL/dZ                  = {[round(v, 4) for v in Z.grad.tolist()]}")
    print(f"  softmax(Z) - onehot(y) = {[round(v, 4) for v in expected.tolist()]}")
    print(f"  largest difference: {dz_err:.3g}")
    print(f"  b.grad == dL/dZ: {b_err == 0.0}; W.grad == outer(dL/dZ, x): {w_err < 1e-6}")
    return {
        "loss": L.item(),
        "chain": chain,
        "saved_bytes": saved_bytes,
        "distinct_saved": sum(distinct.values()),
        "grad_shapes": {
            "W": tuple(W.grad.shape), "b": tuple(b.grad.shape), "Z": tuple(Z.grad.shape),
        },
        "x_grad": x.grad,
        "dz_err": dz_err,
        "b_err": b_err,
        "w_err": w_err,
    }  # fmt: skip


if __name__ == "__main__":
    main()
