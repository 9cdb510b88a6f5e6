"""Run benchmark workloads with one implementation and print one JSON line per workload.

Started by ``bench/compare.py`` as its own process, so every implementation starts from
the same clean interpreter and allocator; thread counts come from the environment that
``compare.py`` sets before this process starts (and ``torch.set_num_threads``).

    python bench/_worker.py --impl gradscope --traced overhead mlp
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time

import numpy as np

# -- sizes -------------------------------------------------------------------------------
FULL = {
    "overhead": {"ops": 2000, "n": 16, "iters": 7},
    "mlp": {"width": 1024, "batch": 256, "classes": 10, "layers": 4, "steps": 5, "iters": 3},
    "relu_chain": {"n": 1_000_000, "depth": 100, "iters": 2},
    "softmax_xent": {"classes": 10, "features": 784, "batch": 512, "steps": 50, "iters": 5},
    "deep_chain": {"ops": (100_000, 200_000), "n": 16, "iters": 1},
    "trace_io": {"events": 1_000_000, "graph_nodes": 20_000, "iters": 1},
}
QUICK = {
    "overhead": {"ops": 200, "n": 16, "iters": 1},
    "mlp": {"width": 64, "batch": 16, "classes": 10, "layers": 4, "steps": 2, "iters": 1},
    "relu_chain": {"n": 10_000, "depth": 100, "iters": 1},
    "softmax_xent": {"classes": 10, "features": 32, "batch": 16, "steps": 3, "iters": 1},
    "deep_chain": {"ops": (2_000, 4_000), "n": 16, "iters": 1},
    "trace_io": {"events": 20_000, "graph_nodes": 2_000, "iters": 1},
}


def _data(*shape, scale=1.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def _median_time(fn, iters: int, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


# -- memory ------------------------------------------------------------------------------
class PeakRSS:
    """Peak resident set size while a block runs, above the RSS when it began.

    Resets the kernel's high-water mark (``echo 5 > /proc/self/clear_refs``) and reads
    VmHWM afterwards; where that is not permitted, samples RSS every millisecond with
    psutil from a thread instead.
    """

    def __enter__(self):
        self.method = "VmHWM"
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.base = _status("VmRSS")
        except OSError:
            import psutil

            self.method = "psutil"
            self._proc = psutil.Process()
            self.base = self._proc.memory_info().rss
            self._peak = self.base
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, self._proc.memory_info().rss)
            time.sleep(0.001)

    def __exit__(self, *exc):
        if self.method == "VmHWM":
            self.peak = _status("VmHWM")
        else:
            self._stop.set()
            self._thread.join()
            self.peak = max(self._peak, self._proc.memory_info().rss)
        self.above = self.peak - self.base


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(field)


# -- implementations ---------------------------------------------------------------------
class Impl:
    """One implementation: its tensor module (gradscope or torch) and whether it traces."""

    def __init__(self, name: str, traced: bool) -> None:
        self.name = name
        self.traced = traced
        if name == "torch":
            import torch

            torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
            self.T = torch
            self.F = torch.nn.functional
        elif name == "gradscope":
            import gradscope as gs
            from gradscope.nn import functional

            self.T = gs
            self.F = functional
        else:
            self.T = self.F = None

    def leaf(self, arr, requires_grad=True):
        return self.T.tensor(arr, requires_grad=requires_grad)

    def no_grad(self):
        return self.T.no_grad()

    def recording(self):
        """``gs.trace()`` for the traced variant, else a block that does nothing."""
        if self.traced:
            return self.T.trace()
        return _Nothing()


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


# -- workloads ---------------------------------------------------------------------------
# The elementwise cycle of `overhead` and `deep_chain`: values stay small, so exp never
# overflows: tanh and sigmoid keep them in (-1, 1) and (0, 1).
def _chain(T, x, ops: int):
    p = x
    for _ in range(ops // 5):
        p = p * 0.5
        p = p + 0.1
        p = p.tanh()
        p = p.sigmoid()
        p = p.exp()
    return p


def _chain_numpy(x, ops: int):
    """The same chain and its backward by hand, saving what each op's backward needs."""
    saved = []
    p = x
    for _ in range(ops // 5):
        p = p * np.float32(0.5)
        p = p + np.float32(0.1)
        p = np.tanh(p)
        saved.append(p)
        t = np.tanh(p * np.float32(0.5))
        t += 1
        t *= 0.5
        p = t
        saved.append(p)
        p = np.exp(p)
        saved.append(p)
    s = p.sum()
    g = np.broadcast_to(np.ones((), np.float32), x.shape)
    for _ in range(ops // 5):
        g = g * saved.pop()  # exp
        r = saved.pop()
        g = g * r * (1 - r)  # sigmoid
        r = saved.pop()
        g = g * (1 - r * r)  # tanh
        g = g * 0.5  # the add passes g through; the mul scales it
    return s, g


def w_chain(impl: Impl, size: dict, ops: int) -> dict:
    x0 = _data(size["n"], scale=0.1)
    if impl.name == "numpy":
        return {"run": lambda: _chain_numpy(x0, ops)}
    T = impl.T
    x = impl.leaf(x0)

    def run():
        x.grad = None
        with impl.recording():
            _chain(T, x, ops).sum().backward()

    return {"run": run}


def w_overhead(impl: Impl, size: dict) -> dict:
    spec = w_chain(impl, size, size["ops"])
    spec["per_op"] = size["ops"]
    return spec


def w_mlp(impl: Impl, size: dict) -> dict:
    width, batch, classes = size["width"], size["batch"], size["classes"]
    dims = [width] * size["layers"] + [classes]
    ws = [
        _data(dims[i + 1], dims[i], scale=dims[i] ** -0.5, seed=i + 1)
        for i in range(size["layers"])
    ]
    bs = [np.zeros(dims[i + 1], np.float32) for i in range(size["layers"])]
    x0 = _data(batch, width, seed=100)
    y0 = np.random.default_rng(101).integers(0, classes, batch)
    steps = size["steps"]
    if impl.name == "numpy":
        return {
            "run": lambda: _mlp_numpy([w.copy() for w in ws], [b.copy() for b in bs], x0, y0, steps)
        }
    T, F = impl.T, impl.F
    x, y = impl.leaf(x0, False), T.tensor(y0)

    def run():
        params = [impl.leaf(a.copy()) for a in ws + bs]
        W, B = params[: len(ws)], params[len(ws) :]
        with impl.recording():
            for _ in range(steps):
                for p in params:
                    p.grad = None
                h = x
                for i in range(len(W)):
                    h = F.linear(h, W[i], B[i])
                    if i < len(W) - 1:
                        h = F.relu(h)
                F.cross_entropy(h, y).backward()

    return {"run": run}


def _mlp_numpy(W, B, x, y, steps):
    n = len(W)
    rows = np.arange(len(y))
    for _ in range(steps):
        grads = None  # zeroing: the last step's gradients go
        hs, outs = [x], []
        h = x
        for i in range(n):
            h = h @ W[i].T
            h += B[i]
            if i < n - 1:
                h = np.maximum(h, 0)
                outs.append(h)
            hs.append(h)
        # cross-entropy: log_softmax then nll (mean)
        shifted = h - h.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        g = np.zeros_like(logp)
        g[rows, y] = -1.0 / len(y)
        g = g - np.exp(logp) * g.sum(axis=1, keepdims=True)
        grads = []
        for i in reversed(range(n)):
            grads.append(g.T @ hs[i])
            grads.append(g.sum(axis=0))
            if i > 0:
                g = g @ W[i]
                g = g * (outs[i - 1] > 0)
    return loss, grads


def w_relu_chain(impl: Impl, size: dict) -> dict:
    n, depth = size["n"], size["depth"]
    x0 = _data(n, seed=7)
    if impl.name == "numpy":

        def run():
            x = x0.copy()
            outs = []  # keeps every output alive, as the engine's saved results are
            p = x
            for _ in range(depth):
                p = np.maximum(p, 0)
                outs.append(p)
            s = p.sum()
            g = np.broadcast_to(np.ones((), np.float32), p.shape)
            while outs:
                g = g * (outs.pop() > 0)
            return s, g

        return {"run": run, "rss": True}
    T = impl.T

    def run():
        x = impl.leaf(x0)  # tensor() copies, as the floor's x0.copy()
        with impl.recording() as tr:
            p = x
            for _ in range(depth):
                p = T.relu(p)
            p.sum().backward()
        del p
        return tr

    return {"run": run, "rss": True}


def w_softmax_xent(impl: Impl, size: dict) -> dict:
    c, f, b = size["classes"], size["features"], size["batch"]
    w0, b0 = _data(c, f, scale=0.01, seed=3), np.zeros(c, np.float32)
    x0 = _data(b, f, seed=4)
    y0 = np.random.default_rng(5).integers(0, c, b)
    steps = size["steps"]
    if impl.name == "numpy":
        return {"run": lambda: _softmax_numpy(w0.copy(), b0.copy(), x0, y0, steps)}
    T = impl.T
    x, y, rows = impl.leaf(x0, False), T.tensor(y0), T.arange(b)

    def run():
        W, B = impl.leaf(w0.copy()), impl.leaf(b0.copy())
        with impl.recording():
            for _ in range(steps):
                W.grad = B.grad = None
                logits = x @ W.T + B
                e = logits.exp()
                p = e / e.sum(1, keepdim=True)
                loss = -p.log()[rows, y].mean()
                loss.backward()

    return {"run": run}


def _softmax_numpy(W, B, x, y, steps):
    """Each primitive's backward by hand, in the order an engine runs them."""
    rows = np.arange(len(y))
    for _ in range(steps):
        logits = x @ W.T  # mm, then add
        logits += B
        e = np.exp(logits)
        s = e.sum(axis=1, keepdims=True)
        p = e / s
        lp = np.log(p)
        picked = lp[rows, y]
        loss = -picked.mean()
        g_picked = np.full(picked.shape, -1.0 / len(y), np.float32)  # neg, mean
        g_lp = np.zeros_like(lp)
        g_lp[rows, y] = g_picked  # index
        g_p = g_lp / p  # log
        g_e = g_p / s  # div (numerator)
        g_s = (-g_p * e / (s * s)).sum(axis=1, keepdims=True)  # div (denominator)
        g_e = g_e + g_s  # sum's backward broadcasts g_s over e
        g_logits = g_e * e  # exp
        gb = g_logits.sum(axis=0)  # add
        gw = (x.T @ g_logits).T  # mm
    return loss, gw, gb


def w_trace_io(impl: Impl, size: dict) -> dict:
    import gradscope as gs

    target = size["events"]
    x = gs.tensor(_data(16, scale=0.1), requires_grad=True)
    with gs.trace() as tr:
        while len(tr) < target:
            _chain(gs, x, 1000).sum().backward()
    events = tr.events
    path = os.path.join(tempfile.mkdtemp(), "trace.jsonl")
    out = {}

    def save():
        t0 = time.perf_counter()
        tr.save(path)
        out["save_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        back = gs.load_trace(path)
        out["load_s"] = time.perf_counter() - t0
        assert len(back.events) == len(events)
        out["graph_s"], out["graph_nodes"] = _time_graph_command(size["graph_nodes"])

    return {"run": save, "extra": out, "events": len(events), "path": path}


# A graph of about `nodes` nodes that stays alive: a weight shared by every step, so the
# drawing has long-range uses as well as the chain.
_GRAPH_SCRIPT = """
import gradscope as gs
x = gs.randn(16, requires_grad=True)
w = gs.randn(16, requires_grad=True)
p = x
for _ in range({steps}):
    p = (p * 0.5 + w).tanh().sigmoid() * w
loss = p.sum()
"""


def _time_graph_command(nodes: int) -> tuple[float, int]:
    """Seconds that ``gradscope graph SCRIPT --svg OUT`` takes, end to end, as a user runs it."""
    import subprocess

    folder = tempfile.mkdtemp()
    script = os.path.join(folder, "big_graph.py")
    with open(script, "w") as f:
        f.write(_GRAPH_SCRIPT.format(steps=nodes // 5))
    cmd = [sys.executable, "-m", "gradscope", "graph", script, "--svg", script + ".svg"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0, nodes // 5 * 5 + 2


WORKLOADS = {
    "overhead": w_overhead,
    "mlp": w_mlp,
    "relu_chain": w_relu_chain,
    "softmax_xent": w_softmax_xent,
    "deep_chain": None,  # two sizes, below
    "trace_io": w_trace_io,
}


def measure(name: str, impl: Impl, size: dict) -> list[dict]:
    rows = []
    if name == "deep_chain":
        for ops in size["ops"]:
            spec = w_chain(impl, size, ops)
            spec["run"]()  # the first pass also builds nothing recursive: must not raise
            t, times = _median_time(spec["run"], size["iters"], warmup=0)
            rows.append(
                {"case": f"deep_chain {ops // 1000}k", "time_s": t, "times": times, "ops": ops}
            )
        return rows
    spec = WORKLOADS[name](impl, size)
    row = {"case": name}
    if spec.get("rss"):
        # first pass in this fresh process: peak RSS above the RSS before x exists
        gc.collect()
        with PeakRSS() as rss:
            t0 = time.perf_counter()
            res = spec["run"]()
            cold = time.perf_counter() - t0
        if impl.traced:
            row["tracked_peak"] = res.peak_bytes
        del res
        # The time is this first run's: every implementation pays for faulting in fresh
        # pages here. Later runs reuse whatever the allocator kept, which varies.
        warm, _ = _median_time(spec["run"], size["iters"], warmup=0)
        row.update(peak_rss_above=rss.above, rss_method=rss.method, warm_s=warm)
        t, times = cold, [cold]
    elif name == "trace_io":
        spec["run"]()
        row.update(spec["extra"], events=spec["events"])
        os.remove(spec["path"])
        t, times = spec["extra"]["save_s"] + spec["extra"]["load_s"], []
    else:
        t, times = _median_time(spec["run"], size["iters"])
    row.update(time_s=t, times=times)
    if spec.get("per_op"):
        row["ops"] = spec["per_op"]
    rows.append(row)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", required=True, choices=["gradscope", "torch", "numpy"])
    ap.add_argument("--traced", action="store_true", help="run gradscope inside gs.trace()")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one iteration")
    ap.add_argument("workloads", nargs="+", choices=list(WORKLOADS))
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    impl = Impl(args.impl, args.traced)
    for name in args.workloads:
        for row in measure(name, impl, sizes[name]):
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
