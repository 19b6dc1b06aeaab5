"""``sweep``: run a sweep of scenarios x variants x grid x replications (docs/sweeps.md)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from simulation.cli._options import claim_output, positive_int
from simulation.experiment.size import RunTooLarge, check_sweep_size
from simulation._lazy import LazyModule

sweeps = LazyModule("simulation.experiment.sweep")   # with the engine: imported when a sweep starts, not for --help

NAME = "sweep"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="draai een sweep: scenario's x varianten x raster x replicaties "
                                              "(docs/sweeps.md)")
    parser.add_argument("sweep", help="sweep (YAML), bijv. sweeps/plekken.yaml")
    parser.add_argument("--out", type=Path, help="uitvoermap (standaard outputs/sweeps/<naam van de sweep>)")
    parser.add_argument("--executor", choices=("sequential", "processes", "dask"), default="processes",
                        help="waar de runs draaien (standaard processes); de uitkomsten hangen er niet van af")
    parser.add_argument("--workers", type=positive_int, help="processen of LocalCluster-workers (standaard: alle kernen)")
    parser.add_argument("--scheduler", help="adres van de dask-scheduler, bijv. tcp://host:8786 (standaard: een LocalCluster)")
    parser.add_argument("--write-on", choices=("worker", "client"),
                        help="wie de Parquet-bestanden schrijft (standaard: client met --scheduler, anders worker)")
    parser.add_argument("--check", action="store_true", help="controleer de sweep en noem zijn scenario's; draai niets")
    parser.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    parser.add_argument("--force-size", action="store_true",
                        help="draai ook als het geschatte geheugen groter is dan wat de machine vrij heeft")
    return parser


def run(args) -> int:
    if args.check:
        return _check(args.sweep)
    out = args.out or Path("outputs") / "sweeps" / sweeps.load_sweep(args.sweep).name
    claim_output(args, Path(out))   # before any run: writable, locked against a second sweep into it
    if not _size_fits(args):
        return 2
    result = run_sweep(args.sweep, out=out, executor=args.executor, workers=args.workers,
                       scheduler=args.scheduler, write_on=args.write_on, progress=not args.quiet)
    print(f"{result.sweep.name}: {result.done} run(s) gedaan, {result.skipped} al compleet, "
          f"{len(result.failures)} mislukt; {f'{result.wall_seconds:.1f}'.replace('.', ',')} s met {result.executor}")
    for name, why in result.stop_reason.items():
        print(f"  {name}: {result.replications[name]} replicaties ({why})")
    if result.failures:
        _print_failures(result.failures, out)
    print(f"geschreven naar {out}/ (runs/, summary.csv, manifest.json)")
    return 1 if result.failures else 0


def run_sweep(*args, **kwargs):
    """``experiment.sweep.run_sweep`` (a name of this module, so a test can replace it)."""
    return sweeps.run_sweep(*args, **kwargs)


def _size_fits(args) -> bool:
    """False (with the estimate and what to change) when the sweep's workers would not fit in memory,
    unless --force-size; a remote dask scheduler's memory is not this machine's, so it is not checked."""
    if args.scheduler:
        return True
    found = sweeps.scenario_specs(sweeps.load_sweep(args.sweep), Path(args.sweep).resolve().parent, args.sweep)
    specs = [s.scenario for s in found if s.scenario is not None]
    workers = 1 if args.executor == "sequential" else (args.workers or os.cpu_count() or 1)
    try:
        if specs:
            check_sweep_size(specs, workers)
    except RunTooLarge as exc:
        if not getattr(args, "force_size", False):
            print(f"fout: {exc}", file=sys.stderr)
            return False
        print(f"waarschuwing: {exc} (toch uitgevoerd: --force-size)", file=sys.stderr)
    return True


def _check(path) -> int:
    """List the sweep's scenarios and their problems; 2 when any is invalid."""
    spec = sweeps.load_sweep(path)
    specs = sweeps.scenario_specs(spec, Path(path).resolve().parent, path)
    invalid = [s for s in specs if s.error]
    replications = spec.replications or f"{spec.precision.initial}..{spec.precision.max}"
    for scenario in specs:
        print(f"{'ONGELDIG' if scenario.error else 'ok':8} {scenario.name}: {scenario.overrides}")
        if scenario.error:
            print("         " + scenario.error.replace("\n", "\n         "))
    print(f"{path}: {len(specs)} scenario('s) x {replications} replicatie(s), seed {spec.seed}; "
          f"{len(invalid)} ongeldig")
    return 2 if invalid else 0


def _print_failures(failures: list[dict], out: Path) -> None:
    """One line per scenario x seed x error, with the replications it hit."""
    print(f"mislukte runs (tracebacks in {out}/failures/):", file=sys.stderr)
    grouped: dict[tuple, list[int]] = {}
    for failure in failures:
        key = (failure["scenario"], failure["seed"], failure["traceback"].strip().splitlines()[-1])
        grouped.setdefault(key, []).append(failure["replication"])
    for (scenario, seed, last), replications in grouped.items():
        print(f"  scenario={scenario} seed={seed} replicatie(s) {','.join(map(str, sorted(replications)))}: {last}",
              file=sys.stderr)
