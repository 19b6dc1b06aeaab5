"""``validate``: check a scenario file and its overrides."""
from __future__ import annotations

from simulation.cli._options import scenario_overrides
from simulation.config.scenario import load_scenario, resolved_yaml

NAME = "validate"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="check a scenario file and its overrides")
    parser.add_argument("scenario")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE")
    parser.add_argument("--resolved", action="store_true", help="print the fully resolved scenario")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))
    print(f"{args.scenario}: valid scenario {scenario.name!r} ({len(scenario.municipalities)} municipalities, "
          f"{len(scenario.segments)} segments, {len(scenario.providers)} providers)")
    if args.resolved:
        print(resolved_yaml(scenario))
    return 0
