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
    parser = subparsers.add_parser(NAME, help="check a scenario file and its overrides")
    parser.add_argument("scenario", help="scenario YAML, e.g. params/noord-limburg.yaml")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="override a field, e.g. --set horizon_years=2 (repeatable)")
    parser.add_argument("--out", type=Path,
                        help="output folder `run` would write (default outputs/runs/<scenario name>): check it too")
    parser.add_argument("--resolved", action="store_true", help="print the fully resolved scenario")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))   # dates in range too
    if args.out is None and not _folder_name(scenario.name):
        print(f"fout: scenarionaam {scenario.name!r} kan geen mapnaam onder outputs/runs/ zijn; geef --out "
              "of een naam van letters, cijfers, '-', '_' en '.'", file=sys.stderr)
        return 2
    out = args.out or Path("outputs") / "runs" / scenario.name
    check_run_folder(out)   # what `run` checks before it simulates: writable, and the tool's own or new
    print(f"{args.scenario}: valid scenario {scenario.name!r} ({len(scenario.municipalities)} municipalities, "
          f"{len(scenario.segments)} segments, {len(scenario.providers)} providers); output folder {out} can be "
          "written")
    if args.resolved:
        print(resolved_yaml(scenario))
    return 0
