"""CPU time of ``funding.payments.compute_payments``, this tree against another (not a test).

    nice python benchmarks/bench_payments.py [--against /work/main | REV] [--pairs 3] [--size 1] [--reps 5]

The inputs (the default scenario, params/noord-limburg.yaml, with its municipalities replicated
``--size`` times by ``experiment.shards.synthetic.replicate``, simulated once for ``--reps``
replications) are built once and pickled; then each pair runs compute_payments on them in two fresh
processes, this tree and ``--against`` (a checkout, or a git revision of this one, exported to a
temporary directory), in alternating order. Printed: CPU seconds
(time.process_time) per replication and per contract, and the ratio this / against per pair and
of the medians. Also checks that both trees give exactly equal frames.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "params" / "noord-limburg.yaml"


def scenario_of(size: int):
    from simulation.config.scenario import load_scenario, scenario_from_dict
    from simulation.experiment.shards.synthetic import replicate
    scenario = load_scenario(SCENARIO)
    if size == 1:
        return scenario
    return scenario_from_dict(replicate(scenario.model_dump(mode="json"), size), source=f"synthetisch x{size}")


def build(path: Path, size: int, reps: int) -> None:
    """Simulate once and pickle the events (the same input for both trees)."""
    from simulation.experiment.runner import simulate
    result = simulate(scenario_of(size), seed=1, replications=reps, force_size=True)
    path.write_bytes(pickle.dumps(result.events))


def child(path: Path, size: int, out: Path) -> None:
    """In a fresh process: compute_payments on the pickled events; prints CPU seconds as JSON."""
    from simulation.funding.payments import compute_payments
    scenario = scenario_of(size)
    events = pickle.loads(path.read_bytes())
    begin = time.process_time()
    res = compute_payments(scenario, events=events)
    cpu = time.process_time() - begin
    out.write_bytes(pickle.dumps((res.payments, res.finals, res.plekken)))
    print(json.dumps({"cpu": cpu, "contracts": len(scenario.funding.contracts),
                      "reps": int(events["replication"].nunique())}))


def run(tree: Path, args, data: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_payments.py"), "--child", str(data), "--size",
           str(args.size), "--out", str(out)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default="/work/main", help="a checkout's directory, or a git revision")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--size", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--child", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.size, args.out)
    import pandas as pd
    with tempfile.TemporaryDirectory() as tmp:
        if not Path(args.against).is_dir():   # a revision: its tree, exported
            tree = Path(tmp) / "against"
            tree.mkdir()
            archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
            args.against = tree
        args.against = Path(args.against)
        data = Path(tmp) / "events.pkl"
        build(data, args.size, args.reps)
        this, other = [], []
        for pair in range(args.pairs):
            order = [(ROOT, this, "this"), (args.against, other, "against")]
            for tree, acc, name in (order if pair % 2 == 0 else order[::-1]):
                acc.append(run(tree, args, data, Path(tmp) / f"{name}.pkl"))
            frames = [pickle.loads((Path(tmp) / f"{n}.pkl").read_bytes()) for n in ("this", "against")]
            for a, b in zip(*frames):
                pd.testing.assert_frame_equal(a, b, check_exact=True)
            print(f"pair {pair + 1}: this {this[-1]['cpu']:.2f} s, against {other[-1]['cpu']:.2f} s, "
                  f"ratio {this[-1]['cpu'] / other[-1]['cpu']:.3f} (frames equal)", flush=True)
        n, reps = this[0]["contracts"], this[0]["reps"]
        for name, acc in (("this", this), ("against", other)):
            cpu = statistics.median(r["cpu"] for r in acc)
            print(f"{name:8s} x{args.size}, {n} contracts, {reps} replications: median {cpu:.2f} CPU s, "
                  f"{cpu / reps:.3f} s per replication, {1000 * cpu / reps / n:.2f} ms per contract-replication")
        ratio = statistics.median(r["cpu"] for r in this) / statistics.median(r["cpu"] for r in other)
        print(f"ratio this / against (medians): {ratio:.3f}")


if __name__ == "__main__":
    main()
