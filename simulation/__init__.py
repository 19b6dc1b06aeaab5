"""Simulation of youth care (Jeugdwet) and adult support (Wmo): trajecten, plekken and their funding.

The public entry points are importable from here; docs/architecture.md says where each concept lives.
Importing the package registers the built-in funding variants (``simulation.funding``).

The entry points are imported on first use (PEP 562 ``__getattr__``, mapping each name in
``_PUBLIC`` to its module), so ``import simulation`` and ``python -m simulation --help`` do not pay
for the engine, the analysis and the experiment layers they do not need; ``from simulation import
simulate`` works as before. Heavy third-party modules are deferred the same way (simulation/_lazy.py).
"""
from simulation import _compat, _lazy
from simulation import funding  # noqa: F401  (registers the built-in variants, so scenarios with them validate)

_compat.install()

_PUBLIC = {
    "simulate": "simulation.experiment.runner",
    "SimulationResult": "simulation.experiment.runner",
    "Scenario": "simulation.config.scenario",
    "ScenarioError": "simulation.config.scenario",
    "load_scenario": "simulation.config.scenario",
    "compute_payments": "simulation.funding",
    "compare": "simulation.experiment.compare",
    "kpis": "simulation.analysis.kpis",
    "summarise": "simulation.analysis.kpis",
}

__all__ = list(_PUBLIC)
__version__ = "0.1.0"
__getattr__, __dir__ = _lazy.lazy_names(__name__, _PUBLIC)
