"""Sweeps: a base scenario x variants x a grid of overrides x replications, run anywhere, stored as Parquet.

A sweep file (YAML, ``sweep_file.py``) names a base scenario, the variants and grid of
overrides to apply to it (``design.py``), one root seed, and either a fixed number of
replications or a target relative half-width of the 95% confidence interval (the sequential
procedure: replications are added in batches until the target or a maximum is reached). Each
run executes on a worker (``sweep_run.py``) and is stored by ``store.py``. See docs/sweeps.md.

Reproducibility: replication r of every scenario in the sweep runs
``run_replication(scenario, seed, r)`` with the sweep's root seed, so its
random streams are spawned from SeedSequence(seed, spawn_key=(r, purpose,
names)): every scenario sees the same clients in replication r (common random
numbers), and the results do not depend on the executor, the number of workers
or the order in which runs finish.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from simulation._lazy import pandas as pd
from simulation._lazy import yaml
from simulation._lazy import tqdm   # not tqdm.auto: in a kernel without ipywidgets it warns on import (TqdmWarning)

from simulation.analysis import stats
from simulation.analysis.kpis import KPI_COLUMNS
from simulation.analysis.kpi_registry import kpi_bounds
from simulation.analysis.stats import precision_reached
from simulation.experiment import store
from simulation.experiment.design import ScenarioSpec, scenario_specs
from simulation.experiment.executors import make_executor
from simulation.experiment.provenance import SWEEP_PACKAGES, git_commit, package_versions
from simulation.experiment.sweep_file import (BASELINE, NAME_PATTERN, Precision, SweepError, SweepFile, Variant,
                                              load_sweep, sweep_from_dict)
from simulation.experiment.sweep_run import RunTask, execute_run

__all__ = ["BASELINE", "NAME_PATTERN", "Precision", "RunTask", "ScenarioSpec", "SweepError", "SweepFile",
           "SweepResult", "Variant", "execute_run", "load_sweep", "paired_differences", "precision_reached",
           "run_sweep", "scenario_specs", "summarise_long", "sweep_from_dict"]


def summarise_long(kpi: pd.DataFrame, keys: Sequence[str] = ("scenario", "year"),
                   columns: Sequence[str] = KPI_COLUMNS, level: float = 0.95) -> pd.DataFrame:
    """Per ``keys`` x KPI: replications n, mean, sd, Student-t CI (kept in the KPI's possible range,
    ``stats.bounded_interval``) and its (relative) half-width."""
    return stats.summarise_long(kpi, keys, columns, level, bounds=kpi_bounds(columns))


def paired_differences(kpi: pd.DataFrame, baseline: str, columns: Sequence[str] = KPI_COLUMNS,
                       keys: Sequence[str] = ("year",), level: float = 0.95) -> pd.DataFrame:
    """Scenario minus ``baseline`` per replication (common random numbers), summarised with a t-interval."""
    return stats.paired_differences(kpi, baseline, columns, keys, level)


@dataclass
class SweepResult:
    out: Path
    sweep: SweepFile
    summary: pd.DataFrame
    replications: dict[str, int]
    stop_reason: dict[str, str]
    done: int = 0
    skipped: int = 0
    failures: list[dict] = field(default_factory=list)
    wall_seconds: float = 0.0
    executor: str = ""

    def kpis(self, level: str = "totaal") -> pd.DataFrame:
        """The stored KPIs of this sweep's scenarios (the replications the sweep settled on)."""
        frame = store.load_kpis(self.out, level=level, scenarios=list(self.replications))
        if frame.empty:
            return frame
        keep = frame["replication"] < frame["scenario"].map(self.replications)
        return frame[keep].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        return not self.failures


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def _quoted(name: str) -> str:
    return urllib.parse.quote(name, safe="+-_.,@=")


def _failure_file(out: Path, scenario: str, replication: int) -> Path:
    return out / "failures" / f"{_quoted(scenario)}__r{replication}.txt"


def _report_failure(out: Path, failure: dict, bar, quiet: bool = False) -> None:
    path = _failure_file(out, failure["scenario"], failure["replication"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"scenario: {failure['scenario']}\nreplication: {failure['replication']}\n"
                    f"seed: {failure['seed']}\n\n{failure['traceback']}", encoding="utf-8")
    if quiet:
        return
    last = failure["traceback"].strip().splitlines()[-1]
    message = (f"FAILED scenario={failure['scenario']} replication={failure['replication']} "
               f"seed={failure['seed']}: {last} (traceback: {path})")
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr)


def _resolve(sweep, base_dir) -> tuple[SweepFile, str, Path]:
    """The sweep file, its source label and the folder its base path is relative to."""
    if isinstance(sweep, (str, Path)):
        return load_sweep(sweep), str(sweep), Path(base_dir) if base_dir else Path(sweep).resolve().parent
    source = "<sweep>"
    spec = sweep if isinstance(sweep, SweepFile) else sweep_from_dict(sweep, source)
    return spec, source, Path(base_dir) if base_dir else Path.cwd()


def _start_folder(out: Path, spec: SweepFile, source: str, specs: list[ScenarioSpec]) -> dict:
    """Create the sweep folder, drop leftovers of killed runs, write the resolved scenarios and the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    store.remove_leftovers(out)
    (out / "scenarios").mkdir(exist_ok=True)
    for s in specs:
        if s.scenario is not None:
            text = yaml.safe_dump(s.scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
            (out / "scenarios" / f"{_quoted(s.name)}.yaml").write_text(text, "utf-8")
    manifest = {
        "sweep": spec.name, "source": source, "definition": spec.model_dump(mode="json"),
        "seed": spec.seed, "seeding": "run_replication(scenario, seed, r): numpy SeedSequence(entropy=seed, "
        "spawn_key=(r, purpose, names...)); replication r of every scenario sees the same clients",
        "git_commit": git_commit(), "versions": package_versions(SWEEP_PACKAGES),
        "started": dt.datetime.now().isoformat(timespec="seconds"), "status": "running",
        "scenarios": {s.name: {"overrides": s.overrides, "scenario_hash": s.hash, "error": s.error,
                               "resolved": f"scenarios/{_quoted(s.name)}.yaml" if s.scenario is not None else None}
                      for s in specs},
    }
    _write_json(out / "manifest.json", manifest)
    for s in specs:
        if s.error is not None:
            print(f"INVALID scenario={s.name} seed={spec.seed}: all its runs fail:\n{s.error}", file=sys.stderr)
    return manifest


class _Progress:
    """The state of a sweep between rounds: how many replications each scenario gets, what ran, what failed."""

    def __init__(self, spec: SweepFile, specs: list[ScenarioSpec], out: Path, write_on: str):
        self.spec, self.out, self.write_on = spec, out, write_on
        self.by_name = {s.name: s for s in specs}
        self.target = {s.name: (spec.replications or spec.precision.initial) for s in specs}
        self.active = {s.name for s in specs}
        self.reason: dict[str, str] = {}
        self.failures: list[dict] = []
        self.failed_runs: set[tuple[str, int]] = set()
        self.handled: set[tuple[str, int]] = set()     # runs already run, skipped or failed in this call
        self.done = self.skipped = 0

    def tasks(self) -> list[RunTask]:
        """The runs of this round: every replication below the target not yet handled, not complete on disk."""
        spec, tasks = self.spec, []
        for name in sorted(self.active):
            s = self.by_name[name]
            for r in range(self.target[name]):
                if (name, r) in self.failed_runs or (name, r) in self.handled:
                    continue
                self.handled.add((name, r))
                if s.error is not None:
                    self.failures.append({"scenario": name, "replication": r, "seed": spec.seed,
                                          "traceback": f"ScenarioError: {s.error}"})
                    self.failed_runs.add((name, r))
                elif store.is_complete(store.run_dir(self.out, name, r), s.hash):
                    self.skipped += 1
                else:
                    tasks.append(RunTask(spec.name, name, s.json, s.hash, spec.seed, r, str(self.out),
                                         list(spec.kpis_by), spec.store_events, self.write_on == "worker"))
        return tasks

    def record(self, task: RunTask, result: Optional[dict], error: Optional[str], bar) -> None:
        """Store (when the client writes) or report one finished run."""
        if error is not None:
            result = {"scenario": task.scenario_name, "replication": task.replication, "seed": task.seed,
                      "status": "failed", "traceback": error}
        if result["status"] == "ok":
            frames = result.pop("frames", None)
            if frames is not None:
                meta = {k: v for k, v in result.items() if k != "status"}
                store.write_run_folder(store.run_dir(self.out, task.scenario_name, task.replication), frames, meta)
            _failure_file(self.out, task.scenario_name, task.replication).unlink(missing_ok=True)
            self.done += 1
        else:
            failure = {k: result.get(k) for k in ("scenario", "replication", "seed", "traceback")}
            self.failures.append(failure)
            self.failed_runs.add((task.scenario_name, task.replication))
            _report_failure(self.out, failure, bar)

    def decide(self) -> None:
        """Per active scenario: stop (failed, fixed count, target or maximum reached) or add a batch."""
        spec, precision = self.spec, self.spec.precision
        for name in sorted(self.active):
            if self.by_name[name].error is not None or any(f[0] == name for f in self.failed_runs):
                self.reason[name] = "failed runs"
            elif precision is None:
                self.reason[name] = f"fixed: {self.target[name]} replications"
            else:
                kpi = store.load_kpis(self.out, "totaal", scenarios=[name], columns=precision.kpis)
                kpi = kpi[kpi["replication"] < self.target[name]]
                met, worst = precision_reached(kpi, precision, spec.level)
                if met:
                    self.reason[name] = (f"target reached: relative half-width {worst:.4f} <= "
                                         f"{precision.relative_half_width} with {self.target[name]} replications")
                elif self.target[name] >= precision.max:
                    self.reason[name] = (f"maximum of {precision.max} replications reached; relative half-width "
                                         f"{worst:.4f} > target {precision.relative_half_width}")
                else:
                    self.target[name] = min(self.target[name] + precision.batch, precision.max)
                    continue
            self.active.discard(name)


def _run_rounds(progress: _Progress, ex, show: bool) -> None:
    """Run rounds of tasks until no scenario needs more replications."""
    bar = tqdm.tqdm(total=0, unit="run", desc=progress.spec.name, disable=not show, dynamic_ncols=True)
    try:
        while progress.active:
            tasks = progress.tasks()
            bar.total += len(tasks)
            bar.refresh()
            for task, result, error in ex.map_unordered(execute_run, tasks):
                progress.record(task, result, error, bar)
                bar.set_postfix(done=progress.done, failed=len(progress.failed_runs), skipped=progress.skipped,
                                refresh=False)
                bar.update(1)
            progress.decide()
    finally:
        bar.close()


def _finish(progress: _Progress, manifest: dict, started: float, executor: str) -> SweepResult:
    """Write the failure files of invalid scenarios, summary.csv and the final manifest."""
    out, spec, failures, by_name = progress.out, progress.spec, progress.failures, progress.by_name
    for f in failures:
        if f["traceback"].startswith("ScenarioError"):
            _report_failure(out, f, None, quiet=True)
    replications = dict(progress.target)
    ok_names = [n for n in replications if by_name[n].error is None]
    kpi = store.load_kpis(out, "totaal", scenarios=ok_names)
    if not kpi.empty:
        kpi = kpi[kpi["replication"] < kpi["scenario"].map(replications)]
    summary = summarise_long(kpi, level=spec.level) if not kpi.empty else pd.DataFrame()
    if not summary.empty:
        summary.to_csv(out / "summary.csv", index=False)
    wall = time.perf_counter() - started
    manifest.update(
        status="complete" if not failures else "complete with failed runs",
        finished=dt.datetime.now().isoformat(timespec="seconds"), wall_seconds=round(wall, 2),
        executor=executor, write_on=progress.write_on,
        runs={"done_now": progress.done, "skipped_complete": progress.skipped, "failed": len(failures)},
        replications=replications, stop_reason=progress.reason,
        failures=[{k: f[k] for k in ("scenario", "replication", "seed")} |
                  {"error": f["traceback"].strip().splitlines()[-1],
                   "traceback_file": str(_failure_file(out, f["scenario"], f["replication"]).relative_to(out))}
                  for f in failures],
        run_list=[{"scenario": n, "replication": r, "seed": spec.seed, "scenario_hash": by_name[n].hash,
                   "folder": str(store.run_dir(out, n, r).relative_to(out)),
                   "status": "failed" if (n, r) in progress.failed_runs else "complete"}
                  for n in replications for r in range(replications[n])],
    )
    _write_json(out / "manifest.json", manifest)
    return SweepResult(out, spec, summary, replications, progress.reason, progress.done, progress.skipped,
                       failures, wall, executor)


def run_sweep(sweep: Union[str, Path, dict, SweepFile], out: Union[str, Path, None] = None,
              executor: Union[str, Any] = "processes", workers: Optional[int] = None,
              scheduler: Optional[str] = None, write_on: Optional[str] = None, progress: bool = True,
              base_dir: Union[str, Path, None] = None) -> SweepResult:
    """Run a sweep (a sweep YAML path, a dict or a SweepFile) and return its summary.

    ``executor``: "sequential", "processes" (``workers`` processes, default all cores), "dask"
    (a client at ``scheduler``, or a LocalCluster of ``workers`` processes), or an executor
    object from ``simulation.experiment.executors``. ``write_on``: "worker" (the workers write the
    Parquet files; needs a shared file system) or "client" (results come back and this
    process writes them); default "client" with a remote scheduler, else "worker".
    Completed runs already in ``out`` are skipped; failed runs are reported, not raised.
    """
    started = time.perf_counter()
    spec, source, base_dir = _resolve(sweep, base_dir)
    out = Path(out) if out else Path("outputs") / "sweeps" / spec.name
    specs = scenario_specs(spec, base_dir, source)
    if write_on is None:
        write_on = "client" if (executor == "dask" and scheduler) else "worker"
    if write_on not in ("worker", "client"):
        raise SweepError(f"write_on must be 'worker' or 'client', got {write_on!r}")
    manifest = _start_folder(out, spec, source, specs)
    state = _Progress(spec, specs, out, write_on)
    owns_executor = isinstance(executor, str)
    ex = make_executor(executor, workers, scheduler) if owns_executor else executor
    try:
        _run_rounds(state, ex, progress)
    finally:
        if owns_executor:
            ex.close()
    return _finish(state, manifest, started, ex.describe())
