"""Sweeps: a base scenario x variants x a grid of overrides x replications, run anywhere, stored as Parquet.

A sweep file (YAML) names a base scenario, the variants and grid of overrides to
apply to it, one root seed, and either a fixed number of replications or a
target relative half-width of the 95% confidence interval (the sequential
procedure: replications are added in batches until the target or a maximum is
reached). See docs/sweeps.md.

Reproducibility: replication r of every scenario in the sweep runs
``run_replication(scenario, seed, r)`` with the sweep's root seed, so its
random streams are spawned from SeedSequence(seed, spawn_key=(r, purpose,
names)): every scenario sees the same clients in replication r (common random
numbers), and the results do not depend on the executor, the number of workers
or the order in which runs finish.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import math
import resource
import socket
import sys
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional, Sequence, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from simulation.experiment import store
from simulation.experiment.provenance import SWEEP_PACKAGES, git_commit, package_versions
from simulation.analysis.kpis import GROUP, KPI_COLUMNS
from simulation.config.scenario import FieldProblem, Scenario, ScenarioError, _Model, format_validation_error, scenario_from_dict

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$"
BASELINE = "basis"


class SweepError(ScenarioError):
    """A sweep file or sweep call that cannot be used; the message says where and how to fix it."""


# -- the sweep file ------------------------------------------------------------------------------

class Variant(_Model):
    name: str = Field(pattern=NAME_PATTERN, description="short name used in output folders and tables")
    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict, description="overrides {path.to.field: value}")


class Precision(_Model):
    """Sequential procedure: add replications until every KPI's CI is narrow enough, or ``max`` is reached."""

    kpis: list[str] = Field(min_length=1, description="regional KPIs (per year) whose CI must be narrow enough")
    relative_half_width: float = Field(gt=0, lt=1, description="target half-width / |mean|, e.g. 0.05")
    initial: int = Field(5, ge=2, description="replications before the first check")
    batch: int = Field(5, ge=1, description="replications added per round")
    max: int = Field(50, ge=2, description="stop here even when the target is not reached")

    @field_validator("kpis")
    @classmethod
    def _known(cls, v):
        unknown = [k for k in v if k not in KPI_COLUMNS]
        if unknown:
            raise FieldProblem("", f"unknown KPI; use one of {list(KPI_COLUMNS)}", unknown)
        return v

    @model_validator(mode="after")
    def _max_at_least_initial(self):
        if self.max < self.initial:
            raise FieldProblem("max", f"max must be >= initial ({self.initial})", self.max)
        return self


class SweepFile(_Model):
    name: str = Field(pattern=NAME_PATTERN, description="the sweep's name (output folder)")
    description: str = ""
    base: Optional[str] = Field(None, description="base scenario YAML, relative to the sweep file")
    scenario: Optional[dict[str, Any]] = Field(None, description="the base scenario written inline instead")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides applied to every scenario")
    variants: list[Variant] = Field(default_factory=list, description="named variants; none: the base only")
    grid: dict[str, list[Any]] = Field(default_factory=dict,
                                       description="override path -> values; every combination is run")
    seed: int = Field(ge=0, description="root seed of the sweep")
    replications: Optional[int] = Field(None, ge=1, description="fixed number of replications per scenario")
    precision: Optional[Precision] = None
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    kpis_by: list[Literal["municipality", "segment", "provider"]] = Field(
        default_factory=lambda: list(GROUP), description="grouping of the stored kpis.parquet")
    store_events: bool = Field(True, description="also store each run's event log")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.base is None) == (self.scenario is None):
            raise FieldProblem("base", "give exactly one of base (a scenario file) or scenario (inline)", self.base)
        if (self.replications is None) == (self.precision is None):
            raise FieldProblem("replications", "give exactly one of replications (a number) or precision "
                               "(a target half-width)", self.replications)
        names = [v.name for v in self.variants]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FieldProblem("variants", "variant names must be unique", dupes)
        for key, values in self.grid.items():
            if not values:
                raise FieldProblem(f"grid.{key}", "a grid entry needs at least one value", values)
        return self


def _format_sweep_error(exc: ValidationError, source: str) -> str:
    text = format_validation_error(exc, source)
    return (text.replace("problem(s) in the scenario", "problem(s) in the sweep file")
            .replace("see params/schema.json", "see docs/sweeps.md"))


def load_sweep(path: Union[str, Path]) -> SweepFile:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"{path}: not valid YAML: {exc}") from None
    return sweep_from_dict(raw, source=str(path))


def sweep_from_dict(raw: Any, source: str = "<dict>") -> SweepFile:
    if not isinstance(raw, dict):
        raise SweepError(f"{source}: expected a mapping of sweep fields at the top level")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise SweepError(_format_sweep_error(exc, source)) from None


# -- scenarios and runs --------------------------------------------------------------------------

@dataclass
class ScenarioSpec:
    """One scenario of the sweep: its name, overrides and the resolved scenario (or why it is invalid)."""

    name: str
    overrides: dict[str, Any]
    scenario: Optional[Scenario] = None
    error: Optional[str] = None
    json: Optional[str] = None
    hash: Optional[str] = None


def _value_label(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return urllib.parse.quote(str(text), safe="+-_.,@")[:40]


def scenario_specs(sweep: SweepFile, base_dir: Path, source: str) -> list[ScenarioSpec]:
    """Every variant x grid combination, resolved against the base scenario (errors kept per scenario)."""
    if sweep.base is not None:
        base_path = Path(sweep.base)
        base_path = base_path if base_path.is_absolute() else base_dir / base_path
        try:
            raw = yaml.safe_load(base_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SweepError(f"{source}: base: scenario file {base_path} not found; the path is relative "
                             "to the sweep file") from None
        except yaml.YAMLError as exc:
            raise SweepError(f"{base_path}: not valid YAML: {exc}") from None
        base_source = str(base_path)
    else:
        raw, base_source = sweep.scenario, f"{source} (scenario)"
    if not isinstance(raw, dict):
        raise SweepError(f"{base_source}: expected a mapping of scenario fields at the top level")

    variants = sweep.variants or [Variant(name=BASELINE)]
    keys = list(sweep.grid)
    short = [k.rsplit(".", 1)[-1] for k in keys]
    labels = short if len(set(short)) == len(short) else keys
    specs, seen = [], set()
    for variant in variants:
        for combo in itertools.product(*(sweep.grid[k] for k in keys)):
            name = "+".join([variant.name] + [f"{lab}={_value_label(v)}" for lab, v in zip(labels, combo)])
            if name in seen:
                raise SweepError(f"{source}: two scenarios get the name {name!r}; make grid values or "
                                 "variant names distinct")
            seen.add(name)
            overrides = {**sweep.set, **variant.set, **dict(zip(keys, combo))}
            spec = ScenarioSpec(name, overrides)
            try:
                data = dict(copy.deepcopy(raw))
                data["name"] = f"{data.get('name', 'scenario')}.{name}"
                spec.scenario = scenario_from_dict(data, source=f"{source} (scenario {name})", overrides=overrides)
                spec.json = spec.scenario.model_dump_json()
                key = json.dumps([spec.json, sweep.seed, sweep.kpis_by, sweep.store_events])
                spec.hash = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
            except ScenarioError as exc:
                spec.error = str(exc)
            specs.append(spec)
    return specs


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
    from simulation.experiment.runner import run_replication
    from simulation.analysis.kpis import kpis

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = {"scenario": task.scenario_name, "replication": task.replication, "seed": task.seed,
               "host": socket.gethostname(), "status": "failed"}
    try:
        scenario = _scenario_of(task)
        events, state = run_replication(scenario, task.seed, task.replication)
        frames = {store.KPI_FILES["groep"]: _plain(kpis(events, scenario, by=task.kpis_by), task),
                  store.KPI_FILES["totaal"]: _plain(kpis(events, scenario, by=[]), task)}
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


# -- statistics ----------------------------------------------------------------------------------

def summarise_long(kpi: pd.DataFrame, keys: Sequence[str] = ("scenario", "year"),
                   columns: Sequence[str] = KPI_COLUMNS, level: float = 0.95) -> pd.DataFrame:
    """Per ``keys`` x KPI: replications n, mean, sd, Student-t CI and its (relative) half-width."""
    from scipy import stats

    keys = [k for k in keys if k in kpi.columns]
    columns = [c for c in columns if c in kpi.columns]
    long = kpi.melt(id_vars=keys, value_vars=columns, var_name="kpi", value_name="value").dropna(subset=["value"])
    g = long.groupby(keys + ["kpi"], observed=True, sort=False)["value"]
    out = pd.DataFrame({"n": g.count(), "gem": g.mean(), "sd": g.std(ddof=1)}).reset_index()
    t = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    out["halve_breedte"] = np.where(out["n"] > 1, t * out["sd"] / np.sqrt(out["n"]), np.nan)
    out["ci_laag"] = out["gem"] - out["halve_breedte"]
    out["ci_hoog"] = out["gem"] + out["halve_breedte"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = out["halve_breedte"] / out["gem"].abs()
    out["rel_halve_breedte"] = np.where((out["halve_breedte"] == 0), 0.0, rel)
    order = {c: i for i, c in enumerate(columns)}
    out = out.sort_values(keys + ["kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s, ignore_index=True)
    return out[keys + ["kpi", "n", "gem", "sd", "ci_laag", "ci_hoog", "halve_breedte", "rel_halve_breedte"]]


def precision_reached(kpi_totaal: pd.DataFrame, precision: Precision, level: float = 0.95) -> tuple[bool, float]:
    """Whether every requested KPI in every year has relative half-width <= the target; and the worst one.

    A KPI-year with no values at all (e.g. recidive_365 in the last year) is ignored.
    """
    summary = summarise_long(kpi_totaal, keys=("year",), columns=precision.kpis, level=level)
    if summary.empty:
        return False, math.inf
    rel = summary["rel_halve_breedte"].fillna(math.inf).replace(-math.inf, math.inf)
    worst = float(rel.max())
    return worst <= precision.relative_half_width, worst


def paired_differences(kpi: pd.DataFrame, baseline: str, columns: Sequence[str] = KPI_COLUMNS,
                       keys: Sequence[str] = ("year",), level: float = 0.95) -> pd.DataFrame:
    """Scenario minus ``baseline`` per replication (common random numbers), summarised with a t-interval."""
    keys = [k for k in keys if k in kpi.columns]
    columns = [c for c in columns if c in kpi.columns]
    idx = ["replication"] + keys
    base = kpi[kpi["scenario"] == baseline].set_index(idx)[columns]
    if base.empty:
        raise ValueError(f"no runs of baseline scenario {baseline!r}")
    parts = []
    for name, frame in kpi[kpi["scenario"] != baseline].groupby("scenario", observed=True, sort=False):
        diff = frame.set_index(idx)[columns] - base
        parts.append(diff.dropna(how="all").reset_index().assign(scenario=name))
    if not parts:
        return pd.DataFrame()
    diffs = pd.concat(parts, ignore_index=True)
    out = summarise_long(diffs, keys=["scenario"] + keys, columns=columns, level=level)
    return out.rename(columns={"gem": "verschil_gem"}).assign(basis=baseline)


# -- running a sweep -----------------------------------------------------------------------------

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


def _failure_file(out: Path, scenario: str, replication: int) -> Path:
    return out / "failures" / f"{urllib.parse.quote(scenario, safe='+-_.,@=')}__r{replication}.txt"


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
    from tqdm.auto import tqdm

    from simulation.experiment.executors import make_executor

    started = time.perf_counter()
    if isinstance(sweep, (str, Path)):
        source, base_dir = str(sweep), Path(base_dir) if base_dir else Path(sweep).resolve().parent
        spec = load_sweep(sweep)
    else:
        source = "<sweep>"
        spec = sweep if isinstance(sweep, SweepFile) else sweep_from_dict(sweep, source)
        base_dir = Path(base_dir) if base_dir else Path.cwd()
    out = Path(out) if out else Path("outputs") / "sweeps" / spec.name
    specs = scenario_specs(spec, base_dir, source)
    out.mkdir(parents=True, exist_ok=True)
    store.remove_leftovers(out)
    (out / "scenarios").mkdir(exist_ok=True)
    for s in specs:
        if s.scenario is not None:
            text = yaml.safe_dump(s.scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
            (out / "scenarios" / f"{urllib.parse.quote(s.name, safe='+-_.,@=')}.yaml").write_text(text, "utf-8")

    owns_executor = isinstance(executor, str)
    if write_on is None:
        write_on = "client" if (executor == "dask" and scheduler) else "worker"
    if write_on not in ("worker", "client"):
        raise SweepError(f"write_on must be 'worker' or 'client', got {write_on!r}")

    manifest = {
        "sweep": spec.name, "source": source, "definition": spec.model_dump(mode="json"),
        "seed": spec.seed, "seeding": "run_replication(scenario, seed, r): numpy SeedSequence(entropy=seed, "
        "spawn_key=(r, purpose, names...)); replication r of every scenario sees the same clients",
        "git_commit": git_commit(), "versions": package_versions(SWEEP_PACKAGES), "started": dt.datetime.now().isoformat(timespec="seconds"),
        "status": "running",
        "scenarios": {s.name: {"overrides": s.overrides, "scenario_hash": s.hash, "error": s.error,
                               "resolved": f"scenarios/{urllib.parse.quote(s.name, safe='+-_.,@=')}.yaml"
                               if s.scenario is not None else None} for s in specs},
    }
    _write_json(out / "manifest.json", manifest)

    target = {s.name: (spec.replications or spec.precision.initial) for s in specs}
    active = {s.name for s in specs}
    reason: dict[str, str] = {}
    failures: list[dict] = []
    failed_runs: set[tuple[str, int]] = set()
    handled: set[tuple[str, int]] = set()     # runs already run, skipped or failed in this call
    done = skipped = 0
    by_name = {s.name: s for s in specs}
    worst: dict[str, float] = {}

    for s in specs:
        if s.error is not None:
            print(f"INVALID scenario={s.name} seed={spec.seed}: all its runs fail:\n{s.error}", file=sys.stderr)
    ex = make_executor(executor, workers, scheduler) if owns_executor else executor
    bar = tqdm(total=0, unit="run", desc=spec.name, disable=not progress, dynamic_ncols=True)
    try:
        while active:
            tasks = []
            for name in sorted(active):
                s = by_name[name]
                for r in range(target[name]):
                    if (name, r) in failed_runs or (name, r) in handled:
                        continue
                    handled.add((name, r))
                    if s.error is not None:
                        failure = {"scenario": name, "replication": r, "seed": spec.seed,
                                   "traceback": f"ScenarioError: {s.error}"}
                        failures.append(failure)
                        failed_runs.add((name, r))
                        continue
                    if store.is_complete(store.run_dir(out, name, r), s.hash):
                        skipped += 1
                        continue
                    tasks.append(RunTask(spec.name, name, s.json, s.hash, spec.seed, r, str(out),
                                         list(spec.kpis_by), spec.store_events, write_on == "worker"))
            bar.total += len(tasks)
            bar.refresh()
            for task, result, error in ex.map_unordered(execute_run, tasks):
                if error is not None:
                    result = {"scenario": task.scenario_name, "replication": task.replication, "seed": task.seed,
                              "status": "failed", "traceback": error}
                if result["status"] == "ok":
                    frames = result.pop("frames", None)
                    if frames is not None:
                        meta = {k: v for k, v in result.items() if k != "status"}
                        store.write_run_folder(store.run_dir(out, task.scenario_name, task.replication),
                                               frames, meta)
                    _failure_file(out, task.scenario_name, task.replication).unlink(missing_ok=True)
                    done += 1
                else:
                    failure = {k: result.get(k) for k in ("scenario", "replication", "seed", "traceback")}
                    failures.append(failure)
                    failed_runs.add((task.scenario_name, task.replication))
                    _report_failure(out, failure, bar)
                bar.set_postfix(done=done, failed=len(failed_runs), skipped=skipped, refresh=False)
                bar.update(1)
            # decide, per scenario, whether more replications are needed
            for name in sorted(active):
                if by_name[name].error is not None or any(f[0] == name for f in failed_runs):
                    reason[name] = "failed runs"
                    active.discard(name)
                elif spec.precision is None:
                    reason[name] = f"fixed: {target[name]} replications"
                    active.discard(name)
                else:
                    kpi = store.load_kpis(out, "totaal", scenarios=[name], columns=spec.precision.kpis)
                    kpi = kpi[kpi["replication"] < target[name]]
                    met, worst[name] = precision_reached(kpi, spec.precision, spec.level)
                    if met:
                        reason[name] = (f"target reached: relative half-width {worst[name]:.4f} <= "
                                        f"{spec.precision.relative_half_width} with {target[name]} replications")
                        active.discard(name)
                    elif target[name] >= spec.precision.max:
                        reason[name] = (f"maximum of {spec.precision.max} replications reached; relative half-width "
                                        f"{worst[name]:.4f} > target {spec.precision.relative_half_width}")
                        active.discard(name)
                    else:
                        target[name] = min(target[name] + spec.precision.batch, spec.precision.max)
    finally:
        bar.close()
        if owns_executor:
            ex.close()

    for f in failures:
        if f["traceback"].startswith("ScenarioError"):
            _report_failure(out, f, None, quiet=True)
    replications = {name: target[name] for name in target}
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
        executor=ex.describe(), write_on=write_on,
        runs={"done_now": done, "skipped_complete": skipped, "failed": len(failures)},
        replications=replications, stop_reason=reason,
        failures=[{k: f[k] for k in ("scenario", "replication", "seed")} |
                  {"error": f["traceback"].strip().splitlines()[-1],
                   "traceback_file": str(_failure_file(out, f["scenario"], f["replication"]).relative_to(out))}
                  for f in failures],
        run_list=[{"scenario": n, "replication": r, "seed": spec.seed, "scenario_hash": by_name[n].hash,
                   "folder": str(store.run_dir(out, n, r).relative_to(out)),
                   "status": "failed" if (n, r) in failed_runs else "complete"}
                  for n in replications for r in range(replications[n])],
    )
    _write_json(out / "manifest.json", manifest)
    return SweepResult(out, spec, summary, replications, reason, done, skipped, failures, wall, ex.describe())


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
