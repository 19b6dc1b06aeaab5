"""Command line for sweeps and the warm-up check: ``python -m simulation sweep|warmup ...``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_sweep(args) -> int:
    from simulation.experiment.sweep import load_sweep, run_sweep, scenario_specs

    if args.check:
        spec = load_sweep(args.sweep)
        specs = scenario_specs(spec, Path(args.sweep).resolve().parent, args.sweep)
        bad = [s for s in specs if s.error]
        reps = spec.replications or f"{spec.precision.initial}..{spec.precision.max}"
        for s in specs:
            print(f"{'INVALID' if s.error else 'ok':8} {s.name}: {s.overrides}")
            if s.error:
                print("         " + s.error.replace("\n", "\n         "))
        print(f"{args.sweep}: {len(specs)} scenario(s) x {reps} replication(s), seed {spec.seed}; "
              f"{len(bad)} invalid")
        return 2 if bad else 0
    out = args.out or Path("outputs") / "sweeps" / load_sweep(args.sweep).name
    result = run_sweep(args.sweep, out=out, executor=args.executor, workers=args.workers,
                       scheduler=args.scheduler, write_on=args.write_on, progress=not args.quiet)
    print(f"{result.sweep.name}: {result.done} run(s) done, {result.skipped} already complete, "
          f"{len(result.failures)} failed; {result.wall_seconds:.1f} s on {result.executor}")
    for name, why in result.stop_reason.items():
        print(f"  {name}: {result.replications[name]} replications ({why})")
    if result.failures:
        print(f"failed runs (tracebacks in {out}/failures/):", file=sys.stderr)
        grouped: dict[tuple, list[int]] = {}
        for f in result.failures:
            key = (f["scenario"], f["seed"], f["traceback"].strip().splitlines()[-1])
            grouped.setdefault(key, []).append(f["replication"])
        for (scenario, seed, last), reps in grouped.items():
            print(f"  scenario={scenario} seed={seed} replication(s) {','.join(map(str, sorted(reps)))}: {last}",
                  file=sys.stderr)
    print(f"written to {out}/ (runs/, summary.csv, manifest.json)")
    return 1 if result.failures else 0


def cmd_warmup(args) -> int:
    from simulation.cli.main import _overrides
    from simulation.experiment.warmup import welch

    result = welch(args.scenario, seed=args.seed, replications=args.replications, window=args.window,
                   horizon_years=args.years, overrides=_overrides(args.set), workers=args.workers)
    out = Path(args.out or Path("outputs") / "warmup" / f"{result.scenario.name}.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    fig.savefig(out, dpi=150)
    result.daily.to_csv(out.with_suffix(".csv"), index=False)
    found = (f"levels off after about {result.suggested_days} days" if result.suggested_days is not None
             else "does not level off within the horizon; use more years")
    print(f"{result.scenario.name}: Welch moving average (window {args.window} d, {args.replications} reps) "
          f"{found}; the scenario's warm-up is {result.scenario.warmup.days:g} days")
    print(f"written {out} and {out.with_suffix('.csv')}")
    return 0


def add_commands(sub) -> None:
    """Register the ``sweep`` and ``warmup`` subcommands on the main parser's subparsers."""
    sw = sub.add_parser("sweep", help="run a sweep: scenarios x variants x grid x replications (docs/sweeps.md)")
    sw.add_argument("sweep", help="sweep YAML, e.g. sweeps/plekken.yaml")
    sw.add_argument("--out", type=Path, help="output folder (default outputs/sweeps/<sweep name>)")
    sw.add_argument("--executor", choices=("sequential", "processes", "dask"), default="processes",
                    help="where runs execute (default processes); results do not depend on it")
    sw.add_argument("--workers", type=int, help="processes or LocalCluster workers (default: all cores)")
    sw.add_argument("--scheduler", help="dask scheduler address, e.g. tcp://host:8786 (default: a LocalCluster)")
    sw.add_argument("--write-on", choices=("worker", "client"),
                    help="who writes the Parquet files (default: client with --scheduler, else worker)")
    sw.add_argument("--check", action="store_true", help="validate the sweep and list its scenarios; run nothing")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=cmd_sweep)

    wu = sub.add_parser("warmup", help="Welch's moving average of the caseload from an empty start (figure + csv)")
    wu.add_argument("scenario", help="scenario YAML")
    wu.add_argument("--seed", type=int, default=1)
    wu.add_argument("--replications", type=int, default=5)
    wu.add_argument("--window", type=int, default=30, help="moving-average half-window in days (default 30)")
    wu.add_argument("--years", type=int, help="horizon in years (default: the scenario's)")
    wu.add_argument("--workers", type=int, default=1)
    wu.add_argument("--set", action="append", metavar="PATH=VALUE", help="override a field (repeatable)")
    wu.add_argument("--out", help="figure path (.png; a .csv with the series is written next to it)")
    wu.set_defaults(func=cmd_warmup)


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="python -m simulation.cli.sweep")
    add_commands(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
