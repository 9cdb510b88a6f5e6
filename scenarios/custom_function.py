"""Your own autograd.Function: a ReLU that saves its input, recorded as MyReLUBackward.

``forward`` runs with grad mode off and names what backward will need with
``ctx.save_for_backward``; ``backward`` gets the output's gradient and returns the input's.
The node is the ``ctx`` both saw, and the outputs' ``grad_fn``. Saving the input costs no
new memory: the saved tensor is the input's buffer, freed with the graph after backward.

Run it: ``python scenarios/custom_function.py`` or ``gradscope run scenarios/custom_function.py``.
"""

import gradscope as gs


class MyReLU(gs.autograd.Function):
    """max(x, 0), with its gradient written by hand."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad = grad_output.clone()
        grad[x < 0] = 0
        return grad


def main() -> dict:
    """Run MyReLU on 1,000 numbers, backpropagate, compare with the built-in relu."""
    gs.manual_seed(0)
    base = gs.live_bytes()  # what was alive before (nothing, in a script of its own)
    x = gs.randn(1000, requires_grad=True)
    h = x * 2  # MyReLU saves h: no new bytes, h's own buffer
    y = MyReLU.apply(h)
    loss = y.sum()
    node = y.grad_fn
    print(f"y.grad_fn = {node.name()}, next: {[n.name() for n, _ in node.next_functions]}")
    held = gs.live_bytes() - base
    print(f"live before backward: {held:,} bytes (x, h, y, the loss and h's 2)")

    gs.mark("before backward")
    loss.backward()
    gs.mark("after backward")

    expected = (x.detach() > 0).float() * 2
    matches = bool(x.grad.equal(expected))
    print(f"x.grad == 2 where x > 0, else 0: {matches}")
    try:
        freed = not node.saved_tensors  # raises once backward has freed them
    except RuntimeError:
        freed = True
    print(f"saved tensors freed by backward: {freed}")
    return {
        "name": node.name(),
        "next": [n.name() for n, _ in node.next_functions],
        "matches": matches,
        "freed": freed,
    }


if __name__ == "__main__":
    main()
