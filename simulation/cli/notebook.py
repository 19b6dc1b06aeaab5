"""``notebook``: run one analysis notebook with papermill, with the report's parameters for it."""
from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli._options import scenario_overrides
from simulation.config.scenario import ScenarioError
from simulation.experiment.store import OutputFolderError
from simulation.report.notebooks import NotebookError, ReportFailed, find_notebook, run_one

NAME = "notebook"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="draai één analysenotebook met papermill, bijv. `notebook 03 --set municipality=Venlo`",
        description="Draai één notebook met de parameters die het laatste rapport het gaf (outputs/manifest.json; "
                    "zonder rapport de standaardwaarden van het notebook); --set daarbovenop. De index meldt het als "
                    "het rapport dan gemengd is.")
    parser.add_argument("name", help="nummer of naam van het notebook, bijv. 03")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="parameter van het notebook (herhaalbaar)")
    parser.add_argument("--out", default="outputs", help="uitvoermap (standaard: %(default)s)")
    return parser


def run(args) -> int:
    try:
        notebook = find_notebook(args.name)
        command = " ".join(["python -m simulation", NAME, args.name, *[f"--set {s}" for s in args.set or []],
                            *(["--out", args.out] if args.out != "outputs" else [])])
        out = run_one(args.name, Path(args.out), scenario_overrides(args.set), command=command)
    except ReportFailed as exc:
        print(f"fout: notebook {notebook.stem} mislukt: {exc} (bewaard in {args.out}/failed/; index: {exc.index})",
              file=sys.stderr)
        return 1
    except (NotebookError, OutputFolderError, ScenarioError) as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    print(f"{notebook.name}: uitgevoerd in {out}/")
    return 0
