"""``notebook``: run one analysis notebook with papermill."""
from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli._options import scenario_overrides
from simulation.report.notebooks import NotebookError, find_notebook, run_notebook, write_index

NAME = "notebook"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="run one analysis notebook with papermill, e.g. `notebook 03 --set municipality=Venlo`")
    parser.add_argument("name", help="number or name of the notebook, e.g. 03")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="notebook parameter (repeatable)")
    parser.add_argument("--out", default="outputs", help="output root (default outputs/)")
    return parser


def run(args) -> int:
    try:
        notebook = find_notebook(args.name)
        params = scenario_overrides(args.set)
        out = run_notebook(notebook, Path(args.out), params)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_index(Path(args.out))
    print(f"{notebook.name}: executed into {out}/")
    return 0
