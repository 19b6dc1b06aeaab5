"""``export-records``: simulate a scenario and write one replication's trajecten as records."""
from __future__ import annotations

import sys

from simulation.cli._options import check_output_file, check_period, iso_date, non_negative_int
from simulation.config.scenario import ScenarioError
from simulation.data.records import export_records
from simulation._lazy import LazyModule

runner = LazyModule("simulation.experiment.runner")   # the engine: imported when the command runs, not for --help

NAME = "export-records"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="simuleer een scenario en schrijf zijn trajecten als registraties",
                                   description="Simuleer een scenario en schrijf zijn trajecten als gerealiseerde registraties.")
    parser.add_argument("scenario", help="scenariobestand (YAML)")
    parser.add_argument("--out", required=True, help="registratiebestand (.csv of .parquet)")
    parser.add_argument("--seed", type=int, default=1, help="basisseed van de simulatie")
    parser.add_argument("--replication", type=non_negative_int, default=0, help="welke replicatie geschreven wordt (0, 1, ...)")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"), type=iso_date,
                        help="onderzoeksperiode, inclusief (standaard: de hele horizon)")
    parser.add_argument("--salt", default="simulation", help="zout (salt) van de pseudonieme cliëntsleutels")
    return parser


def run(args) -> int:
    check_period(args.period)
    check_output_file(args.out, "--out")       # before the simulation, not after it
    try:
        result = runner.simulate(args.scenario, seed=args.seed, replications=args.replication + 1)
        records = export_records(result.events, result.scenario, args.out, study_period=args.period,
                                 replication=args.replication, salt=args.salt)
    except (ScenarioError, ValueError) as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    n_open = int(records["einddatum"].isna().sum())
    print(f"{args.out}: {len(records)} registraties ({n_open} open aan het eind van de periode)")
    return 0
