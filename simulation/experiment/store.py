"""The results store of a sweep: one Parquet partition per run, written atomically.

Layout of a sweep folder (``outputs/sweeps/<name>/``)::

    manifest.json                       sweep file, root seed, versions, every run's seed and parameters
    scenarios/<scenario>.yaml           each resolved scenario (the parameters a run used)
    runs/scenario=<s>/replication=<r>/  one folder per run (hive-style partitions; <s> is URI-encoded)
        kpis.parquet                    KPIs per year x municipality x segment x provider
        kpis_totaal.parquet             KPIs per year for the whole region
        events.parquet                  the event log (optional: ``store_events: false``)
        run.json                        scenario, seed, replication, hash of the resolved scenario, timing
    summary.csv                         mean, sd and confidence interval per scenario x year x KPI (region)
    failures/<scenario>__r<r>.txt       traceback of every failed run

A run folder is written under a hidden temporary name and renamed into place
when all its files are complete, so a run is complete exactly when its folder
exists and holds ``run.json`` (written last). Anything else (a leftover
temporary folder from a killed run) is incomplete and is rerun.

Every KPI file carries the columns ``sweep``, ``scenario`` and ``replication``,
so the files can be read without the folder names; ``load_kpis`` reads only
KPI files, never event logs.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

import pandas as pd
import pyarrow.dataset as ds

RUNS = "runs"
RUN_META = "run.json"
KPI_FILES = {"groep": "kpis.parquet", "totaal": "kpis_totaal.parquet"}
EVENTS_FILE = "events.parquet"

PathLike = Union[str, Path]


def partition(scenario: str) -> str:
    """Folder name of a scenario's partition (URI-encoded, as pyarrow's and DuckDB's hive readers expect)."""
    return "scenario=" + urllib.parse.quote(scenario, safe="+-_.,@")


def run_dir(root: PathLike, scenario: str, replication: int) -> Path:
    return Path(root) / RUNS / partition(scenario) / f"replication={int(replication)}"


def read_run_meta(folder: PathLike) -> Optional[dict]:
    """The run's metadata when the run folder is complete, else None."""
    path = Path(folder) / RUN_META
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def is_complete(folder: PathLike, scenario_hash: Optional[str] = None) -> bool:
    """True when the run folder holds a finished run (of the same resolved scenario and seed, if given)."""
    meta = read_run_meta(folder)
    if meta is None:
        return False
    return scenario_hash is None or meta.get("scenario_hash") == scenario_hash


MARKER = ".written-by-simulation"   # in every folder the tool writes whole; only such folders are replaced


class OutputFolderError(ValueError):
    """An output folder the tool may not write or replace."""


def check_replaceable(target: PathLike, written_by_tool: Optional[Callable[[Path], bool]] = None) -> None:
    """Raise OutputFolderError unless ``target`` is absent or a folder the tool wrote, and its parent is writable.

    The tool wrote a folder when it holds MARKER (or ``written_by_tool(folder)`` says so, for folders
    written before the marker existed). A folder with anything else in it is never deleted.
    """
    target = Path(target)
    if target.exists():
        if not target.is_dir():
            raise OutputFolderError(f"{target}: exists and is not a folder; choose another output folder (--out)")
        if not ((target / MARKER).exists() or (written_by_tool is not None and written_by_tool(target))):
            raise OutputFolderError(
                f"{target}: the folder exists and was not written by this tool (it has no {MARKER}); nothing was "
                "deleted. Choose a new or empty output folder (--out), or remove this one yourself")
    parent = target.resolve().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputFolderError(f"{target}: cannot write in {probe}; choose an output folder you may write (--out)")


@contextmanager
def atomic_folder(target: PathLike, prefix: Optional[str] = None,
                  keep_existing: Optional[Callable[[Path], bool]] = None,
                  written_by_tool: Optional[Callable[[Path], bool]] = None) -> Iterator[Path]:
    """Yield a hidden temporary folder next to ``target``; on success move it into place as ``target``.

    The folder gets MARKER. An existing ``target`` is replaced only when the tool wrote it
    (``check_replaceable``, checked before anything is written), unless ``keep_existing(target)``
    says it is to be kept (then, when the move fails because ``target`` is there, the new copy is
    dropped). On any error the temporary folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    if keep_existing is None or not (target.exists() and keep_existing(target)):
        check_replaceable(target, written_by_tool)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=prefix or f".{target.name}.", dir=target.parent))
    try:
        (tmp / MARKER).write_text("written by the simulation package; the folder may be replaced by a new run\n",
                                  encoding="utf-8")
        yield tmp
        if target.exists() and not (keep_existing is not None and keep_existing(target)):
            check_replaceable(target, written_by_tool)   # it may have changed while the work ran
            shutil.rmtree(target)
        try:
            os.replace(tmp, target)
        except OSError:
            if keep_existing is None or not keep_existing(target):
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run_folder(folder: PathLike, frames: dict[str, pd.DataFrame], meta: dict) -> Path:
    """Write ``frames`` (file name -> DataFrame) and ``run.json`` into ``folder`` atomically.

    The files go to a hidden temporary folder next to ``folder`` first; the rename into
    place is the commit. An existing (stale or incomplete) folder is replaced. If another
    worker finished the same run first (a retried task), its folder is kept: runs are
    deterministic, so both copies are the same.
    """
    folder = Path(folder)
    # a run folder of a sweep lies where only the sweep writes (runs/scenario=.../replication=N); an
    # incomplete one is a leftover of a killed run
    with atomic_folder(folder, prefix=f".tmp-{folder.name}-",
                       keep_existing=lambda f: is_complete(f, meta.get("scenario_hash")),
                       written_by_tool=lambda f: True) as tmp:
        for name, frame in frames.items():
            frame.to_parquet(tmp / name, index=False)
        (tmp / RUN_META).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return folder


def remove_leftovers(root: PathLike) -> int:
    """Delete temporary folders of runs that never finished (e.g. a killed worker); returns how many."""
    runs = Path(root) / RUNS
    if not runs.exists():
        return 0
    count = 0
    for tmp in runs.glob("scenario=*/.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
        count += 1
    return count


def _sweep_roots(root: Path) -> list[Path]:
    """``root`` itself when it is a sweep folder, else every sweep folder directly under it."""
    if (root / RUNS).is_dir():
        return [root]
    return sorted(p for p in root.iterdir() if (p / RUNS).is_dir()) if root.is_dir() else []


def complete_runs(root: PathLike, scenarios: Optional[Iterable[str]] = None) -> list[Path]:
    """Folders of all complete runs under a sweep folder or a folder of sweeps (of ``scenarios`` only)."""
    out = []
    for sweep in _sweep_roots(Path(root)):
        parts = ([sweep / RUNS / partition(s) for s in scenarios] if scenarios is not None
                 else sorted((sweep / RUNS).glob("scenario=*")))
        for part in parts:
            for folder in sorted(part.glob("replication=*")):
                if (folder / RUN_META).is_file():
                    out.append(folder)
    return out


def load_kpis(root: PathLike, level: str = "totaal", scenarios: Optional[Iterable[str]] = None,
              columns: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """KPIs of every complete run under ``root`` (a sweep folder or a folder of sweeps).

    ``level``: "totaal" (per year, whole region) or "groep" (per year x municipality x
    segment x provider). ``scenarios`` limits the scenarios read; ``columns`` the columns
    (the keys sweep, scenario, replication and year are always included). Reads only the
    small KPI files, in parallel, with pyarrow.
    """
    if level not in KPI_FILES:
        raise ValueError(f"level must be one of {sorted(KPI_FILES)}, got {level!r}")
    wanted = sorted(set(scenarios)) if scenarios is not None else None
    files = [str(f / KPI_FILES[level]) for f in complete_runs(root, wanted)]
    if not files:
        return pd.DataFrame()
    dataset = ds.dataset(files, format="parquet")
    cols = None
    if columns is not None:
        keys = [c for c in ("sweep", "scenario", "replication", "year", "municipality", "segment", "provider")
                if c in dataset.schema.names]
        cols = keys + [c for c in columns if c not in keys]
    frame = dataset.to_table(columns=cols).to_pandas()
    return frame.sort_values([c for c in ("sweep", "scenario", "replication", "year") if c in frame],
                             kind="stable", ignore_index=True)


def load_runs(root: PathLike) -> pd.DataFrame:
    """One row per complete run: scenario, replication, seed, scenario hash, timing, worker."""
    rows = []
    for folder in complete_runs(root):
        meta = read_run_meta(folder) or {}
        rows.append({k: v for k, v in meta.items() if not isinstance(v, (dict, list))} | {"folder": str(folder)})
    return pd.DataFrame(rows)


def load_events(root: PathLike, scenario: str, replication: int) -> pd.DataFrame:
    """The event log of one run (when the sweep stored event logs)."""
    path = run_dir(root, scenario, replication) / EVENTS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: no event log stored for scenario {scenario!r} replication "
                                f"{replication} (was the run completed, with store_events: true?)")
    return pd.read_parquet(path)
