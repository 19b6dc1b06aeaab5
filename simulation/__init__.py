"""Simulation of youth care (Jeugdwet) and adult support (Wmo): trajecten, plekken and their funding."""
from .experiment import SimulationResult, simulate
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["simulate", "SimulationResult", "Scenario", "ScenarioError", "load_scenario"]
__version__ = "0.1.0"
