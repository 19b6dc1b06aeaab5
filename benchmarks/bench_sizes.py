"""Size and memory of sharded runs: x1, x16 and a synthetic national size x65 (not a test).

    nice python benchmarks/bench_sizes.py [--sizes 1 16 65] [--replications 1] [--horizon 4] [--full]

Each size is the default scenario (params/noord-limburg.yaml, its horizon unless --horizon) with its
7 municipalities replicated ``size`` times (``experiment.shards.synthetic.replicate``; SYNTHETIC: the
copies are named "<gemeente> #k", draw their own clients and are tied to no other copy; x65 = 455
municipalities, about 18 million inhabitants, the national size). ``--replications`` replications per
size run in a fresh process with ``simulate_sharded`` (model, Parquet log per shard, KPIs, payments),
one shard at a time; the process's CPU time (time.process_time) and peak resident memory (ru_maxrss)
are read at the end, and the CPU seconds per stage (``ShardedResult.stages``) are printed per size. ``--full`` also runs x1 unsharded (``simulate`` + ``compute_payments``) for the overhead of
sharding. Printed against the targets of issue 16 (goal 2): peak < 1 GB at every size, time growth
exponent <= 1.05 (least-squares slope of log CPU time on log size), x65 < 120 CPU seconds per replication.
CPU time on a shared machine is noisy; the sizes run one after another, never at once.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "params" / "noord-limburg.yaml"
PEAK_TARGET, EXPONENT_TARGET, NATIONAL_TARGET = 1e9, 1.05, 120.0


def child(size: int, horizon: int | None, mode: str, replications: int) -> None:
    """In a fresh process: ``replications`` at ``size``; prints CPU seconds, stages and peak memory as JSON."""
    from simulation.config.scenario import load_scenario, scenario_from_dict
    from simulation.experiment.shards.combine import simulate_sharded
    from simulation.experiment.shards.plan import ShardPlan
    from simulation.experiment.shards.synthetic import replicate

    begin = time.process_time()
    overrides = {} if horizon is None else {"horizon_years": horizon}
    scenario = scenario_from_dict(replicate(load_scenario(SCENARIO, overrides=overrides).model_dump(mode="json"),
                                            size), source=f"synthetisch x{size}")
    plan = ShardPlan(scenario)
    built = time.process_time()
    with tempfile.TemporaryDirectory() as out:
        if mode == "full":
            from simulation.experiment.runner import simulate
            from simulation.funding.payments import compute_payments
            result = simulate(scenario, seed=1, replications=replications, force_size=True)
            compute_payments(scenario, events=result.events)
            rows, shards, stages = len(result.events), 1, {}
        else:
            result = simulate_sharded(scenario, seed=1, replications=replications, out=Path(out), plan=plan)
            rows, shards, stages = result.rows, len(plan.shards), result.stages
        log_bytes = sum(p.stat().st_size for p in Path(out).glob("*.parquet"))
    done = time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(json.dumps({"size": size, "mode": mode, "shards": shards, "municipalities": len(scenario.municipalities),
                      "replications": replications, "stages": stages, "rows": rows, "build_s": built - begin, "run_s": done - built, "cpu_s": done - begin,
                      "peak": peak, "log_bytes": log_bytes}))


def measure(size: int, horizon: int | None, mode: str, replications: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = ([sys.executable, __file__, "--child", str(size), mode, "--replications", str(replications)]
            + ([] if horizon is None else ["--horizon", str(horizon)]))
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y on log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 16, 65])
    parser.add_argument("--replications", type=int, default=1, help="replications per size (default 1)")
    parser.add_argument("--horizon", type=int, default=None, help="horizon_years (default: the scenario's)")
    parser.add_argument("--full", action="store_true", help="also x1 without shards")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.horizon, args.child[1], args.replications)
        return
    n = args.replications
    print(f"bench_sizes: default scenario, municipalities replicated (SYNTHETIC), {n} replication(s), "
          f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores (shared), load {os.getloadavg()[0]:.1f}, "
          f"Python {sys.version.split()[0]}")
    points = []
    runs = ([(1, "full")] if args.full else []) + [(s, "shards") for s in args.sizes]
    print(f"{'size':>5} {'mode':>6} {'gemeenten':>9} {'shards':>6} {'rows':>11} {'CPU s':>8} {'s/repl':>7} "
          f"{'s/size/repl':>11} {'peak MB':>8} {'log MB':>7}  target peak < 1000 MB")
    for size, mode in runs:
        m = measure(size, args.horizon, mode, n)
        per = m["cpu_s"] / n
        print(f"{size:>5} {mode:>6} {m['municipalities']:>9} {m['shards']:>6} {m['rows']:>11,} {m['cpu_s']:>8.1f} "
              f"{per:>7.1f} {per / size:>11.2f} {m['peak'] / 1e6:>8.0f} {m['log_bytes'] / 1e6:>7.0f}  "
              f"{'ok' if m['peak'] < PEAK_TARGET else 'MISSED'}", flush=True)
        if m["stages"]:
            print("      CPU s per replication by stage: " + ", ".join(
                f"{k} {v / n:.1f} ({v / m['cpu_s']:.0%})" for k, v in m["stages"].items())
                + f"; scenario and plan built {m['build_s']:.1f}", flush=True)
        if mode == "shards":
            points.append(m)
    if len(points) >= 2:
        b = slope([p["size"] for p in points], [p["cpu_s"] for p in points])
        print(f"time growth exponent (log-log least squares over sizes {[p['size'] for p in points]}): {b:.3f}  "
              f"target <= {EXPONENT_TARGET}: {'ok' if b <= EXPONENT_TARGET else 'MISSED'}")
    national = [p for p in points if p["size"] == 65]
    if national:
        s = national[0]["cpu_s"] / n
        print(f"national size x65 (synthetic): {s:.0f} CPU s per replication  target < {NATIONAL_TARGET:.0f} s: "
              f"{'ok' if s < NATIONAL_TARGET else 'MISSED'} ({s / NATIONAL_TARGET:.2f}x the target)")


if __name__ == "__main__":
    main()
