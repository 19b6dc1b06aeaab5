"""Simulation of youth care (Jeugdwet) and adult support (Wmo): trajecten, plekken and their funding.

The public entry points are importable from here; docs/architecture.md says where each concept lives.
Importing the package registers the built-in funding variants (``simulation.funding``).
"""
from simulation import _compat
from simulation.analysis.kpis import kpis, summarise
from simulation.config.scenario import Scenario, ScenarioError, load_scenario
from simulation.experiment.compare import compare
from simulation.experiment.runner import SimulationResult, simulate
from simulation.funding import compute_payments

_compat.install()

__all__ = ["simulate", "SimulationResult", "Scenario", "ScenarioError", "load_scenario", "compute_payments",
           "compare", "kpis", "summarise"]
__version__ = "0.1.0"
