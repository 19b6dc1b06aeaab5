"""Command line: ``python -m simulation run|schema|validate ...``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from simulation.config.scenario import ScenarioError, json_schema, load_scenario, parse_set_option, resolved_yaml
from simulation.experiment.outputs import write_run
from simulation.experiment.provenance import PACKAGES, git_commit, package_versions as _versions  # noqa: F401


def _overrides(pairs: list[str]) -> dict:
    return dict(parse_set_option(p) for p in pairs or [])


def cmd_run(args) -> int:
    from simulation.experiment.runner import simulate

    scenario = load_scenario(args.scenario, overrides=_overrides(args.set))
    start = time.perf_counter()
    result = simulate(scenario, seed=args.seed, replications=args.replications, workers=args.workers,
                      progress=not args.quiet)
    wall = time.perf_counter() - start
    out = args.out or Path("outputs") / "runs" / scenario.name
    write_run(result, Path(out), wall, sys.argv)
    print(f"{scenario.name}: {args.replications} replication(s), {len(result.events):,} events in {wall:.1f} s; "
          f"{result.warmup_description}")
    print(f"written to {out}/ (events.parquet, kpis.csv, scenario.yaml, manifest.json)")
    return 0


def cmd_validate(args) -> int:
    scenario = load_scenario(args.scenario, overrides=_overrides(args.set))
    print(f"{args.scenario}: valid scenario {scenario.name!r} ({len(scenario.municipalities)} municipalities, "
          f"{len(scenario.segments)} segments, {len(scenario.providers)} providers)")
    if args.resolved:
        print(resolved_yaml(scenario))
    return 0


def cmd_schema(args) -> int:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_notebook(args) -> int:
    from simulation.report.notebooks import NotebookError, find_notebook, run_notebook, write_index

    try:
        nb = find_notebook(args.name)
        params = _overrides(args.set)
        out = run_notebook(nb, Path(args.out), params)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_index(Path(args.out))
    print(f"{nb.name}: executed into {out}/")
    return 0


def cmd_report(args) -> int:
    from simulation.report.notebooks import NotebookError, run_all

    try:
        index = run_all(args.out, parameters_file=args.parameters, only=args.only)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {index}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulation",
                                     description="Simulate youth care and Wmo trajecten and plekken.")
    sub = parser.add_subparsers(dest="command", required=True)
    from simulation.cli.sweep import add_commands as add_sweep_commands  # sweep, warmup (docs/sweeps.md)
    add_sweep_commands(sub)

    run = sub.add_parser("run", help="run a scenario and write events.parquet, kpis.csv, scenario.yaml, manifest.json")
    run.add_argument("scenario", help="scenario YAML, e.g. params/noord-limburg.yaml")
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--replications", type=int, default=5)
    run.add_argument("--workers", type=int, default=1, help="processes; the result does not depend on it")
    run.add_argument("--out", type=Path, help="output folder (default outputs/runs/<scenario name>)")
    run.add_argument("--set", action="append", metavar="PATH=VALUE",
                     help="override a field, e.g. --set horizon_years=2 (repeatable)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check a scenario file and its overrides")
    val.add_argument("scenario")
    val.add_argument("--set", action="append", metavar="PATH=VALUE")
    val.add_argument("--resolved", action="store_true", help="print the fully resolved scenario")
    val.set_defaults(func=cmd_validate)

    schema = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--out", help="write to this file instead of stdout")
    schema.set_defaults(func=cmd_schema)
    nb = sub.add_parser("notebook", help="run one analysis notebook with papermill, e.g. `notebook 03 --set municipality=Venlo`")
    nb.add_argument("name", help="number or name of the notebook, e.g. 03")
    nb.add_argument("--set", action="append", metavar="NAME=VALUE", help="notebook parameter (repeatable)")
    nb.add_argument("--out", default="outputs", help="output root (default outputs/)")
    nb.set_defaults(func=cmd_notebook)

    rep = sub.add_parser("report", help="run every notebook and write outputs/index.html")
    rep.add_argument("--parameters", default="params/report/notebooks.yaml", help="parameters per notebook (YAML)")
    rep.add_argument("--out", default="outputs")
    rep.add_argument("--only", nargs="*", help="notebook numbers or names")
    rep.set_defaults(func=cmd_report)
    return parser


def _delegated() -> dict:
    """Subcommands whose parsers live next to their code: name -> (function, help)."""
    from simulation.data.calibration import main_calibrate
    from simulation.data.records import main_check, main_export

    return {
        "calibrate": (main_calibrate, "fit a scenario to realised records (docs/records.md)"),
        "export-records": (main_export, "simulate a scenario and write its trajecten as records"),
        "check-records": (main_check, "validate a records file and list every problem"),
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("calibrate", "export-records", "check-records"):
        return _delegated()[argv[0]][0](argv[1:])
    parser = build_parser()
    if argv and argv[0] in ("-h", "--help"):
        parser.epilog = "more commands: " + "; ".join(f"{k}: {h}" for k, (_, h) in _delegated().items())
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
