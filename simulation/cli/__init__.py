"""Command line: ``python -m simulation COMMAND``."""
from simulation.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
