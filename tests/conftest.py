"""Shared test set-up: the small scenarios and statistics helpers live in tests/scenarios.py.

pytest's default import mode already puts tests/ on sys.path; this keeps ``from scenarios
import ...`` working under ``--import-mode=importlib`` too.
"""
import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
