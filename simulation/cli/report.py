"""``report``: run every notebook and write outputs/index.html and outputs/manifest.json."""
from __future__ import annotations

import sys

from simulation.cli._options import scenario_overrides
from simulation.config.scenario import ScenarioError
from simulation.experiment.store import OutputFolderError
from simulation.report.notebooks import NotebookError, ReportFailed, run_all

NAME = "report"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="draai elk notebook en schrijf outputs/index.html en outputs/manifest.json",
        description="Draai de analysenotebooks met papermill; schrijf van elk de pagina, tabellen en werkmap, en de "
                    "index en het manifest (commit, hash van het scenario, seed, parameters, pakketten).")
    parser.add_argument("--parameters", default="params/report/notebooks.yaml",
                        help="parameters per notebook (YAML; sectie 'all' voor gedeelde waarden) "
                             "(standaard: %(default)s)")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE",
                        help="parameter voor elk notebook dat hem heeft, boven het parameterbestand, bijv. "
                             "--set seed=7 --set replications=3 (herhaalbaar)")
    parser.add_argument("--out", default="outputs", help="uitvoermap (standaard: %(default)s)")
    parser.add_argument("--only", nargs="*", help="nummers of namen van notebooks (standaard: alle)")
    return parser


def command_line(args) -> str:
    """The command as typed (recorded in the manifest and shown on the index)."""
    parts = ["python -m simulation", NAME, "--parameters", args.parameters, "--out", args.out]
    parts += [f"--set {s}" for s in args.set or []]
    return " ".join(parts + (["--only", *args.only] if args.only else []))


def run(args) -> int:
    try:
        index = run_all(args.out, parameters_file=args.parameters, only=args.only,
                        overrides=scenario_overrides(args.set), command=command_line(args))
    except ReportFailed as exc:
        for stem, error in exc.failures.items():
            print(f"fout: notebook {stem} mislukt: {error} (bewaard in {args.out}/failed/)", file=sys.stderr)
        print(f"rapport (met mislukte notebooks): {exc.index}")
        return 1
    except (NotebookError, OutputFolderError, ScenarioError) as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    print(f"rapport: {index}")
    return 0
