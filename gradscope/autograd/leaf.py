"""``AccumulateGrad``: the node that writes a leaf's gradient into ``.grad``."""

from __future__ import annotations

from ..events import emit
from ..events.emit import dtype_str
from ..events.schema import GradAccumulated, NodeCreated
from ..memory import buffers
from . import function
from .function import Node


class AccumulateGrad(Node):
    """Holds its leaf strongly (``variable``); the leaf caches this node weakly."""

    _name = "AccumulateGrad"
    _prio_offset = 1 << 62  # runs as soon as it is ready, as torch's (sequence_nr UINT64_MAX)
    _watched = True  # the engine's long way round is where leaves are accumulated

    def __init__(self, variable) -> None:
        self.id = next(function._seq)
        self.variable = variable
        self.next_functions = ()
        self.needs_input_grad = ()
        self._saved = self._pending = None
        self._freed = False
        self._pre_hooks = self._post_hooks = self._tensor_hooks = self._retain = None
        self._stack = None
        if emit.sinks:
            emit.record(
                NodeCreated,
                str(variable.device),
                buffers.live_total,
                self.id,
                "AccumulateGrad",
                (),
                variable._id,
                None,
                variable._data.shape,
                dtype_str(variable._data.dtype),
            )

    def accumulate(self, g, gbuf) -> None:
        """Add ``g`` into the leaf's ``.grad`` (in place when it exists)."""
        leaf = self.variable
        old = leaf._grad
        tracing = emit.sinks
        if old is None:
            from ..tensor import Tensor

            data = g.astype(leaf._data.dtype, order="C", copy=True)  # one copy, C-ordered
            new = Tensor._make(
                data, None, role="grad", node_id=self.id, name=f"{leaf.name or leaf._id}.grad"
            )
            leaf._grad = new
            buf, first = new._buffer, True
        else:
            old._data += g
            old._vc[0] += 1
            buf, first = old._buffer, False
        if tracing:
            emit.record(
                GradAccumulated,
                buf.device,
                buffers.live_total,
                leaf._id,
                self.id,
                buf.nbytes,
                first,
                buf.id,
            )
