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

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import socket
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

from simulation._lazy import pandas as pd
from simulation._lazy import pyarrow_dataset as ds

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
            raise OutputFolderError(f"{target}: bestaat en is geen map; kies een andere uitvoermap (--out)")
        if not ((target / MARKER).exists() or (written_by_tool is not None and written_by_tool(target))):
            raise OutputFolderError(
                f"{target}: de map bestaat en is niet door dit programma geschreven (er staat geen {MARKER} in); er is "
                "niets verwijderd. Kies een nieuwe of lege uitvoermap (--out), of verwijder deze zelf")
    check_writable(target.resolve().parent, shown=target)


def check_writable(folder: PathLike, shown: Optional[PathLike] = None) -> None:
    """Raise OutputFolderError unless files can be made in ``folder`` (or, while it does not exist yet, in the
    nearest folder above it that does); ``shown`` is the path the message names (default ``folder``)."""
    folder = Path(folder).resolve()
    shown = folder if shown is None else shown
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputFolderError(f"{shown}: {probe} is een bestand, geen map; kies een ander uitvoerpad")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputFolderError(f"{shown}: kan niet schrijven in {probe} (geen toestemming, permission denied); kies een uitvoermap "
                                "waarin u mag schrijven (--out)")


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
    tmp = _make_temp_folder(target.parent, prefix or f".{target.name}.")
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


def _make_temp_folder(parent: Path, prefix: str) -> Path:
    """A new folder ``prefix`` + 8 random characters; unlike tempfile.mkdtemp (always 0700) it gets the mode
    the user's umask gives (0755 for the usual 022), so colleagues and a web server can read the output."""
    while True:
        path = parent / (prefix + os.urandom(4).hex())
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:
            continue


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


# -- one writer per output folder, and the leftovers of a killed one ---------------------------------

def lock_path(target: PathLike) -> Path:
    """The lock file of an output folder: ``.<name>.lock`` beside it."""
    target = Path(target)
    if target.name in ("", ".", ".."):
        target = target.resolve()
    return target.parent / f".{target.name}.lock"


@contextmanager
def folder_lock(target: PathLike) -> Iterator[Path]:
    """Hold the exclusive right to write ``target`` while the block runs.

    The lock is an ``fcntl.flock`` on ``.<name>.lock`` beside the folder, so it ends with the process
    even when that is killed; the file names the holder (pid, host, start). A second writer gets an
    OutputFolderError naming the folder and the process that holds it.
    """
    target = Path(target)
    path = lock_path(target)
    check_writable(path.parent, shown=target)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 1000).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputFolderError(f"{target}: een ander proces schrijft in deze map ({holder}); wacht tot het "
                                    "klaar is of kies een andere uitvoermap (--out)") from None
        if _same_file(fd, path):
            break
        os.close(fd)            # the holder removed the file as it finished; lock the new one
    started = dt.datetime.now().isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, started {started}".encode())
    try:
        yield path
    finally:
        try:
            if _same_file(fd, path):
                os.unlink(path)
        finally:
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def remove_stale_temp_folders(target: PathLike) -> list[Path]:
    """Delete the hidden temporary folders a killed writer of ``target`` left beside it; returns them.

    Only folders the tool made are touched: named ``.<name>.`` + 8 random characters (as ``atomic_folder``
    names them) and holding MARKER, or still empty. Call it while holding ``folder_lock(target)``, so no
    live writer of ``target`` owns one of them.
    """
    target = Path(target)
    pattern = re.compile(re.escape(f".{target.name}.") + r"[0-9a-z_]{8}")
    removed = []
    if not target.parent.is_dir():
        return removed
    for path in target.parent.iterdir():
        if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink() and (
                (path / MARKER).is_file() or not any(path.iterdir())):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
