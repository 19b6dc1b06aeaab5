"""``validate``: check a scenario file and its overrides, and what ``run`` needs (dates, output folder)."""
from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli._options import scenario_overrides
from simulation.cli.run import _folder_name
from simulation.config.scenario import load_scenario, resolved_yaml
from simulation.experiment.outputs import check_run_folder

NAME = "validate"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="controleer een scenariobestand en zijn overschrijvingen")
    parser.add_argument("scenario", help="scenario (YAML), bijv. params/noord-limburg.yaml")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="overschrijf een veld, bijv. --set horizon_years=2 (herhaalbaar)")
    parser.add_argument("--out", type=Path,
                        help="uitvoermap die `run` zou schrijven (standaard outputs/runs/<scenarionaam>): controleer die ook")
    parser.add_argument("--resolved", action="store_true", help="toon het volledig ingevulde scenario")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))   # dates in range too
    if args.out is None and not _folder_name(scenario.name):
        print(f"fout: scenarionaam {scenario.name!r} kan geen mapnaam onder outputs/runs/ zijn; geef --out "
              "of een naam van letters, cijfers, '-', '_' en '.'", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / "runs" / scenario.name
    check_run_folder(out)   # what `run` checks before it simulates: writable, and the tool's own or new
    print(f"{args.scenario}: geldig scenario {scenario.name!r} ({len(scenario.municipalities)} gemeenten, "
          f"{len(scenario.segments)} segmenten, {len(scenario.providers)} aanbieders); uitvoermap {out} kan "
          "geschreven worden")
    if args.resolved:
        print(resolved_yaml(scenario))
    return 0
