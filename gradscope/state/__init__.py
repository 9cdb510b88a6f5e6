"""State folds: pure functions from the event stream to memory and graph state.

This package imports only ``gradscope.events`` and the standard library, so a trace read
from a file and a live trace fold to the same state.

Example::

    from gradscope.state import snapshot
    snap = snapshot(trace.events, "before backward", baseline=trace.header["baseline_bytes"])
    snap.memory.by_role()["saved"].bytes, len(snap.graph.nodes)
"""

from .graph import GraphState, fold_graph
from .ledger import Ledger, fold_memory
from .snapshot import Snapshot, SnapshotError, resolve, snapshot, snapshot_at_index

__all__ = [
    "GraphState",
    "Ledger",
    "Snapshot",
    "SnapshotError",
    "fold_graph",
    "fold_memory",
    "resolve",
    "snapshot",
    "snapshot_at_index",
]
