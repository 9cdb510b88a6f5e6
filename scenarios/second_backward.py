"""Second backward without retain_graph: the error, the freed saved tensor behind it, the cost of retaining.

``loss = (exp(x)**2).sum()``: ``ExpBackward0`` saves its result, ``PowBackward0`` saves
its input (the same buffer). The first ``backward()`` frees both saves as it goes, so a
second one fails when it reaches ``PowBackward0``. The scenario catches the error, prints
PyTorch's message, then explains it from the trace: which node, which saved tensor, and
when it was freed. Then it does it the ``retain_graph=True`` way and shows what that
keeps alive.

Run it: ``python scenarios/second_backward.py`` or ``gradscope run scenarios/second_backward.py``.
"""

import os

import gradscope as gs


def _where(site: str | None) -> str:
    if not site:
        return "unknown line"
    path, _, line = site.rpartition(":")
    return f"{os.path.basename(path)}:{line}"


def explain_failure(events: list) -> dict:
    """The node the last (failed) backward could not run, and what it had saved.

    Read from the trace alone: the graph (``node_created``), what each node saved
    (``tensor_saved``), what the earlier backward released (``graph_freed``), and which
    nodes the failing backward managed to run (``node_executed`` after its
    ``backward_started``). The engine runs ready nodes newest first, so the first node it
    could not run is the newest reachable node, not yet run, whose saves were freed.
    """
    nodes, saved, freed = {}, {}, {}
    start = 0
    for i, e in enumerate(events):
        if e.kind == "node_created":
            nodes[e.node] = e
        elif e.kind == "tensor_saved":
            saved.setdefault(e.node, []).append(e)
        elif e.kind == "graph_freed":
            freed[e.node] = e
        elif e.kind == "backward_started":
            start, root = i, e.root
    ran = {e.node for e in events[start:] if e.kind == "node_executed"}
    reachable, todo = set(), [root]
    while todo:
        n = todo.pop()
        if n is None or n in reachable:
            continue
        reachable.add(n)
        todo += list(nodes[n].inputs) if n in nodes else []
    stuck = max(n for n in reachable if n in freed and n in saved and n not in ran)
    return {
        "node": stuck,
        "op": nodes[stuck].op,
        "site": nodes[stuck].stack,
        "saved": [(s.slot, s.shape, s.dtype, s.nbytes, s.buffer) for s in saved[stuck]],
        "freed_at": freed[stuck].seq,
        "ran": sorted((nodes[n].op for n in ran if n in nodes), reverse=True),
        "sharers": sorted(
            nodes[n].op for n, ss in saved.items()
            if n != stuck and {s.buffer for s in ss} & {s.buffer for s in saved[stuck]}
        ),
    }  # fmt: skip


def without_retain(n: int) -> dict:
    """Backward twice through the same graph; catch and explain the error."""
    base = gs.live_bytes()  # whatever was live before (nothing, when run on its own)
    with gs.trace() as tr:
        x = gs.randn(n, requires_grad=True)
        h = gs.exp(x)
        loss = (h**2).sum()
        del h  # only the graph holds exp(x) now
        loss.backward()
        live_after = gs.live_bytes() - base
        grad_once = x.grad.tolist()
        try:
            loss.backward()
            message = None
        except RuntimeError as e:
            message = str(e)
    print("second loss.backward() raised RuntimeError:")
    print(f"  {message}")

    why = explain_failure(tr.events)
    print("gradscope's explanation, from the trace:")
    print(f"  the second backward ran {', '.join(why['ran']) or 'nothing'}, then needed")
    print(f"  {why['op']} (node {why['node']}, created at {_where(why['site'])}), which had saved:")
    for slot, shape, dtype, nbytes, buf in why["saved"]:
        print(f"    {slot}: {dtype} {tuple(shape)}, {nbytes:,} bytes (buffer {buf})")
    print(
        f"  the first backward freed these saves right after running the node (event {why['freed_at']}, graph_freed)"
    )
    if why["sharers"]:
        print(
            f"  the same buffer was also saved by {', '.join(why['sharers'])}, freed in the same pass"
        )

    # The node objects say the same: the structure is still there, the saved values are not.
    pow_node = loss.grad_fn.next_functions[0][0]
    try:
        _ = pow_node._saved_self  # torch raises here too: the value is gone
        attr_error = None
    except RuntimeError as e:
        attr_error = str(e)
    print(f"  loss.grad_fn.next_functions[0][0].name() = {pow_node.name()}; reading its "
          f"_saved_self raises the same error: {attr_error == message}")  # fmt: skip
    print(f"x.grad kept the first backward's gradient: {x.grad.tolist() == grad_once}")
    print(f"live bytes after the first backward: {live_after:,} (x, x.grad and the 4-byte loss)")
    return {
        "message": message,
        "node": why["op"],
        "slots": [s[0] for s in why["saved"]],
        "saved_bytes": sum(s[3] for s in why["saved"]),
        "sharers": why["sharers"],
        "attr_raises_same": attr_error == message,
        "live_after_backward": live_after,
    }


def with_retain(n: int) -> dict:
    """The same graph, first backward with retain_graph=True: what it keeps and for how long."""
    base = gs.live_bytes()
    x = gs.randn(n, requires_grad=True)
    h = gs.exp(x)
    loss = (h**2).sum()
    del h
    before = gs.live_bytes() - base
    gs.mark("before backward (retain_graph=True)")
    loss.backward(retain_graph=True)
    retained = gs.live_bytes() - base
    once = x.grad.tolist()  # a plain list: no gradscope buffer, so the byte counts stay exact
    gs.mark("before second backward")
    loss.backward()  # allowed, and it frees the graph's saved tensors this time
    after = gs.live_bytes() - base
    doubled = bool(x.grad.allclose(2 * gs.tensor(once)))
    print(f"live bytes before backward:                     {before:>9,}")
    print(f"after backward(retain_graph=True):              {retained:>9,}")
    print(f"after the second backward (no retain):          {after:>9,}")
    print(f"retain_graph kept {retained - after:,} bytes alive between the two calls "
          f"(exp(x), saved by ExpBackward0 and PowBackward0)")  # fmt: skip
    print(f"the second backward accumulated: x.grad == 2 * first gradient: {doubled}")
    return {"before": before, "retained": retained, "after": after,
            "kept": retained - after, "doubled": doubled}  # fmt: skip


def main(n: int = 1000, seed: int = 0) -> dict:
    """Show the error, explain it, then the retain_graph way and its memory cost."""
    gs.manual_seed(seed)
    print(f"== loss = (exp(x)**2).sum(), x of {n} float32; backward twice ==")
    fail = without_retain(n)
    print("\n== the retain_graph=True way ==")
    keep = with_retain(n)
    return {"without": fail, "with": keep}


if __name__ == "__main__":
    main()
