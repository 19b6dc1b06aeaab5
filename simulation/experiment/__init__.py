"""Running scenarios: replications, variant comparisons, sweeps, executors, the results store.

The names below are imported from ``runner`` on first use (PEP 562, as in ``simulation/__init__.py``),
so importing a light module of this package (``store``, ``size``) does not import the engine.
"""
import importlib

__all__ = ["SimulationResult", "run_replication", "simulate"]


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module 'simulation.experiment' has no attribute {name!r}")
    value = getattr(importlib.import_module("simulation.experiment.runner"), name)
    globals()[name] = value
    return value
