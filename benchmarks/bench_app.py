"""Benchmark of the what-if page's engine (not a test): seconds per question, first and later.

    python benchmarks/bench_app.py [--municipality Venlo] [--segment S3] [--replications 10] [--workers 2]
    python benchmarks/bench_app.py --against main [--runs 5]     # interleaved A/B against a commit

The first question starts the process pool, parses and scopes the scenario and simulates the
baseline and the what-if; a later question (other plekken) reuses the pool and the cached baseline
and simulates only the what-if. The CPU time is printed too (this process, the live pool workers
through psutil when it is installed, and finished children): on a shared machine it is the figure to
trust; the wall time then also says how long the machine made you wait. Target: a later question
under 2 s (issue 16).

``--against REV`` checks REV out into a temporary git worktree and runs this script in fresh
processes on this checkout's code and on REV's, alternating (new, old, new, old ...), and prints the
medians per tree and the median of the per-pair ratios new / old.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve() if "--tree" in sys.argv else ROOT
sys.path.insert(0, str(TREE))   # the code measured: this checkout, or the tree of --against's child

from simulation.app.engine import Engine  # noqa: E402
from simulation.app.question import Question  # noqa: E402

try:
    import psutil
except ImportError:   # then the live pool workers' CPU time is not counted (the line says so)
    psutil = None

TARGET = 2.0   # seconds per later question, CPU and wall


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


def questions(args) -> list[dict]:
    """Ask 1 + ``args.warm`` questions of one engine; wall and CPU seconds of each."""
    engine = Engine(TREE / "params", workers=args.workers)
    out = []
    try:
        for i in range(1 + args.warm):
            q = Question(args.scenario, args.municipality, args.segment, variant=args.variant,
                         plekken={p: 30 + 5 * i for p in args.provider.split(",")}, replications=args.replications)
            t0, c0 = time.perf_counter(), cpu_seconds()
            answer = engine.answer(q)
            out.append({"wall": time.perf_counter() - t0, "cpu": cpu_seconds() - c0})
            assert not answer.errors, answer.errors
    finally:
        engine.close()
    return out


def _child(tree: Path, args) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--json", "--tree", str(tree), "--scenario", args.scenario,
            "--municipality", args.municipality, "--segment", args.segment, "--provider", args.provider,
            "--variant", args.variant,
            "--replications", str(args.replications), "--workers", str(args.workers), "--warm", str(args.warm)]
    done = subprocess.run(argv, cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"child on {tree} failed:\n{done.stderr[-2000:]}")
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    return {"first_cpu": runs[0]["cpu"], "first_wall": runs[0]["wall"],
            "later_cpu": statistics.median(r["cpu"] for r in runs[1:]),
            "later_wall": statistics.median(r["wall"] for r in runs[1:])}


def against(args) -> None:
    """Fresh processes on this checkout and on ``args.against``, alternating; medians and ratios."""
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old), args.against], cwd=ROOT, check=True)
        try:
            pairs = [(_child(ROOT, args), _child(old, args)) for _ in range(args.runs)]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    print(f"what-if page, {args.municipality} x {args.segment}, {args.replications} replications, {args.workers} "
          f"workers: this checkout vs {args.against}, median of {args.runs} alternating fresh processes "
          f"(later = median of {args.warm} later questions per process); seconds")
    print(f"  {'figure':<12}{'new':>8}{'old':>8}{'new / old':>11}   target")
    for name in ("first_cpu", "first_wall", "later_cpu", "later_wall"):
        new = statistics.median(p[0][name] for p in pairs)
        before = statistics.median(p[1][name] for p in pairs)
        ratio = statistics.median(p[0][name] / p[1][name] for p in pairs)
        goal = f"< {TARGET:g} s" if name.startswith("later") else ""
        print(f"  {name:<12}{new:>8.2f}{before:>8.2f}{ratio:>10.2f}x   {goal}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="noord-limburg.yaml")
    parser.add_argument("--municipality", default="Venlo")
    parser.add_argument("--segment", default="S3")
    parser.add_argument("--provider", default="jeugd_regio_a", help="whose plekken the questions change (comma-separated)")
    parser.add_argument("--variant", default="as_is", help="funding variant of the edited contracts (as_is: as they are)")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm", type=int, default=3, help="later questions after the first")
    parser.add_argument("--against", metavar="REV", help="interleaved A/B against this commit (fresh processes)")
    parser.add_argument("--runs", type=int, default=5, help="with --against: pairs of fresh processes")
    parser.add_argument("--json", action="store_true", help="print the seconds of each question as JSON (A/B child)")
    parser.add_argument("--tree", help="import the code from this checkout (A/B child)")
    args = parser.parse_args()
    if args.against:
        return against(args)
    start = time.perf_counter()
    runs = questions(args)
    if args.json:
        print(json.dumps(runs))
        return None
    whose = "this process and its workers" if psutil is not None else "this process and finished children"
    for i, r in enumerate(runs):
        kind = "first (pool start, baseline and what-if)" if i == 0 else "later (what-if only)"
        print(f"question {i + 1}: {r['wall']:6.2f} s wall, {r['cpu']:6.2f} s CPU ({whose}) - {kind}; "
              f"{args.municipality} x {args.segment}, {args.replications} replications, {args.workers} workers")
    later = runs[1:]
    if later:
        cpu, wall = statistics.median(r["cpu"] for r in later), statistics.median(r["wall"] for r in later)
        print(f"later questions, median: {cpu:.2f} s CPU, {wall:.2f} s wall; target < {TARGET:g} s")
    print(f"total {time.perf_counter() - start:.1f} s; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    return None


if __name__ == "__main__":
    main()
