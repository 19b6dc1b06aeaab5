"""This checkout against an older commit, in one run (not a test): prints figures and ratios.

    python benchmarks/bench_against.py REV [--runs 5] [--sweep]

Checks REV out into a temporary git worktree and runs each tree's own ``bench_core.py`` child
measurement (one replication of the default scenario in a fresh process: model, event log, KPIs)
and the bare SimPy M/M/c loop, alternating new, old, new, old ... so that the machine's drift hits
both alike. Prints the median of each figure per tree and the median of the per-pair ratios
new / old. With ``--sweep`` it also runs each tree's ``bench_sweep.py`` once and prints both.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("model_s", "frame_s", "kpis_s", "total_s", "model_per_bare", "peak_mb")


def _child(tree: Path, args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, str(tree / "benchmarks" / "bench_core.py"), *args], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(tree: Path, seed: int) -> dict:
    run = _child(tree, ["--child", "model", "--seed", str(seed)])
    bare = _child(tree, ["--child", "bare", "--clients", str(run["clients"]), "--seed", str(seed)])
    run["total_s"] = run["model_s"] + run["frame_s"] + run["kpis_s"]
    run["model_per_bare"] = run["model_s"] / bare["seconds"]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the commit to measure against, e.g. the last commit before a refactor")
    parser.add_argument("--runs", type=int, default=5, help="pairs of fresh processes (default 5)")
    parser.add_argument("--sweep", action="store_true", help="also run both trees' bench_sweep.py once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-against-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old), args.rev], cwd=ROOT, check=True)
        try:
            pairs = [(_measure(ROOT, run + 1), _measure(old, run + 1)) for run in range(args.runs)]
            print(f"this checkout vs {args.rev}: median of {args.runs} alternating fresh processes "
                  "(one replication of the default scenario, CPU seconds)")
            print(f"  {'figure':<18}{'new':>10}{'old':>10}{'new / old':>12}")
            for name in FIGURES:
                new = statistics.median(p[0][name] for p in pairs)
                before = statistics.median(p[1][name] for p in pairs)
                ratio = statistics.median(p[0][name] / p[1][name] for p in pairs)
                print(f"  {name:<18}{new:>10.3f}{before:>10.3f}{ratio:>11.3f}x")
            if args.sweep:
                for label, tree in (("new", ROOT), ("old", old)):
                    env = dict(os.environ, PYTHONPATH=str(tree))
                    out = subprocess.run([sys.executable, str(tree / "benchmarks" / "bench_sweep.py")], cwd=tree,
                                         env=env, capture_output=True, text=True, check=True)
                    print(f"\nbench_sweep.py, {label}:\n{out.stdout.rstrip()}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
