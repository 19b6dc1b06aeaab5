"""Running scenarios: replications, variant comparisons, sweeps, executors, the results store.

The names below are imported from ``runner`` on first use (PEP 562, ``_lazy.lazy_names``, as in
``simulation/__init__.py``), so importing a light module of this package (``store``, ``size``) does not
import the engine.
"""
from simulation._lazy import lazy_names

__all__ = ["SimulationResult", "run_replication", "simulate"]
__getattr__, __dir__ = lazy_names(__name__, {name: "simulation.experiment.runner" for name in __all__})
