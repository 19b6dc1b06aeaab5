"""The output folder of ``python -m simulation run``: events, KPIs, the resolved scenario, a manifest."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

from simulation.analysis.kpis import kpis
from simulation.config.scenario import resolved_yaml
from simulation.experiment.provenance import git_commit, package_versions
from simulation.experiment.store import MARKER, atomic_folder, check_replaceable

RUN_FILES = {"events.parquet", "kpis.csv", "kpis_kwartaal.csv", "scenario.yaml", "manifest.json", MARKER}


def earlier_run(folder: Path) -> bool:
    """A run folder written before the marker existed: only the files ``write_run`` writes, a manifest among them."""
    names = {p.name for p in folder.iterdir()}
    return "manifest.json" in names and names <= RUN_FILES


def check_run_folder(out: Path) -> None:
    """Raise store.OutputFolderError unless ``out`` may receive a run (call it before simulating)."""
    check_replaceable(out, earlier_run)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_run(result, out: Path, wall_seconds: float, command: list[str], quarterly: bool = False,
              scenario_file: Optional[Path] = None) -> Path:
    """Write a run's files to a temporary folder next to ``out`` and move it into place when complete.

    ``quarterly``: also kpis_kwartaal.csv, the KPIs per quarter (``kpis(period="quarter")``).
    ``scenario_file``: the YAML the scenario was read from; its path and sha256 go into the manifest, so a
    notebook can tell whether the stored run is the baseline it needs (report/stored_run.py)."""
    out = Path(out)
    with atomic_folder(out, written_by_tool=earlier_run) as tmp:
        result.events.to_parquet(tmp / "events.parquet", index=False)
        result.kpis.to_csv(tmp / "kpis.csv", index=False)
        if quarterly:
            kpis(result.events, result.scenario, period="quarter").to_csv(tmp / "kpis_kwartaal.csv", index=False)
        (tmp / "scenario.yaml").write_text(resolved_yaml(result.scenario), encoding="utf-8")
        manifest = {
            "scenario": result.scenario.name,
            "scenario_file": ({"path": str(scenario_file), "sha256": file_sha256(scenario_file)}
                              if scenario_file is not None else None),
            "seed": result.seed,
            "replications": result.replications,
            "warmup": result.warmup_description,
            "start_date": str(result.scenario.start_date),
            "horizon_days": result.scenario.horizon_days,
            "events": len(result.events),
            "state_at_horizon": result.state_at_horizon,
            "wall_seconds": round(wall_seconds, 3),
            "git_commit": git_commit(),
            "versions": package_versions(),
            "command": command,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return out
