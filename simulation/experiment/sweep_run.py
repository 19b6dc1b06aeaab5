"""One run of a sweep, on a worker: simulate one replication, compute its KPIs, store them.

A worker gets a ``RunTask`` (the resolved scenario as JSON, never a file path) and returns a
plain dict; ``execute_run`` never raises, a failed run comes back with its traceback.
"""
from __future__ import annotations

import datetime as dt
import resource
import socket
import sys
import time
import traceback
from dataclasses import dataclass

from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.config.scenario import Scenario
from simulation.experiment import runner, store


@dataclass
class RunTask:
    """What a worker gets: the resolved scenario as JSON, never a file path."""

    sweep: str
    scenario_name: str
    scenario_json: str
    scenario_hash: str
    seed: int
    replication: int
    out: str
    kpis_by: list[str]
    store_events: bool
    write: bool = True


_SCENARIO_CACHE: dict[str, Scenario] = {}


def _scenario_of(task: RunTask) -> Scenario:
    scenario = _SCENARIO_CACHE.get(task.scenario_hash)
    if scenario is None:
        if len(_SCENARIO_CACHE) > 16:
            _SCENARIO_CACHE.clear()
        scenario = _SCENARIO_CACHE[task.scenario_hash] = Scenario.model_validate_json(task.scenario_json)
    return scenario


def _plain(frame: pd.DataFrame, task: RunTask) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str)
    frame.insert(0, "scenario", task.scenario_name)
    frame.insert(0, "sweep", task.sweep)
    return frame


def execute_run(task: RunTask) -> dict:
    """Run one replication, compute its KPIs and (if ``task.write``) store it. Never raises."""
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = {"scenario": task.scenario_name, "replication": task.replication, "seed": task.seed,
               "host": socket.gethostname(), "status": "failed"}
    try:
        scenario = _scenario_of(task)
        # through the module, so a test can replace runner.run_replication
        events, state = runner.run_replication(scenario, task.seed, task.replication)
        reps = [task.replication]   # a replication in which nothing happened still has its KPI rows
        frames = {store.KPI_FILES["groep"]: _plain(kpis(events, scenario, by=task.kpis_by, replications=reps), task),
                  store.KPI_FILES["totaal"]: _plain(kpis(events, scenario, by=[], replications=reps), task)}
        if task.store_events:
            frames[store.EVENTS_FILE] = events
        wall = time.perf_counter() - started
        meta = {"sweep": task.sweep, "scenario": task.scenario_name, "replication": task.replication,
                "seed": task.seed, "spawn_key_prefix": [task.replication], "scenario_hash": task.scenario_hash,
                "events": len(events), "state_at_horizon": state, "wall_seconds": round(wall, 4),
                "cpu_seconds": round(time.process_time() - cpu_started, 4),
                "host": outcome["host"], "peak_rss_mb": _peak_rss_mb(),
                "finished": dt.datetime.now().isoformat(timespec="seconds")}
        if task.write:
            store.write_run_folder(store.run_dir(task.out, task.scenario_name, task.replication), frames, meta)
        else:
            outcome["frames"] = frames
        outcome.update(meta, status="ok")
    except Exception:  # noqa: BLE001 - a failed run is reported, the others go on
        outcome["traceback"] = traceback.format_exc()
        outcome["wall_seconds"] = round(time.perf_counter() - started, 4)
    return outcome


def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
