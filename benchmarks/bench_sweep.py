"""Benchmark of sweep execution (not a test): prints runs per minute per executor in one run.

    python benchmarks/bench_sweep.py [SCENARIO.yaml] [--replications 8] [--workers 2] [--set path=value ...]

One sweep (two variants x ``--replications``) is run, each time into a fresh
folder, with:
- ``sequential``: one process;
- ``processes``: a local process pool of ``--workers`` processes;
- ``dask``: a LocalCluster of ``--workers`` worker processes (1 thread each); timed
  once with the cluster's start-up and once on an already running cluster.

Printed: runs per minute, the speed-up of processes over sequential (target >= 1.7x
on 2 cores), the overhead of dask over processes (target <= 15%), and the peak
memory (max RSS) of a worker process, read from every run's run.json. A run is the
whole unit of work: simulate one replication, compute its KPIs, write its Parquet files.
Per run the wall and CPU seconds inside the worker are shown too: when wall is well
above CPU, the machine is shared with other work and the ratios are not meaningful.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.experiment import store  # noqa: E402
from simulation.experiment.executors import DaskExecutor  # noqa: E402
from simulation.config.scenario import load_scenario, parse_set_option  # noqa: E402
from simulation.experiment.sweep import run_sweep  # noqa: E402


def default_scenario() -> Path:
    for path in (ROOT / "params" / "noord-limburg.yaml", ROOT / "tests" / "data" / "smoke.yaml"):
        if path.exists():
            return path
    raise SystemExit("no scenario found; pass one")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--replications", type=int, default=8, help="per variant (2 variants)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="time each executor this often, keep the fastest")
    parser.add_argument("--set", action="append", default=None, metavar="PATH=VALUE",
                        help="override for the base scenario (default for the smoke scenario: horizon_years=3)")
    args = parser.parse_args()
    path = args.scenario or default_scenario()
    sets = args.set if args.set is not None else (["horizon_years=3"] if path.name == "smoke.yaml" else [])
    overrides = dict(parse_set_option(s) for s in sets)
    base = load_scenario(path, overrides=overrides).model_dump(mode="json")
    first_seg = next(iter(base["segments"]))
    spec = {
        "name": "bench", "scenario": base, "seed": 1, "replications": args.replications,
        "variants": [{"name": "basis"},
                     {"name": "groei", "set": {f"segments.{first_seg}.instroom.growth": 0.1}}],
    }
    n_runs = 2 * args.replications
    print(f"scenario {path.name} {sets or ''}: {n_runs} runs (2 variants x {args.replications} replications), "
          f"{args.workers} workers, {os.cpu_count()} cores on this machine")

    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f}" + ("  WARNING: the machine is busy; figures are not representative"
                                                if load > 0.5 * (os.cpu_count() or 1) else ""))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        def timed(label, **kw):
            best = None
            for i in range(args.repeat):
                out = Path(tmp) / f"{label}-{i}"
                start = time.perf_counter()
                r = run_sweep(spec, out=out, progress=False, **kw)
                wall = time.perf_counter() - start
                assert r.ok and r.done == n_runs, r.failures[:1]
                if best is None or wall < best[0]:
                    runs = store.load_runs(out)
                    best = (wall, runs["peak_rss_mb"].max(), runs["wall_seconds"].mean(), r.kpis("groep"),
                            runs["cpu_seconds"].mean())
            results[label] = best
            wall, rss, per_run, _, cpu = best
            print(f"  {label:<22} {wall:7.2f} s  {60 * n_runs / wall:7.1f} runs/min  "
                  f"peak RSS per worker {rss:6.0f} MB  (per run in the worker: {per_run:.2f} s wall, "
                  f"{cpu:.2f} s CPU)")

        timed("sequential", executor="sequential")
        timed("processes", executor="processes", workers=args.workers)
        start = time.perf_counter()
        with DaskExecutor(workers=args.workers) as dask:
            startup = time.perf_counter() - start
            timed("dask (warm cluster)", executor=dask)
        timed("dask (incl. start-up)", executor="dask", workers=args.workers)
        print(f"  LocalCluster start-up: {startup:.2f} s")

    seq, proc = results["sequential"][0], results["processes"][0]
    warm, cold = results["dask (warm cluster)"][0], results["dask (incl. start-up)"][0]
    same = all(v[3].equals(results["sequential"][3]) for v in results.values())
    print()
    print(f"speed-up processes vs sequential on {args.workers} workers: {seq / proc:.2f}x (target >= 1.7x)")
    print(f"dask overhead vs processes: {100 * (warm / proc - 1):+.1f}% on a running cluster, "
          f"{100 * (cold / proc - 1):+.1f}% including LocalCluster start-up (target <= 15%)")
    print(f"peak memory per worker: {max(v[1] for v in results.values()):.0f} MB (max RSS of a worker process)")
    print(f"identical KPIs on all executors: {same}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
