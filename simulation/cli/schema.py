"""``schema``: print the JSON Schema of scenario files."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from simulation.cli._options import check_output_file
from simulation.config.scenario import json_schema

NAME = "schema"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="toon het JSON-schema van scenariobestanden")
    parser.add_argument("--out", help="schrijf naar dit bestand in plaats van naar stdout")
    return parser


def run(args) -> int:
    check_output_file(args.out, "--out")
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
