"""The local backward rule of each op, as text: what a node does with the gradient it gets.

``grad`` is the incoming gradient (of the node's output); ``self``/``other``/``result``
name the saved tensors. Where an op has several inputs, the rules are given in input
order, separated by ``;``.

Example::

    rule_for("ReluBackward0") == "grad * (result > 0)"
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # elementwise arithmetic
    "AddBackward0": "grad -> self; grad -> other (each summed back to its shape)",
    "AddBackward1": "grad -> self",
    "SubBackward0": "grad -> self; -grad -> other",
    "SubBackward1": "grad -> self",
    "RsubBackward1": "-grad -> self",
    "MulBackward0": "grad * other -> self; grad * self -> other",
    "MulBackward1": "grad * other -> self",
    "DivBackward0": "grad / other -> self; -grad * self / other**2 -> other",
    "DivBackward1": "grad / other -> self",
    "NegBackward0": "-grad",
    "PowBackward0": "grad * exponent * self**(exponent - 1)",
    "PowBackward1": "grad * exponent * self**(exponent - 1) -> self; grad * result * log(self) -> exponent",
    "PowBackward2": "grad * result * log(self) -> exponent",
    # unary math
    "ExpBackward0": "grad * result",
    "LogBackward0": "grad / self",
    "SqrtBackward0": "grad / (2 * result)",
    "SinBackward0": "grad * cos(self)",
    "CosBackward0": "grad * -sin(self)",
    "TanhBackward0": "grad * (1 - result**2)",
    "SigmoidBackward0": "grad * result * (1 - result)",
    "ReluBackward0": "grad * (result > 0)",
    "AbsBackward0": "grad * sign(self)",
    "ClampBackward0": "grad * (min <= self <= max)",
    "ClampBackward1": "grad * (min <= self <= max)",
    "ClampMinBackward0": "grad * (self >= min)",
    "ClampMaxBackward0": "grad * (self <= max)",
    # reductions
    "SumBackward0": "grad expanded to self's shape",
    "SumBackward1": "grad unsqueezed on dim, expanded to self's shape",
    "MeanBackward0": "grad expanded to self's shape / numel",
    "MeanBackward1": "grad unsqueezed on dim, expanded / size(dim)",
    "MaxBackward0": "grad scattered to indices (zeros elsewhere)",
    "MaxBackward1": "grad where self == result, split evenly among ties",
    "MinBackward0": "grad scattered to indices (zeros elsewhere)",
    "MinBackward1": "grad where self == result, split evenly among ties",
    # linear algebra
    "MmBackward0": "grad @ mat2.T -> self; self.T @ grad -> mat2",
    "MvBackward0": "outer(grad, vec) -> self; self.T @ grad -> vec",
    "DotBackward0": "grad * tensor -> self; grad * self -> tensor",
    "BmmBackward0": "grad @ mat2.mT -> self; self.mT @ grad -> mat2",
    "MatmulBackward0": "grad @ other.T -> self; self.T @ grad -> other",
    "AddmmBackward0": "grad summed to bias -> self; grad @ mat2.T -> mat1; mat1.T @ grad -> mat2",
    # softmax and losses
    "SoftmaxBackward0": "result * (grad - (grad * result).sum(dim))",
    "LogSoftmaxBackward0": "grad - exp(result) * grad.sum(dim)",
    "NllLossBackward0": "-grad / total_weight at each target, 0 elsewhere",
    "NllLoss2DBackward0": "-grad / total_weight at each target, 0 elsewhere",
    "MseLossBackward0": "2 * (self - target) * grad / numel",
    # shape and indexing (views move the gradient, they do not change it)
    "ViewBackward0": "grad.reshape(self's shape)",
    "ReshapeAliasBackward0": "grad.reshape(self's shape)",
    "UnsafeViewBackward0": "grad.reshape(self's shape)",
    "TransposeBackward0": "grad.transpose(dim0, dim1)",
    "PermuteBackward0": "grad.permute(inverse of dims)",
    "TBackward0": "grad.T",
    "UnsqueezeBackward0": "grad.squeeze(dim)",
    "SqueezeBackward0": "grad.reshape(self's shape)",
    "SqueezeBackward1": "grad.unsqueeze(dim)",
    "ExpandBackward0": "grad summed over the expanded dims",
    "CatBackward0": "grad split along dim, one piece per input",
    "StackBackward0": "grad unbound along dim, one slice per input",
    "SelectBackward0": "zeros of self's shape, grad written at index",
    "SliceBackward0": "zeros of self's shape, grad written into the slice",
    "UnbindBackward0": "each output's grad written at its index of zeros of self's shape",
    "SplitBackward0": "each output's grad written into its slice of zeros of self's shape",
    "SplitWithSizesBackward0": "each output's grad written into its slice of zeros of self's shape",
    "IndexBackward0": "zeros of self's shape, grad added at indices",
    "WhereBackward0": "grad where condition -> self; grad where not condition -> other",
    "CloneBackward0": "grad",
    "ToCopyBackward0": "grad converted back to self's dtype/device",
    "AliasBackward0": "grad",
    # leaves
    "AccumulateGrad": ".grad = grad (first time), else .grad += grad",
}

UNKNOWN = "(no rule text for this op)"


def rule_for(op: str) -> str:
    """The rule text of an op's backward, or ``UNKNOWN``."""
    return RULES.get(op, UNKNOWN)
