"""Heavy third-party modules imported on first use, so ``import simulation`` and ``--help`` start fast.

``from simulation._lazy import pandas as pd`` gives a stand-in that imports pandas the first time an
attribute is read (``pd.DataFrame``) and then behaves as the module. pandas, scipy, pyarrow, papermill,
nbconvert, openpyxl and matplotlib together take about 1 s to import (more with papermill's schema
validators), and most commands and every ``--help`` need none of them (the smaller ones, tqdm, babel,
yaml, importlib.metadata, save a few milliseconds each); tests/unit/test_startup.py checks
that importing the package and printing the help load none of them. Type annotations name them freely:
every module that uses a stand-in has ``from __future__ import annotations``.
"""
from __future__ import annotations

import importlib
import types


class LazyModule(types.ModuleType):
    """A module imported on the first attribute read; each attribute read is then cached on the stand-in."""

    def __init__(self, name: str) -> None:
        super().__init__(name, f"Imported on first use: {name}")

    def __getattr__(self, attribute: str):
        if attribute.startswith("__") and attribute.endswith("__"):   # copy, pickle and inspect ask for dunders
            raise AttributeError(attribute)
        value = getattr(importlib.import_module(self.__name__), attribute)
        setattr(self, attribute, value)   # the next read is a plain attribute, as fast as the module's
        return value


pandas = LazyModule("pandas")
numexpr = LazyModule("numexpr")
threadpoolctl = LazyModule("threadpoolctl")
pyarrow = LazyModule("pyarrow")
pyarrow_parquet = LazyModule("pyarrow.parquet")
pyarrow_dataset = LazyModule("pyarrow.dataset")
scipy_special = LazyModule("scipy.special")
scipy_stats = LazyModule("scipy.stats")
openpyxl = LazyModule("openpyxl")
openpyxl_utils = LazyModule("openpyxl.utils")
openpyxl_exceptions = LazyModule("openpyxl.utils.exceptions")
papermill = LazyModule("papermill")
nbformat = LazyModule("nbformat")
nbconvert = LazyModule("nbconvert")
matplotlib_transforms = LazyModule("matplotlib.transforms")
matplotlib_ticker = LazyModule("matplotlib.ticker")
tqdm = LazyModule("tqdm")
babel_numbers = LazyModule("babel.numbers")
importlib_metadata = LazyModule("importlib.metadata")
yaml = LazyModule("yaml")
traitlets_config = LazyModule("traitlets.config")


def lazy_names(package: str, names: dict[str, str]):
    """``__getattr__`` and ``__dir__`` for ``package`` (PEP 562): each name of ``names`` is imported from the
    module it maps to on first use, then kept as a plain module attribute."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        namespace[name] = value   # the next read is a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
