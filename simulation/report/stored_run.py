"""A notebook's baseline from the stored run in ``outputs/runs/`` when it is the same run, else simulated.

``make run`` first writes ``python -m simulation run <scenario> --seed --replications --out
outputs/runs/<name>``, then runs the notebooks. A notebook that needs the plain baseline of its
scenario, seed and replications calls ``baseline(...)``: it reads the stored run when that run's
manifest names the same scenario file (sha256), seed, replications, start and horizon, its
resolved scenario equals the notebook's and it was made by the same commit; otherwise it
simulates. Either way the result is the same (same seed, same result: the stored events are the
events ``simulate`` returns, and the KPIs are computed from them as ``simulate`` does). What it did
is printed on the page and written to ``baseline.json`` in the notebook's output folder, from
which the report manifest records which notebooks reused a run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.config.scenario import Scenario, resolved_yaml
from simulation.experiment.outputs import file_sha256
from simulation.experiment.provenance import git_commit
from simulation.experiment.runner import SimulationResult, simulate
from simulation.report.notebooks import ROOT, output_dir, project_path

RUNS_DIR = "outputs/runs"
RECORD = "baseline.json"   # in the notebook's output folder; read by notebooks.run_notebook into the manifest


@dataclass
class Baseline:
    """The baseline result and where it came from: ``run`` (a stored run folder) or simulated (``reason``)."""

    result: SimulationResult
    run: Optional[str]
    reason: str = ""

    @property
    def reused(self) -> bool:
        return self.run is not None

    @property
    def sentence(self) -> str:
        """What the page says (Dutch)."""
        if self.reused:
            return (f"Basisrun: uit de opgeslagen run {self.run} (zelfde scenariobestand, seed, replicaties, "
                    "horizon en commit als deze pagina), niet opnieuw gesimuleerd.")
        return f"Basisrun: opnieuw gesimuleerd ({self.reason})."

    def record(self) -> dict:
        return {"source": "opgeslagen run" if self.reused else "opnieuw gesimuleerd", "run": self.run,
                "reason": self.reason}


def _shown(path: Path) -> str:
    """A path as the page shows it: relative to the project when it lies in it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def mismatch(folder: Path, scenario_file: Path, sc: Scenario, seed: int, replications: int) -> Optional[str]:
    """Why the stored run in ``folder`` is not this baseline (Dutch, for the page), or None when it is."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return f"{_shown(folder)} heeft geen leesbaar manifest.json"
    stored_file = manifest.get("scenario_file") or {}
    checks = (
        (stored_file.get("sha256") == file_sha256(scenario_file), "een ander scenariobestand (sha256)"),
        (manifest.get("seed") == seed, f"seed {manifest.get('seed')}, deze pagina {seed}"),
        (manifest.get("replications") == replications,
         f"{manifest.get('replications')} replicaties, deze pagina {replications}"),
        (manifest.get("start_date") == str(sc.start_date) and manifest.get("horizon_days") == sc.horizon_days,
         f"horizon {manifest.get('horizon_days')} dagen vanaf {manifest.get('start_date')}, deze pagina "
         f"{sc.horizon_days} dagen vanaf {sc.start_date}"),
        (manifest.get("git_commit") == git_commit(ROOT), "een andere commit van de code"),
        (_read(folder / "scenario.yaml") == resolved_yaml(sc), "een ander uitgewerkt scenario (--set)"),
        ((folder / "events.parquet").is_file(), "geen events.parquet"),
    )
    wrong = next((why for ok, why in checks if not ok), None)
    return None if wrong is None else f"de opgeslagen run {_shown(folder)} heeft {wrong}"


def _read(path: Path) -> Optional[str]:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def find_stored_run(scenario_file: Path, sc: Scenario, seed: int, replications: int,
                    runs: str | Path = RUNS_DIR) -> tuple[Optional[Path], str]:
    """The first run folder under ``runs`` that is this baseline, or None and why not (Dutch)."""
    root = project_path(runs)
    folders = sorted(p.parent for p in root.glob("*/manifest.json")) if root.is_dir() else []
    if not folders:
        return None, f"geen opgeslagen run in {_shown(root)}"
    # the folder make run writes for this scenario file first, so its reason is the one shown
    folders.sort(key=lambda f: f.name != Path(scenario_file).stem)
    reasons = []
    for folder in folders:
        why = mismatch(folder, scenario_file, sc, seed, replications)
        if why is None:
            return folder, ""
        reasons.append(why)
    return None, reasons[0]


def load_stored(folder: Path, sc: Scenario, seed: int, replications: int) -> SimulationResult:
    """The stored run as ``simulate`` returns it: its events, the KPIs computed from them, the horizon state."""
    events = pd.read_parquet(folder / "events.parquet")
    # Parquet has no unit of seconds: the log's whole-day dates (datetime64[s], core/events.py) come back in ms
    for col in events.columns:
        if pd.api.types.is_datetime64_dtype(events[col]):
            events[col] = events[col].astype("datetime64[s]")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return SimulationResult(sc, seed, replications, events, kpis(events, sc, replications=replications),
                            list(manifest.get("state_at_horizon") or []))


def baseline(scenario_file: str | Path, sc: Scenario, seed: int, replications: int, out_dir=None,
             workers: int = 1, runs: str | Path = RUNS_DIR) -> Baseline:
    """The notebook's baseline: the stored run when it is the same (see ``mismatch``), else ``simulate``.

    ``sc`` is the scenario as the notebook loaded it (with its horizon). Writes ``baseline.json`` into
    ``out_dir`` (when given) for the report manifest.
    """
    path = project_path(scenario_file)
    folder, reason = find_stored_run(path, sc, seed, replications, runs)
    if folder is not None:
        out = Baseline(load_stored(folder, sc, seed, replications), _shown(folder))
    else:
        out = Baseline(simulate(sc, seed=seed, replications=replications, workers=workers), None, reason)
    if out_dir is not None:
        (output_dir(out_dir) / RECORD).write_text(json.dumps(out.record(), ensure_ascii=False, indent=2),
                                                  encoding="utf-8")
    return out
