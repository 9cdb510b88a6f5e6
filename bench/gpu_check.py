"""The lecture's GPU example and the MLP workload on CUDA, gradscope beside torch.

Run on a machine with a GPU: ``python bench/gpu_check.py``. Prints the ReLU chain's
tracked bytes next to CuPy's pool figures at each stage, then medians of the MLP step
time for gradscope (CuPy) and torch (CUDA).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import gradscope as gs


def relu_chain() -> None:
    mb = 1e6
    dev = "cuda:0"

    def row(stage: str) -> None:
        pool = gs.cuda.memory_pool_bytes()
        print(
            f"{stage:<28} tracked {gs.live_bytes(dev):>13,} B ({gs.live_bytes(dev) / mb:7.1f} MB)"
            f"   pool used {pool['used_bytes']:>13,} B   pool total {pool['total_bytes']:>13,} B"
        )

    row("start")
    x = gs.randn(1_000_000, requires_grad=True, device="cuda")
    row("x = randn(1_000_000)")
    p = gs.relu(x)
    row("p = relu(x)")
    for _ in range(100):
        p = gs.relu(p)
    row("after 101 relu")
    loss = p.sum()
    loss.backward()
    row("after backward")
    del loss, p
    x.grad = None
    row("del p, loss; x.grad = None")
    del x
    row("del x")
    gs.backend.cupy().get_default_memory_pool().free_all_blocks()
    row("pool.free_all_blocks()")


def mlp_steps(lib, sync, steps: int, warmup: int = 2) -> list[float]:
    """Times of MLP steps (forward, backward) with ``lib`` (gradscope or torch) on CUDA."""
    rng = np.random.default_rng(0)
    sizes = [1024, 1024, 1024, 1024, 10]
    ws = [
        lib.tensor(
            rng.standard_normal((o, i)).astype(np.float32) * 0.03, device="cuda", requires_grad=True
        )
        for i, o in zip(sizes[:-1], sizes[1:])
    ]
    bs = [lib.zeros(o, device="cuda", requires_grad=True) for o in sizes[1:]]
    x = lib.tensor(rng.standard_normal((256, 1024)).astype(np.float32), device="cuda")
    y = lib.tensor(rng.integers(0, 10, 256), device="cuda")
    F = lib.nn.functional
    times = []
    for step in range(steps + warmup):
        sync()
        t0 = time.perf_counter()
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = F.linear(h, w, b)
            if i < len(ws) - 1:
                h = F.relu(h)
        loss = F.cross_entropy(h, y)
        for p in ws + bs:
            p.grad = None
        loss.backward()
        sync()
        if step >= warmup:
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    print(f"GPU: {gs.backend.cupy().cuda.runtime.getDeviceProperties(0)['name'].decode()}")
    relu_chain()
    import torch

    gs_sync = gs.backend.cupy().cuda.Device().synchronize
    rounds = {"gradscope": [], "torch": []}
    for _ in range(3):  # interleaved A B A B
        rounds["gradscope"] += mlp_steps(gs, gs_sync, 10)
        rounds["torch"] += mlp_steps(torch, torch.cuda.synchronize, 10)
    g = statistics.median(rounds["gradscope"]) * 1e3
    t = statistics.median(rounds["torch"]) * 1e3
    print(
        f"mlp step (4x1024 linear, batch 256, fwd+bwd): gradscope {g:.3f} ms, torch {t:.3f} ms, "
        f"ratio {g / t:.2f}"
    )


if __name__ == "__main__":
    main()
