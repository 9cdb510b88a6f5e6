"""gradscope side by side with PyTorch (CPU) and a hand-written NumPy floor.

Every workload runs with every implementation in its own process (``bench/_worker.py``),
interleaved A B C A B C ... for several repetitions, with the same thread count for all of
them. The table shows each implementation's median time and the median of its per-round
ratios to ``torch`` and to the NumPy floor (``numpy``); then each target, met or not.

    python bench/compare.py                 # everything (several minutes)
    python bench/compare.py overhead mlp    # some workloads
    python bench/compare.py --quick         # tiny sizes, one process per implementation
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "_worker.py")

# workload -> (threads, implementations, repetitions)
WORKLOADS = {
    "overhead": (1, ["gradscope", "gradscope --traced", "torch", "numpy"], 9),  # short runs
    "mlp": (2, ["gradscope", "gradscope --traced", "torch", "numpy"], 5),
    "relu_chain": (2, ["gradscope", "gradscope --traced", "torch", "numpy"], 5),
    "softmax_xent": (2, ["gradscope", "gradscope --traced", "torch", "numpy"], 5),
    "deep_chain": (1, ["gradscope", "gradscope --traced", "torch", "numpy"], 3),
    "trace_io": (1, ["gradscope"], 3),
}

# (case, implementation, reference, bound): median of ratios must be <= bound
TARGETS = [
    ("overhead", "gradscope", "torch", 1.0),
    ("overhead", "gradscope --traced", "torch", 1.5),
    ("deep_chain 100k", "gradscope", "torch", 1.0),
    ("deep_chain 100k", "gradscope --traced", "torch", 1.5),
    ("deep_chain 200k", "gradscope", "torch", 1.0),
    ("deep_chain 200k", "gradscope --traced", "torch", 1.5),
    ("mlp", "gradscope", "numpy", 1.05),
    ("softmax_xent", "gradscope", "numpy", 1.05),
    ("relu_chain", "gradscope", "numpy", 1.1),
]
TRACKED_PEAK = (408_000_004, 416_000_004)


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(HERE), env.get("PYTHONPATH")])
    )
    return env


def _run_worker(impl: str, workloads: list[str], threads: int, quick: bool) -> list[dict]:
    cmd = [sys.executable, WORKER, "--impl", *impl.split()]
    if quick:
        cmd.append("--quick")
    cmd += workloads
    proc = subprocess.run(cmd, env=_env(threads), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed: {' '.join(cmd)}\n{proc.stderr.strip()}")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    for r in rows:
        r["impl"] = impl
    return rows


def collect(
    names: list[str], quick: bool, reps: int | None, impls: list[str] | None, save=None
) -> list[dict]:
    """All measurements, as rows ``{case, impl, round, time_s, ...}``.

    ``save(rows)``, when given, is called after each workload (so a run cut short keeps
    what it measured).
    """
    rows = []
    if quick:  # one process per implementation runs every workload, once
        every = sorted({i for n in names for i in WORKLOADS[n][1] if not impls or i in impls})
        for impl in every:
            mine = [n for n in names if impl in WORKLOADS[n][1]]
            for r in _run_worker(impl, mine, 1, True):
                rows.append({**r, "round": 0})
        return rows
    for name in names:
        threads, which, n = WORKLOADS[name]
        which = [i for i in which if not impls or i in impls]
        for rnd in range(reps or n):
            order = which if rnd % 2 == 0 else which[::-1]  # A B C, C B A, ...
            for impl in order:
                print(f"  {name:13s} round {rnd + 1}: {impl}", file=sys.stderr, flush=True)
                for r in _run_worker(impl, [name], threads, False):
                    rows.append({**r, "round": rnd, "threads": threads})
        if save is not None:
            save(rows)
    return rows


def _ratio(rows: list[dict], case: str, impl: str, ref: str) -> float | None:
    """Median over rounds of impl's time / ref's time in the same round."""
    by_round: dict[int, dict[str, float]] = {}
    for r in rows:
        if r["case"] == case:
            by_round.setdefault(r["round"], {})[r["impl"]] = r["time_s"]
    ratios = [d[impl] / d[ref] for d in by_round.values() if impl in d and ref in d and d[ref] > 0]
    return statistics.median(ratios) if ratios else None


def _fmt_time(s: float) -> str:
    return f"{s * 1e3:,.1f} ms" if s < 10 else f"{s:,.2f} s"


def _mb(n) -> str:
    return f"{n / 1e6:,.1f} MB"


def table(rows: list[dict]) -> str:
    """The results as a Markdown table: one line per case and implementation."""
    out = [
        "| workload | implementation | median time | per op | / torch | / numpy | notes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    cases = list(dict.fromkeys(r["case"] for r in rows))
    for case in cases:
        impls = list(dict.fromkeys(r["impl"] for r in rows if r["case"] == case))
        for impl in impls:
            mine = [r for r in rows if r["case"] == case and r["impl"] == impl]
            t = statistics.median(r["time_s"] for r in mine)
            per_op = f"{t / mine[0]['ops'] * 1e6:.2f} µs" if mine[0].get("ops") else ""
            rt = _ratio(rows, case, impl, "torch") if impl != "torch" else None
            rn = _ratio(rows, case, impl, "numpy") if impl != "numpy" else None
            notes = []
            if "peak_rss_above" in mine[0]:
                notes.append(
                    "peak RSS +" + _mb(statistics.median(r["peak_rss_above"] for r in mine))
                )
                notes.append(
                    "later runs " + _fmt_time(statistics.median(r["warm_s"] for r in mine))
                )
            if "tracked_peak" in mine[0]:
                peaks = sorted({r["tracked_peak"] for r in mine})
                notes.append("tracked peak " + "/".join(f"{p:,}" for p in peaks) + " B")
            if "save_s" in mine[0]:
                notes.append(
                    f"{mine[0]['events']:,} events: save "
                    f"{statistics.median(r['save_s'] for r in mine):.2f} s, load "
                    f"{statistics.median(r['load_s'] for r in mine):.2f} s"
                )
                notes.append(
                    f"`gradscope graph --svg` on {mine[0]['graph_nodes']:,} nodes: "
                    f"{statistics.median(r['graph_s'] for r in mine):.2f} s"
                )
            out.append(
                f"| {case} | {impl} | {_fmt_time(t)} | {per_op} | "
                f"{'' if rt is None else f'{rt:.2f}'} | {'' if rn is None else f'{rn:.2f}'} | "
                f"{'; '.join(notes)} |"
            )
    return "\n".join(out)


def verdicts(rows: list[dict], quick: bool) -> str:
    """Each target with the measured value and whether it is met."""
    lines = []

    def say(what: str, value: float | None, bound: float, fmt: str = "{:.2f}") -> None:
        if value is None:
            return
        ok = "met" if value <= bound else "NOT met"
        lines.append(f"- {what}: {fmt.format(value)} (target <= {fmt.format(bound)}): {ok}")

    for case, impl, ref, bound in TARGETS:
        say(f"{case}: {impl} / {ref}", _ratio(rows, case, impl, ref), bound)
    d1 = [r["time_s"] for r in rows if r["case"] == "deep_chain 100k" and r["impl"] == "gradscope"]
    d2 = [r["time_s"] for r in rows if r["case"] == "deep_chain 200k" and r["impl"] == "gradscope"]
    if d1 and d2:
        say(
            "deep_chain: 200k time / 100k time (gradscope)",
            statistics.median(d2) / statistics.median(d1),
            2.2,
        )
    rss = {
        r["impl"]: statistics.median(
            x["peak_rss_above"]
            for x in rows
            if x["case"] == "relu_chain" and x["impl"] == r["impl"]
        )
        for r in rows
        if r["case"] == "relu_chain"
    }
    if "gradscope" in rss and "torch" in rss:
        say(
            "relu_chain: peak RSS above baseline, gradscope / torch",
            rss["gradscope"] / rss["torch"],
            1.0,
        )
    peaks = {r["tracked_peak"] for r in rows if r.get("tracked_peak") is not None}
    if peaks and not quick:
        lo, hi = TRACKED_PEAK
        inside = all(lo <= p <= hi for p in peaks)
        lines.append(
            f"- relu_chain: tracked peak {', '.join(f'{p:,}' for p in sorted(peaks))} B "
            f"(target {lo:,}..{hi:,}, the same every run): {'met' if inside and len(peaks) == 1 else 'NOT met'}"
        )
    io = [r for r in rows if "save_s" in r]
    if io:
        save = statistics.median(r["save_s"] for r in io)
        load = statistics.median(r["load_s"] for r in io)
        n = min(r["events"] for r in io)
        ok = save < 5 and load < 5 and (quick or n >= 1_000_000)
        lines.append(
            f"- trace_io: {n:,} events saved in {save:.2f} s, loaded in {load:.2f} s "
            f"(medians; target < 5 s each): {'met' if ok else 'NOT met'}"
        )
        graph = statistics.median(r["graph_s"] for r in io)
        nodes = min(r["graph_nodes"] for r in io)
        ok = graph < 10 and (quick or nodes >= 20_000)
        lines.append(
            f"- graph: `gradscope graph --svg` on a {nodes:,}-node graph in {graph:.2f} s "
            f"(median; target < 10 s): {'met' if ok else 'NOT met'}"
        )
    return "\n".join(lines)


def _load() -> str:
    """The one-minute load average, where the system gives one."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def machine() -> str:
    """CPU model and cores, Python, NumPy's BLAS, torch."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [f"{model}, {os.cpu_count()} cores", f"Python {platform.python_version()}"]
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        parts.append(f"NumPy {np.__version__} ({blas.get('name')} {blas.get('version')})")
    except Exception:
        pass
    try:
        import threadpoolctl

        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") == "blas":
                parts.append(
                    f"threadpoolctl: {info.get('internal_api')} {info.get('version')} {info.get('architecture')}"
                )
                break
    except ImportError:
        pass
    try:
        from importlib.metadata import version

        parts.append(f"torch {version('torch')}")
    except Exception:
        pass
    return "; ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", help=f"some of {', '.join(WORKLOADS)} (default: all)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one round (a smoke run)")
    ap.add_argument(
        "--reps", type=int, help="rounds per workload (default: 5, overhead 9, deep_chain 3)"
    )
    ap.add_argument("--impls", help="comma-separated subset, e.g. gradscope,torch")
    ap.add_argument("--json", help="also write every measurement to this file")
    args = ap.parse_args(argv)
    names = args.workloads or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload {unknown[0]!r}; choose from {', '.join(WORKLOADS)}")
    impls = args.impls.split(",") if args.impls else None
    if importlib.util.find_spec("torch") is None:
        print("torch is not installed: comparing without it", file=sys.stderr)
        impls = [
            i for w in names for i in WORKLOADS[w][1] if i != "torch" and (not impls or i in impls)
        ]
    t0 = time.time()
    load_before = _load()

    def save(rows):
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"machine": machine(), "rows": rows}, f, indent=1)

    rows = collect(names, args.quick, args.reps, impls, save)
    threads = ", ".join(f"{n} {WORKLOADS[n][0]}" for n in names)
    print(f"machine: {machine()}")
    # other work on a shared machine moves every figure; the ratios less, not nothing
    print(f"load average (1 min): {load_before} at the start, {_load()} at the end")
    print(
        f"threads (OMP/OPENBLAS/MKL_NUM_THREADS and torch.set_num_threads): {'1 (quick)' if args.quick else threads}"
    )
    print()
    print(table(rows))
    print()
    print(verdicts(rows, args.quick))
    print(f"\n({time.time() - t0:.0f} s)")
    save(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
