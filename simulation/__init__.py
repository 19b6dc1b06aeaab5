"""Simulation of youth care (Jeugdwet) and adult support (Wmo): trajecten, plekken and their funding.

The public entry points are importable from here; docs/architecture.md says where each concept lives.
"""
from simulation import _compat
from simulation import funding  # noqa: F401  (registers the built-in funding variants before any scenario validates)
from simulation.config.scenario import Scenario, ScenarioError, load_scenario
from simulation.experiment.runner import SimulationResult, simulate

_compat.install()

__all__ = ["simulate", "SimulationResult", "Scenario", "ScenarioError", "load_scenario"]
__version__ = "0.1.0"
