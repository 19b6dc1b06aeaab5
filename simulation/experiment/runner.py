"""Replications: run a scenario with one seed, in one process or several, same result."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from simulation._lazy import pandas as pd
from simulation._lazy import tqdm   # not tqdm.auto: in a kernel without ipywidgets it warns on import (TqdmWarning)

from simulation.core import events as ev
from simulation.analysis.kpis import kpis
from simulation.core.model import Model
from simulation.experiment.executors import ProcessExecutor, SequentialExecutor
from simulation.experiment.size import check_size
from simulation.funding.flow import FlowRules
from simulation.config.scenario import Scenario, load_scenario, scenario_from_dict


class NothingHappened(UserWarning):
    """A run without events or without instroom: its KPI table holds only zeros (or only the start caseload)."""


@dataclass
class SimulationResult:
    """What ``simulate`` returns: the event log, the KPIs and facts about the run."""

    scenario: Scenario
    seed: int
    replications: int
    events: pd.DataFrame
    kpis: pd.DataFrame
    state_at_horizon: list[dict[str, int]] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """Warnings about the run as a whole, e.g. that nothing happened in it (printed by the CLI)."""
        return activity_notes(self.scenario, self.events)

    @property
    def warmup_description(self) -> str:
        w = self.scenario.warmup
        start = "a steady-state initial caseload" if w.initial_caseload else "an empty system"
        return f"warm-up of {w.days:g} days from {start}, discarded; log starts at {self.scenario.start_date}"


def activity_notes(scenario: Scenario, events: pd.DataFrame) -> list[str]:
    """Sentences for a run in which nothing (or nothing new) happens: no events, or no instroom."""
    return activity_notes_of(scenario, len(events))


def activity_notes_of(scenario: Scenario, n_events: int) -> list[str]:
    """``activity_notes`` of a run whose log has ``n_events`` rows."""
    no_instroom = all(scenario.instroom_per_year(m, s) == 0 for s in scenario.segments for m in scenario.municipalities)
    if n_events == 0:
        why = "de instroom is 0 in elk segment en elke gemeente" if no_instroom else "er kwam geen cliënt in de horizon"
        return [f"er gebeurde niets: het gebeurtenissenlog is leeg ({why}); elke KPI-telling is 0"]
    if no_instroom:
        return ["de instroom is 0 in elk segment en elke gemeente: geen nieuwe cliënten, alleen de caseload bij de start"]
    return []


def build_model(scenario: Scenario, seed: int, replication: int, private_clocks: bool = True) -> Model:
    """The engine for one replication, with the funding contracts' flow effects plugged in."""
    return Model(scenario, seed, replication, private_clocks=private_clocks, flow=FlowRules.build)


def run_replication(scenario: Scenario, seed: int, replication: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """One replication: the event log as a DataFrame and the model's own state count at the horizon."""
    model = build_model(scenario, seed, replication)
    rows = model.run()
    frame = ev.to_frame(rows, replication, scenario.start_date, model.labels())
    return frame, model.state_at_horizon()


def _run_one(args: tuple[str, int, int]) -> tuple[pd.DataFrame, dict[str, int]]:
    scenario_json, seed, replication = args
    return run_replication(Scenario.model_validate_json(scenario_json), seed, replication)


def run_replications(scenario: Scenario, seed: int, replications: int, workers: int = 1,
                     progress: bool = False, executor=None) -> list[tuple[pd.DataFrame, dict[str, int]]]:
    """Replications 0..replications-1 in order: in this process, in ``workers`` processes, or on an open
    ``executor`` (executors.py; kept warm by the caller between runs, e.g. the app).

    Replication r always uses the streams of (seed, r), so the result does not depend on ``workers``.
    """
    bar = {"total": replications, "desc": scenario.name, "unit": "rep", "disable": not progress}
    if executor is not None:
        payload = scenario.model_dump_json()
        return list(tqdm.tqdm(executor.map(_run_one, [(payload, seed, r) for r in range(replications)]), **bar))
    if workers > 1 and replications > 1:
        payload = scenario.model_dump_json()   # workers get the resolved scenario, never a file path
        with ProcessExecutor(min(workers, replications)) as pool:
            return list(tqdm.tqdm(pool.map(_run_one, [(payload, seed, r) for r in range(replications)]), **bar))
    executor = SequentialExecutor()
    return list(tqdm.tqdm(executor.map(lambda r: run_replication(scenario, seed, r), range(replications)), **bar))


def simulate(scenario: Union[Scenario, str, dict], seed: int = 1, replications: int = 1,
             overrides: Optional[dict[str, Any]] = None, workers: int = 1,
             progress: bool = False, executor=None, force_size: bool = False) -> SimulationResult:
    """Run ``replications`` replications of a scenario (a Scenario, a YAML path or a dict).

    Replication r always uses the streams of (seed, r): the result is identical for any
    ``workers`` or ``executor`` (an open executor from executors.py, which the caller keeps and closes).
    Returns the event log and the KPIs (see ``analysis.kpis.kpis``).
    Before running, the run's memory is estimated (experiment/size.py): a run that would not fit
    the machine's available memory raises ``size.RunTooLarge`` (with the estimate and what to
    change), unless ``force_size``. A run in which nothing happens warns (``NothingHappened``).
    """
    if isinstance(scenario, dict):
        scenario = scenario_from_dict(scenario, overrides=overrides)
    elif not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides)
    elif overrides:
        scenario = scenario_from_dict(scenario.model_dump(mode="json"), source=scenario.name, overrides=overrides)
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if not force_size:
        check_size(scenario, replications, workers)
    results = run_replications(scenario, seed, replications, workers, progress, executor)
    events = pd.concat([frame for frame, _ in results], ignore_index=True)
    for note in activity_notes(scenario, events):
        warnings.warn(note, NothingHappened, stacklevel=2)
    return SimulationResult(scenario, seed, replications, events, kpis(events, scenario, replications=replications),
                            [state for _, state in results])
