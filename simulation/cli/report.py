"""``report``: run every notebook and write outputs/index.html."""
from __future__ import annotations

import sys

from simulation.experiment.store import OutputFolderError
from simulation.report.notebooks import NotebookError, run_all

NAME = "report"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="run every notebook and write outputs/index.html")
    parser.add_argument("--parameters", default="params/report/notebooks.yaml", help="parameters per notebook (YAML)")
    parser.add_argument("--out", default="outputs")
    parser.add_argument("--only", nargs="*", help="notebook numbers or names")
    return parser


def run(args) -> int:
    try:
        index = run_all(args.out, parameters_file=args.parameters, only=args.only)
    except (NotebookError, OutputFolderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {index}")
    return 0
