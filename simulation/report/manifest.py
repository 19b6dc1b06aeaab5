"""The report's manifest (``outputs/manifest.json``): what produced each page, so a reader can trust a rerun.

One entry per notebook: its parameters, the hashes of the files they name, the commit, when
and by which command it ran, and whether it succeeded. Every ``report`` run has one ``run`` id;
a notebook run on its own (``python -m simulation notebook 03``) with other parameters or
another commit gets its own, and the index then says it is mixed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from simulation._lazy import importlib_metadata as metadata
from pathlib import Path
from typing import Any, Optional

from simulation.experiment.provenance import git_commit

MANIFEST = "manifest.json"
DATA_SUFFIXES = (".yaml", ".yml", ".csv", ".parquet", ".xlsx", ".json")


def read_manifest(out_root: Path) -> dict[str, Any]:
    """The manifest beside index.html, or an empty one."""
    path = Path(out_root) / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"notebooks": {}}


def write_manifest(out_root: Path, manifest: dict[str, Any]) -> Path:
    path = Path(out_root) / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def command_line() -> str:
    """The command that is running, as a user typed it (``python -m simulation report ...``)."""
    argv = list(sys.argv)
    if argv and argv[0].endswith(("__main__.py", "simulation")):
        argv[0] = "python -m simulation"
    elif argv:
        argv[0] = Path(argv[0]).name
    return " ".join(argv)


def commit(root: Path) -> str:
    """``git rev-parse HEAD`` of the code (with '+dirty'), or 'unknown' outside git."""
    return git_commit(root) or "unknown"


def packages() -> list[str]:
    """Every installed distribution as ``name==version``, sorted (what ``pip freeze`` lists)."""
    names = {}
    for dist in metadata.distributions():
        n = dist.metadata.get("Name")
        if n:
            names[n.lower()] = f"{n}=={dist.version}"
    return [names[k] for k in sorted(names)]


def file_hashes(parameters: dict[str, Any], resolve) -> dict[str, str]:
    """sha256 of every input file a parameter names (a scenario, records, data), by the parameter's value."""
    out = {}
    for value in parameters.values():
        if isinstance(value, str) and value.endswith(DATA_SUFFIXES):
            path = resolve(value)
            if path.is_file():
                out[value] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def notebook_entry(parameters: dict[str, Any], root: Path, resolve, run: str, written_by: str) -> dict[str, Any]:
    """A notebook's manifest entry before it runs (status 'running')."""
    params = {k: v for k, v in parameters.items() if k != "out_dir"}
    return {"parameters": params, "files": file_hashes(params, resolve), "commit": commit(root), "run": run,
            "written_by": written_by, "started": now(), "status": "running"}


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def shared(manifest: dict[str, Any], key: str) -> Optional[Any]:
    """The value of parameter ``key`` if every notebook that has it uses the same one, else None."""
    values = {json.dumps(e["parameters"][key], default=str) for e in manifest.get("notebooks", {}).values()
              if e.get("parameters", {}).get(key) is not None}   # None: the notebook's own choice (08's scenario)
    return json.loads(values.pop()) if len(values) == 1 else None


def summary(manifest: dict[str, Any]) -> None:
    """Fill the report-level fields from the notebook entries: seed, replications, scenario and its hash."""
    entries = manifest.get("notebooks", {})
    manifest["seed"] = shared(manifest, "seed")
    manifest["replications"] = shared(manifest, "replications")
    scenario = shared(manifest, "scenario")
    manifest["scenario"] = None
    if scenario is not None:
        digest = next((e["files"].get(scenario) for e in entries.values() if scenario in e.get("files", {})), None)
        manifest["scenario"] = {"path": scenario, "sha256": digest or "unknown"}
    # notebooks that read their baseline from the stored run of outputs/runs/ (report/stored_run.py)
    manifest["reused_runs"] = {stem: e["baseline"]["run"] for stem, e in entries.items()
                               if (e.get("baseline") or {}).get("run")}
    runs = {e.get("run") for e in entries.values()}
    manifest["mixed"] = len(runs) > 1
    manifest["commits"] = sorted({e.get("commit", "unknown") for e in entries.values()})


def same_run(entry: Optional[dict[str, Any]], parameters: dict[str, Any], root: Path) -> bool:
    """Whether running with ``parameters`` now repeats ``entry`` (same parameters, same commit, same files)."""
    if not entry or entry.get("status") != "ok":
        return False
    params = {k: v for k, v in parameters.items() if k != "out_dir"}
    return (json.dumps(entry.get("parameters"), sort_keys=True, default=str) == json.dumps(params, sort_keys=True,
                                                                                             default=str)
            and entry.get("commit") == commit(root) and "+dirty" not in entry.get("commit", ""))


def provenance_line(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The provenance of one notebook as (label, value) pairs, for the page header and the 'bron' sheet."""
    p = entry.get("parameters", {})
    rows = [("Commit", entry.get("commit", "unknown"))]
    for key, label in (("scenario", "Scenario"), ("base_scenario", "Basisscenario"), ("records", "Registratie")):
        if p.get(key) is not None:
            digest = entry.get("files", {}).get(p[key])
            rows.append((label, f"{p[key]}" + (f" (sha256 {digest[:12]})" if digest else "")))
    for key, label in (("seed", "Seed"), ("replications", "Replicaties"), ("horizon_years", "Horizon (jaar)")):
        if key in p:
            rows.append((label, str(p[key])))
    base = entry.get("baseline")
    if base:
        rows.append(("Basisrun", f"uit de opgeslagen run {base['run']}" if base.get("run")
                     else f"opnieuw gesimuleerd ({base.get('reason', '')})"))
    rows.append(("Gemaakt", f"{entry.get('started', '')} met {entry.get('written_by', 'onbekend')}"))
    return rows
