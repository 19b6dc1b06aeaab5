"""Benchmark of ``compare`` on the default scenario (not a test): wall, CPU, peak memory, time split.

    python benchmarks/bench_compare.py [--case designs|flow] [--replications 20] [--workers 2] [--split 2]
                                       [--against /work/main]

The variants (issue 16, goal 1: 2 variants x 20 replications on params/noord-limburg.yaml):

- ``designs`` (default): notebook 04's first two variants, trajectfinanciering and PxQ, for every
  contract of the default scenario: ``params/designs/noord-limburg-traject.yaml`` and
  ``params/designs/noord-limburg-pxq.yaml`` (the overlays for the default scenario; the ones in
  ``params/variants/`` fit only the demo scenario). Only the payment rules differ, the flow is the same.
- ``flow``: the default scenario as it is (Venlo's plekken, the Wmo budgetplafonds) against the
  traject design: the flow differs, so every replication of both variants is simulated.

Prints the wall time, the CPU time of this process and its finished children, the peak resident
memory of this process and of its largest child, the targets, the same question asked again (from
compare's cache), with ``--against DIR`` the benchmark of that checkout on the same case, and the
time split (simulation, event log, KPIs, payments, summary) measured on ``--split`` replications per variant in this process
(``workers=1``), where every stage can be timed.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.experiment import compare as compare_module  # noqa: E402

SCENARIO = ROOT / "params" / "noord-limburg.yaml"
DESIGNS = ROOT / "params" / "designs"
CASES = {
    "designs": {"traject": DESIGNS / "noord-limburg-traject.yaml", "pxq": DESIGNS / "noord-limburg-pxq.yaml"},
    "flow": {"noord-limburg": None, "traject": DESIGNS / "noord-limburg-traject.yaml"},
}
TARGET_WALL, TARGET_MB = 10.0, 1024.0


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0   # Linux: kB


def _timed(table: dict, stage: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            table[stage] += time.process_time() - t0
    return wrapper


def split(variants: dict, replications: int) -> dict[str, float]:
    """CPU seconds per stage of a sequential compare (every stage runs in this process)."""
    from simulation.analysis import kpis as kpis_module
    from simulation.core import events as ev
    from simulation.core.model import Model
    from simulation.funding import payments as payments_module

    table: dict[str, float] = defaultdict(float)
    patches = [(Model, "run", "simulation"), (ev, "to_frame", "event log"),
               (kpis_module, "kpis", "KPIs"), (payments_module, "compute_payments", "payments"),
               (compare_module, "summarise", "summary"), (compare_module, "_predictability", "summary")]
    # the names as the callers imported them, too
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not name.startswith("simulation."):
            continue
        for attr, stage in (("kpis", "KPIs"), ("compute_payments", "payments")):
            if callable(getattr(module, attr, None)) and not isinstance(getattr(module, attr), type(sys)):
                patches.append((module, attr, stage))
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patches]
    seen = set()
    try:
        for obj, attr, stage in patches:
            if (id(obj), attr) in seen:
                continue
            seen.add((id(obj), attr))
            setattr(obj, attr, _timed(table, stage, getattr(obj, attr)))
        t0 = time.process_time()
        compare_module.compare(SCENARIO, variants, replications=replications, seed=1, workers=1, cache=False)
        table["total"] = time.process_time() - t0
    finally:
        for obj, attr, fn in saved:
            setattr(obj, attr, fn)
    return dict(table)


def again(variants: dict, args, first) -> None:
    """The same question again (from the in-memory cache), then with the last variant renamed."""
    t0, c0 = time.perf_counter(), time.process_time()
    cmp = compare_module.compare(SCENARIO, variants, replications=args.replications, seed=1, workers=args.workers)
    print(f"asked again     {time.perf_counter() - t0:7.2f} s wall, {time.process_time() - c0:.2f} s CPU "
          f"(cached; frames identical: {cmp.per_replication.equals(first.per_replication)})")
    name = list(variants)[-1]
    changed = dict(variants)
    changed[name + "-2"] = changed.pop(name)   # same overlay, another name: the cache is keyed by scenario
    t0, c1 = time.perf_counter(), os.times()
    cmp = compare_module.compare(SCENARIO, changed, replications=args.replications, seed=1, workers=args.workers)
    c2 = os.times()
    print(f"renamed variant {time.perf_counter() - t0:7.2f} s wall, {sum(c2[:4]) - sum(c1[:4]):.2f} s CPU "
          f"(its scenario is unchanged, so nothing is simulated; {len(cmp.per_replication)} rows)")


def against(args) -> None:
    """Run the other checkout's benchmark (its own code) with the same case, for a paired A/B."""
    import subprocess
    cmd = [sys.executable, str(args.against / "benchmarks" / "bench_compare.py"), "--case", args.case,
           "--replications", str(args.replications), "--workers", str(args.workers), "--split", "0"]
    print(f"--- against {args.against} ---", flush=True)
    env = dict(os.environ, PYTHONPATH=str(args.against))
    subprocess.run(cmd, cwd=args.against, env=env, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), default="designs")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--split", type=int, default=2, help="replications per variant for the time split (0: skip)")
    parser.add_argument("--against", type=Path, help="a checkout (e.g. /work/main) whose bench_compare.py runs "
                                                     "after this one with the same arguments, for an A/B")
    args = parser.parse_args()
    variants = CASES[args.case]
    print(f"compare, case {args.case!r}: {', '.join(variants)} x {args.replications} replications, "
          f"{args.workers} workers, {SCENARIO.relative_to(ROOT)}", flush=True)
    t0, c0 = time.perf_counter(), os.times()
    cmp = compare_module.compare(SCENARIO, variants, replications=args.replications, seed=1, workers=args.workers)
    wall = time.perf_counter() - t0
    c1 = os.times()
    cpu_self, cpu_children = (c1[0] + c1[1]) - (c0[0] + c0[1]), (c1[2] + c1[3]) - (c0[2] + c0[3])
    parent, child = _peak_mb(resource.RUSAGE_SELF), _peak_mb(resource.RUSAGE_CHILDREN)
    print(f"wall            {wall:7.1f} s     (target < {TARGET_WALL:g} s: {'met' if wall < TARGET_WALL else 'NOT met'})")
    print(f"CPU             {cpu_self + cpu_children:7.1f} s     (this process {cpu_self:.1f} s, "
          f"finished children {cpu_children:.1f} s; wall / CPU {wall / max(cpu_self + cpu_children, 1e-9):.2f})")
    peak = max(parent, child)
    print(f"peak RSS        {parent:7.0f} MB    this process; largest child {child:.0f} MB "
          f"(target < {TARGET_MB:g} MB: {'met' if peak < TARGET_MB else 'NOT met'})")
    print(f"tables          per_replication {len(cmp.per_replication)} rows, summary {len(cmp.summary)} rows, "
          f"payments {sum(len(p) for p in cmp.payments.values())} rows", flush=True)
    again(variants, args, cmp)
    del cmp
    if args.against:
        against(args)
    if args.split:
        table = split(variants, args.split)
        total = table.pop("total")
        print(f"time split, CPU s over {args.split} replication(s) x {len(variants)} variants in one process "
              f"({total:.1f} s in all):")
        for stage in ("simulation", "event log", "KPIs", "payments", "summary"):
            value = table.get(stage, 0.0)
            print(f"  {stage:<12} {value:6.2f} s  {100 * value / total:5.1f}%")
        rest = total - sum(table.values())
        print(f"  {'rest':<12} {rest:6.2f} s  {100 * rest / total:5.1f}%  (scenario checks, measures, tables)")


if __name__ == "__main__":
    main()
