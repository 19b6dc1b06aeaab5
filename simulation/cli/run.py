"""``run``: simulate a scenario and write events.parquet, kpis.csv, scenario.yaml and manifest.json."""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from simulation.cli._options import claim_output, positive_int, scenario_overrides
from simulation.config.scenario import load_scenario
from simulation.experiment.outputs import check_run_folder, write_run
from simulation.experiment.size import RunTooLarge, check_size
from simulation.experiment.store import OutputFolderError
from simulation._lazy import LazyModule

runner = LazyModule("simulation.experiment.runner")   # the engine: imported when a run starts, not for --help

NAME = "run"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="draai een scenario en schrijf events.parquet, kpis.csv, scenario.yaml, manifest.json")
    parser.add_argument("scenario", help="scenario (YAML), bijv. params/noord-limburg.yaml")
    parser.add_argument("--seed", type=int, default=1, help="basisseed; dezelfde seed geeft dezelfde uitkomst")
    parser.add_argument("--replications", type=positive_int, default=5, help="onafhankelijke replicaties (>= 1)")
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="processen (>= 1); de uitkomst hangt er niet van af")
    parser.add_argument("--out", type=Path, help="uitvoermap (standaard outputs/runs/<scenarionaam>)")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="overschrijf een veld, bijv. --set horizon_years=2 (herhaalbaar)")
    parser.add_argument("--period", choices=("jaar", "kwartaal"), default="jaar",
                        help="kwartaal: schrijf ook kpis_kwartaal.csv, de KPI's per kwartaal (kpis.csv blijft per jaar)")
    parser.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    parser.add_argument("--force-size", action="store_true",
                        help="draai ook als het geschatte geheugen groter is dan wat de machine vrij heeft")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))
    if args.out is None and not _folder_name(scenario.name):
        print(f"fout: scenarionaam {scenario.name!r} kan geen mapnaam onder outputs/runs/ zijn; geef --out "
              "of een naam van letters, cijfers, '-', '_' en '.'", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / "runs" / scenario.name
    try:
        check_run_folder(Path(out))   # before the simulation, not after it
        claim_output(args, Path(out))   # lock; leftovers of a killed run removed
    except OutputFolderError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    if not _size_fits(scenario, args):
        return 2
    start = time.perf_counter()
    with warnings.catch_warnings():   # printed below as one line, not as a Python warning
        warnings.simplefilter("ignore", runner.NothingHappened)
        result = simulate(scenario, seed=args.seed, replications=args.replications, workers=args.workers,
                          progress=not args.quiet, force_size=True)   # the size is checked above
    wall = time.perf_counter() - start
    quarterly = args.period == "kwartaal"
    try:
        write_run(result, Path(out), wall, sys.argv, quarterly=quarterly, scenario_file=Path(args.scenario))
    except (OutputFolderError, OSError) as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    print(f"{scenario.name}: {args.replications} replicatie(s), {f'{len(result.events):,}'.replace(',', '.')} gebeurtenissen in "
          f"{f'{wall:.1f}'.replace('.', ',')} s; "
          f"{result.warmup_description}")
    for note in result.notes:
        print(f"waarschuwing: {note}", file=sys.stderr)
    extra = ", kpis_kwartaal.csv" if quarterly else ""
    print(f"geschreven naar {out}/ (events.parquet, kpis.csv{extra}, scenario.yaml, manifest.json)")
    return 0


def simulate(*args, **kwargs):
    """``experiment.runner.simulate`` (a name of this module, so a test can replace it)."""
    return runner.simulate(*args, **kwargs)


def _size_fits(scenario, args) -> bool:
    """Print the run's size estimate; False (with what to change) when it would not fit, unless --force-size."""
    try:
        size = check_size(scenario, args.replications, args.workers)
    except RunTooLarge as exc:
        if not getattr(args, "force_size", False):
            print(f"fout: {exc}", file=sys.stderr)
            return False
        size = exc.size
        print(f"waarschuwing: {exc} (toch uitgevoerd: --force-size)", file=sys.stderr)
    if not args.quiet:
        print(f"schatting: {size.describe()}")
    return True


def _folder_name(name: str) -> bool:
    """True for a scenario name that is one plain folder name (no path, not empty, not '.' or '..')."""
    return bool(name) and name not in (".", "..") and all(c.isalnum() or c in "-_. " for c in name)
