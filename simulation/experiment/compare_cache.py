"""compare's cache of measured replications, so a second question need not simulate the baseline again.

One entry per variant x replication: its tagged measures (``measures.tagged``), its payment rows and
its number of event rows, keyed by the variant's resolved scenario JSON, the seed, the replication and its block,
the measures asked and (for a variant without contracts, whose flow measures cover them) the pools.
The simulated scenario is not in the key: variants with the same flow key are measured on the same
log whichever of them is simulated (common random numbers). In memory the last entries up to
``MEMORY_BYTES`` are kept (least recently used first out); on disk (``compare(cache=folder)``) one
pickle per entry whose name also holds the code version (a hash of the package's source and the
numpy/pandas versions), written to a temporary file and renamed, so a reader never sees half a file.
Nothing here deletes a file it did not write; a stale or unreadable file is ignored. Read a cache
folder only if you trust it: the entries are pickles.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence, Union

from simulation._lazy import pandas as pd

from simulation.experiment.provenance import package_versions

MEMORY_BYTES = 256 * 2**20
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass
class Entry:
    measures: pd.DataFrame    # tagged measures of one replication
    payments: pd.DataFrame
    n_rows: int               # event rows of the replication (0: nothing happened)
    size: int = 0             # bytes, for the memory bound


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of every source file of the ``simulation`` package and of the numpy and pandas versions."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode())
        h.update(path.read_bytes())
    versions = package_versions()
    h.update(json.dumps([versions.get("numpy"), versions.get("pandas"), versions.get("python")]).encode())
    return h.hexdigest()[:16]


def variant_key(variant_json: str, seed: int, wanted: Sequence[str], pools: Optional[list], block) -> str:
    """The part of an entry's key that is the same for every replication of a variant's block."""
    payload = json.dumps([variant_json, seed, sorted(wanted), pools, list(block)], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class ReplicationCache:
    """The entries in memory (bounded) and, with ``folder``, on disk."""

    def __init__(self, memory: "OrderedDict[str, Entry]", limit: int, folder: Optional[Path] = None):
        self.memory, self.limit, self.folder = memory, limit, folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def _file(self, key: str) -> Path:
        return self.folder / f"compare-{code_version()}-{key}.pkl"

    def get(self, vkey: str, replication: int) -> Optional[Entry]:
        key = f"{vkey}-{replication}"
        entry = self.memory.get(key)
        if entry is not None:
            self.memory.move_to_end(key)
            return entry
        if self.folder is None:
            return None
        try:
            with open(self._file(key), "rb") as f:
                entry = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(entry, Entry):
            return None
        self._remember(key, entry)
        return entry

    def put(self, vkey: str, replication: int, entry: Entry) -> None:
        key = f"{vkey}-{replication}"
        entry.size = int(entry.measures.memory_usage(deep=True).sum() + entry.payments.memory_usage(deep=True).sum())
        self._remember(key, entry)
        if self.folder is not None:
            self._write(self._file(key), entry)

    def _remember(self, key: str, entry: Entry) -> None:
        self.memory[key] = entry
        self.memory.move_to_end(key)
        total = sum(e.size for e in self.memory.values())
        while total > self.limit and len(self.memory) > 1:
            _, old = self.memory.popitem(last=False)
            total -= old.size

    @staticmethod
    def _write(path: Path, entry: Entry) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".compare-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):   # our own temporary file
                os.unlink(tmp)
            raise


_MEMORY: "OrderedDict[str, Entry]" = OrderedDict()


def replication_cache(cache: Union[bool, str, Path, None]) -> Optional[ReplicationCache]:
    """The cache ``compare(cache=...)`` names: True the one in memory, a folder that one and the folder,
    False or None none."""
    if cache is None or cache is False:
        return None
    return ReplicationCache(_MEMORY, MEMORY_BYTES, None if cache is True else Path(cache))


def clear_memory() -> None:
    """Forget the entries kept in memory (not those on disk)."""
    _MEMORY.clear()
