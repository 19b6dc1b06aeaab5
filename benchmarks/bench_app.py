"""Benchmark of the what-if page's engine (not a test): seconds per question, first and warm.

    python benchmarks/bench_app.py [--municipality Venlo] [--segment S3] [--replications 10] [--workers 2]

The first question starts the process pool, parses and scopes the scenario and simulates the
baseline and the what-if; a warm question (other plekken) reuses the pool and the cached baseline
and simulates only the what-if. The CPU time is printed too (this process, the live pool workers
through psutil when it is installed, and finished children): on a shared machine it is the figure to
trust; the wall time then also says how long the machine made you wait.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.app.engine import Engine  # noqa: E402
from simulation.app.question import Question  # noqa: E402

try:
    import psutil
except ImportError:   # then the live pool workers' CPU time is not counted (the line says so)
    psutil = None


def cpu_seconds() -> float:
    """User + system CPU seconds of this process, its finished children and (with psutil) its live children."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    if psutil is not None:
        for child in psutil.Process().children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.NoSuchProcess:
                pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="noord-limburg.yaml")
    parser.add_argument("--municipality", default="Venlo")
    parser.add_argument("--segment", default="S3")
    parser.add_argument("--provider", default="jeugd_regio_a", help="whose plekken the questions change")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm", type=int, default=3, help="warm questions after the first")
    args = parser.parse_args()
    start = time.perf_counter()
    engine = Engine(ROOT / "params", workers=args.workers)
    try:
        for i in range(1 + args.warm):
            q = Question(args.scenario, args.municipality, args.segment, plekken={args.provider: 30 + 5 * i},
                         replications=args.replications)
            t0, c0 = time.perf_counter(), cpu_seconds()
            answer = engine.answer(q)
            wall = time.perf_counter() - t0
            cpu = cpu_seconds() - c0
            assert not answer.errors, answer.errors
            kind = "first (pool start, baseline and what-if)" if i == 0 else "warm (what-if only)"
            whose = "this process and its workers" if psutil is not None else "this process and finished children"
            print(f"question {i + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU ({whose}) "
                  f"- {kind}; {args.municipality} x {args.segment}, {args.replications} replications, "
                  f"{args.workers} workers", flush=True)
    finally:
        engine.close()
    print(f"total {time.perf_counter() - start:.1f} s; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
