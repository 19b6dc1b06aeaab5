"""``run``: simulate a scenario and write events.parquet, kpis.csv, scenario.yaml and manifest.json."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from simulation.cli._options import scenario_overrides
from simulation.config.scenario import load_scenario
from simulation.experiment.outputs import write_run
from simulation.experiment.runner import simulate

NAME = "run"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="run a scenario and write events.parquet, kpis.csv, scenario.yaml, manifest.json")
    parser.add_argument("scenario", help="scenario YAML, e.g. params/noord-limburg.yaml")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="processes; the result does not depend on it")
    parser.add_argument("--out", type=Path, help="output folder (default outputs/runs/<scenario name>)")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="override a field, e.g. --set horizon_years=2 (repeatable)")
    parser.add_argument("--period", choices=("jaar", "kwartaal"), default="jaar",
                        help="kwartaal: also write kpis_kwartaal.csv, the KPIs per quarter (kpis.csv stays per year)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))
    start = time.perf_counter()
    result = simulate(scenario, seed=args.seed, replications=args.replications, workers=args.workers,
                      progress=not args.quiet)
    wall = time.perf_counter() - start
    out = args.out or Path("outputs") / "runs" / scenario.name
    quarterly = args.period == "kwartaal"
    write_run(result, Path(out), wall, sys.argv, quarterly=quarterly)
    print(f"{scenario.name}: {args.replications} replication(s), {len(result.events):,} events in {wall:.1f} s; "
          f"{result.warmup_description}")
    extra = ", kpis_kwartaal.csv" if quarterly else ""
    print(f"written to {out}/ (events.parquet, kpis.csv{extra}, scenario.yaml, manifest.json)")
    return 0
