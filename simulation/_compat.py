"""Old module paths keep working, with a DeprecationWarning that names the new place.

The package was reorganised into layers (config, core, funding, analysis, experiment, data,
report, cli; see docs/architecture.md). Code written against the old flat modules, e.g.
``from simulation.metrics import kpis``, still imports; the warning says where to import from.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types
import warnings

MOVED = {
    "simulation.scenario": "simulation.config.scenario",
    "simulation.distributions": "simulation.config.distributions",
    "simulation.streams": "simulation.core.streams",
    "simulation.draws": "simulation.core.draws",
    "simulation.events": "simulation.core.events",
    "simulation.model": "simulation.core.model",
    "simulation.cohort": "simulation.core.cohort",
    "simulation.metrics": "simulation.analysis.kpis",   # with the names of analysis.tables, see SPLIT
    "simulation.warmup": "simulation.experiment.warmup",   # welch; the pure parts are in analysis.warmup
    "simulation.sweep": "simulation.experiment.sweep",
    "simulation.executors": "simulation.experiment.executors",
    "simulation.store": "simulation.experiment.store",
    "simulation.funding.compare": "simulation.experiment.compare",
    "simulation.records": "simulation.data.records",
    "simulation.calibration": "simulation.data.calibration",
    "simulation.sweep_cli": "simulation.cli.sweep",
}

# old modules whose contents now live in several modules: the old name imports as the first,
# with the names it lacks looked up in the others
SPLIT = {"simulation.metrics": ("simulation.analysis.tables",)}


def _split_module(name: str, first: str, others: tuple[str, ...]) -> types.ModuleType:
    module = types.ModuleType(name, f"Old module path of {first} (and {', '.join(others)}).")
    primary = importlib.import_module(first)
    module.__dict__.update({k: v for k, v in vars(primary).items() if not k.startswith("__")})
    for other in others:
        module.__dict__.update({k: v for k, v in vars(importlib.import_module(other)).items()
                                if not k.startswith("_") and k not in module.__dict__})
    return module


class _MovedModules:
    """Imports an old module name as the module at its new place (the same module object).

    A meta path finder and loader by protocol (find_spec, create_module, exec_module); not a subclass of
    importlib.abc's, whose import costs every start-up a few milliseconds."""

    def find_spec(self, name, path=None, target=None):
        if name in MOVED:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} has moved to {new}; import it from there", DeprecationWarning, stacklevel=2)
        if spec.name in SPLIT:
            return _split_module(spec.name, new, SPLIT[spec.name])
        return importlib.import_module(new)

    def exec_module(self, module) -> None:
        """Nothing to run: the module at the new place is already imported."""


def install() -> None:
    if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
        sys.meta_path.insert(0, _MovedModules())
