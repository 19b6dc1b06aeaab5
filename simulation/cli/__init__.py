"""Command line: ``python -m simulation COMMAND`` (simulation/cli/main.py; one module per command)."""
from simulation.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
