"""Command line: ``python -m simulation COMMAND``; one parser, one module per command.

Every command module has ``NAME``, ``add_parser(subparsers)`` (returns its parser) and
``run(args) -> int`` (the exit code); ``COMMANDS`` lists them in the order of ``--help``.
"""
from __future__ import annotations

import argparse
import sys

from simulation.cli import (calibrate, check_records, export_records, notebook, report, run, schema, sweep,
                            validate, warmup)
from simulation.experiment.outputs import write_run
from simulation.experiment.provenance import git_commit, package_versions as _versions
from simulation.config.scenario import ScenarioError

COMMANDS = (run, validate, schema, notebook, report, sweep, warmup, calibrate, export_records, check_records)

__all__ = ["COMMANDS", "build_parser", "main", "git_commit", "write_run", "_versions"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulation",
                                     description="Simulate youth care and Wmo trajecten and plekken.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers).set_defaults(handler=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: sys.argv) and run the command; a ScenarioError is one ``error:`` line, exit 2."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.handler(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
