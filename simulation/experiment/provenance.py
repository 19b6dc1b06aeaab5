"""Where a result came from: the git commit of the code and the versions of the packages.

Written into every run folder's and sweep's manifest (and the report's), so a result can be
traced back to the code that computed it.
"""
from __future__ import annotations

import platform
import subprocess
from simulation._lazy import importlib_metadata as metadata
from pathlib import Path
from typing import Iterable, Optional

DISTRIBUTION = "jeugd-wmo-simulatie"   # pyproject [project] name; the import package is `simulation`
PACKAGES = (DISTRIBUTION, "simpy", "numpy", "pandas", "pyarrow", "pydantic", "scipy", "PyYAML")
SWEEP_PACKAGES = ("tqdm", "dask", "distributed")


def package_versions(extra: Iterable[str] = ()) -> dict[str, str]:
    """Python's version and that of every package in PACKAGES and ``extra`` ("not installed" if absent)."""
    out = {"python": platform.python_version()}
    for name in (*PACKAGES, *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(path: Optional[Path] = None) -> Optional[str]:
    """The commit of the working tree the package runs from (with '+dirty' when changed), or None."""
    where = path or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None
