"""Simulation of youth care (Jeugdwet) and adult support (Wmo): trajecten, plekken and their funding.

The public entry points are importable from here; docs/architecture.md says where each concept lives.
Importing the package registers the built-in funding variants (``simulation.funding``).

The entry points are imported on first use (PEP 562 ``__getattr__``, mapping each name in
``_PUBLIC`` to its module), so ``import simulation`` and ``python -m simulation --help`` do not pay
for the engine, the analysis and the experiment layers they do not need; ``from simulation import
simulate`` works as before. Heavy third-party modules are deferred the same way (simulation/_lazy.py).
"""
import importlib

from simulation import _compat
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


def __getattr__(name: str):
    """``simulation.simulate`` and the other names of ``__all__``: imported from their module on first use."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value   # the next read is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
