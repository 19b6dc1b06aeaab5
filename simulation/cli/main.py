"""Command line: ``python -m simulation COMMAND``; one parser, one module per command.

Every command module has ``NAME``, ``add_parser(subparsers)`` (returns its parser) and
``run(args) -> int`` (the exit code); ``COMMANDS`` lists them in the order of ``--help``.
A user's error (a file, a value, an output folder) ends as one ``fout:`` line (Dutch) and exit 2, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import sys

import simulation
from simulation._lazy import importlib_metadata
from simulation.cli import (calibrate, check_records, export_records, notebook, report, run, schema, sweep,
                            validate, warmup)
from simulation.cli._options import ArgumentParser, HelpFormatter, UsageError
from simulation.data.records import RecordsError
from simulation.experiment.executors import ExecutorError
from simulation.experiment.outputs import write_run
from simulation.experiment.provenance import git_commit, package_versions as _versions
from simulation.experiment.store import OutputFolderError
from simulation.config.scenario import ScenarioError

COMMANDS = (run, validate, schema, notebook, report, sweep, warmup, calibrate, export_records, check_records)
USER_ERRORS = (ScenarioError, OutputFolderError, RecordsError, UsageError, ExecutorError)

__all__ = ["COMMANDS", "USER_ERRORS", "build_parser", "main", "version", "git_commit", "write_run", "_versions"]


def version() -> str:
    """The installed distribution's version (importlib.metadata), else the package's ``__version__``."""
    for dist in importlib_metadata.packages_distributions().get("simulation", []):
        try:
            return importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            continue
    return simulation.__version__


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata scans every installed package)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")   # to stdout, as argparse's own version action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="python -m simulation", formatter_class=HelpFormatter,
                                     description="Simuleer trajecten en plekken in jeugdzorg en Wmo.")
    parser.add_argument("--version", action=_VersionAction, help="toon de versie en stop")
    subparsers = parser.add_subparsers(dest="command", required=True,
                                       help="de opdracht; python -m simulation OPDRACHT --help toont haar opties")
    for command in COMMANDS:
        sub = command.add_parser(subparsers)
        sub.formatter_class = HelpFormatter
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: sys.argv) and run the command; a user's error is one ``fout:`` line, exit 2."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        with contextlib.ExitStack() as args.exit_stack:   # output locks the command takes (cli._options)
            return args.handler(args)
    except USER_ERRORS as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:   # a file the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"fout: {where}{exc.strerror or exc}; controleer het pad en de rechten", file=sys.stderr)
        return 2
