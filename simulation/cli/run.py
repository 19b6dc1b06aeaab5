"""``run``: simulate a scenario and write events.parquet, kpis.csv, scenario.yaml and manifest.json."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from simulation.cli._options import scenario_overrides
from simulation.cli._provenance import _versions, git_commit
from simulation.config.scenario import load_scenario, resolved_yaml
from simulation.experiment.runner import simulate

NAME = "run"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        NAME, help="run a scenario and write events.parquet, kpis.csv, scenario.yaml, manifest.json")
    parser.add_argument("scenario", help="scenario YAML, e.g. params/noord-limburg.yaml")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="processes; the result does not depend on it")
    parser.add_argument("--out", type=Path, help="output folder (default outputs/runs/<scenario name>)")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE",
                        help="override a field, e.g. --set horizon_years=2 (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args) -> int:
    scenario = load_scenario(args.scenario, overrides=scenario_overrides(args.set))
    start = time.perf_counter()
    result = simulate(scenario, seed=args.seed, replications=args.replications, workers=args.workers,
                      progress=not args.quiet)
    wall = time.perf_counter() - start
    out = args.out or Path("outputs") / "runs" / scenario.name
    write_run(result, Path(out), wall, sys.argv)
    print(f"{scenario.name}: {args.replications} replication(s), {len(result.events):,} events in {wall:.1f} s; "
          f"{result.warmup_description}")
    print(f"written to {out}/ (events.parquet, kpis.csv, scenario.yaml, manifest.json)")
    return 0


def write_run(result, out: Path, wall_seconds: float, command: list[str]) -> Path:
    """Write a run's files to a temporary folder next to ``out`` and move it into place when complete."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        result.events.to_parquet(tmp / "events.parquet", index=False)
        result.kpis.to_csv(tmp / "kpis.csv", index=False)
        (tmp / "scenario.yaml").write_text(resolved_yaml(result.scenario), encoding="utf-8")
        manifest = {
            "scenario": result.scenario.name,
            "seed": result.seed,
            "replications": result.replications,
            "warmup": result.warmup_description,
            "start_date": str(result.scenario.start_date),
            "horizon_days": result.scenario.horizon_days,
            "events": len(result.events),
            "state_at_horizon": result.state_at_horizon,
            "wall_seconds": round(wall_seconds, 3),
            "git_commit": git_commit(),
            "versions": _versions(),
            "command": command,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
