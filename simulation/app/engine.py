"""Answers to what-if questions: the baseline and the what-if scenario on common random numbers.

A question simulates only the part of the region it needs (``part.needed_part``: the chosen
municipality x segment, the segments that send it clients, and what shares a pool or a regional
contract with it); the rest of the region is the same in both runs, and the part's rows are the
full run's (tests/functional/test_app_part.py). An ``Engine`` keeps what does not change between
questions: the parsed scenario files, the scoped and validated baseline and its measures (per
scope, horizon, replications and seed), and a warm process pool whose workers keep the scenarios
they validated and their steady state. A later question then simulates only the what-if, and only
its event logs (no KPI table; only the rows of the clients seen in the question's segment,
``counted_clients``). The measures are ``experiment.compare.measures`` (spend, clients,
wait, bezetting, ...) plus the wait p90 and the wachtlijst at year end from ``analysis.kpis``, of
the chosen segment only (its contracts' care); intervals are ``compare.summarise`` (Student t on
the per-replication paired differences).
"""
from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.config.scenario import Scenario, read_yaml, resolved_yaml, scenario_from_dict
from simulation.config.sources import ASSUMPTION_RE
from simulation.experiment.compare import MEASURES, behaviour_assumptions, measures, summarise
from simulation.core import events as ev
from simulation.experiment.executors import ProcessExecutor, SequentialExecutor
from simulation.experiment.runner import build_model
from simulation.experiment.size import check_size
from simulation.app.question import ALL, Question, check, scope

KPI_EXTRA = ("wacht_dagen_p90", "wachtlijst_eind")
COLUMNS = MEASURES + KPI_EXTRA
BASIS, WHATIF = "basis", "wat-als"


@dataclass
class Answer:
    """What a question gives: the field errors (then nothing ran), or the tables and the scenario."""

    errors: dict[str, str] = field(default_factory=dict)
    per_replication: Optional[pd.DataFrame] = None   # variant, replication, municipality, year, COLUMNS
    summary: Optional[pd.DataFrame] = None           # compare.summarise over COLUMNS
    assumptions: Optional[pd.DataFrame] = None       # parameter, value, source
    notes: list[str] = field(default_factory=list)
    scenario: Optional[Scenario] = None              # the what-if scenario, resolved
    question: Optional[Question] = None
    seconds: float = 0.0

    def scenario_yaml(self) -> str:
        """The what-if scenario as YAML that ``python -m simulation run`` reproduces the answer from."""
        q = self.question
        head = (f"# Wat-als-scenario uit de app (gemeente {q.municipality}, segment {q.segment}).\n"
                f"# Reproduceer: python -m simulation run <dit bestand> --seed {q.seed} "
                f"--replications {q.replications}\n"
                + (f"# De maten van de app tellen alleen segment {q.segment}: "
                   f"engine.measure_frame(scenario, events, {q.segment!r}).\n" if q.segment != ALL else ""))
        return head + resolved_yaml(self.scenario)


def only_segment(scenario: Scenario, segment: str) -> tuple[Scenario, set]:
    """The scenario with only the contracts of ``segment`` (the measures then cover that segment's care), and the
    segment's pools (municipality, provider, segment) for a scenario without contracts."""
    pools = {(m, p, segment) for m in scenario.municipalities for p in scenario.providers_for(m, segment)}
    if scenario.funding is None:
        return scenario, pools
    contracts = [c for c in scenario.funding.contracts if c.segment == segment]
    return scenario.model_copy(update={"funding": scenario.funding.model_copy(update={"contracts": contracts})}), pools


def measure_frame(scenario: Scenario, events: pd.DataFrame, segment: str = ALL) -> pd.DataFrame:
    """Per replication x municipality x year: compare's MEASURES and the KPIs wait p90 and wachtlijst, of the care in
    ``segment`` (a segment's clients sent to another segment are simulated there but not counted) or of all care."""
    if segment == ALL:
        m, _ = measures(scenario, events)
        k = kpis(events, scenario, by=["municipality"])
    else:
        restricted, pools = only_segment(scenario, segment)
        m, _ = measures(restricted, events, pools=pools)
        k = kpis(events, scenario, by=["municipality", "segment"])
        k = k[k["segment"].astype(str) == segment]
    k = k[["replication", "year", "municipality", *KPI_EXTRA]]
    k = k.assign(municipality=k["municipality"].astype(str))
    m = m.assign(municipality=m["municipality"].astype(str))
    return m.merge(k, on=["replication", "municipality", "year"], how="left")


def scenario_assumptions(raw_text: str) -> pd.DataFrame:
    """The lines of a scenario file that carry an 'assumption:'/'aanname:' label (field and reasoning)."""
    rows = []
    for line in raw_text.splitlines():
        code, _, comment = line.partition("#")
        if ASSUMPTION_RE.search(comment) and code.strip():
            rows.append({"parameter": code.strip().rstrip(",")[:120], "value": "", "source": comment.strip()})
    return pd.DataFrame(rows, columns=["parameter", "value", "source"])


_SCENARIOS: dict[str, Scenario] = {}   # in a worker: the last scenarios it validated, by their JSON


def counted_clients(frame: pd.DataFrame, segment: str = ALL) -> pd.DataFrame:
    """The rows of one replication's log whose client has a row in ``segment``: ``measure_frame`` of that
    segment reads nothing else (its contracts, pools and KPI groups are the segment's). The whole log
    for ``ALL`` or when no client has a row there (the replication keeps its rows then)."""
    if segment == ALL:
        return frame
    clients = frame["client"].to_numpy()
    mine = clients[(frame["segment"] == segment).to_numpy()]
    if not len(mine):
        return frame
    return frame[np.isin(clients, np.unique(mine))].reset_index(drop=True)


def replication_log(task: tuple) -> pd.DataFrame:
    """One replication's event log (``runner.run_replication`` without the state count), in a worker of
    the pool: a scenario sent again (the baseline and the what-if of each question) is validated once.
    ``task``: (scenario JSON, seed, replication[, segment]); with a segment only ``counted_clients``
    (a segment that others feed, e.g. S1 from S4, would otherwise send the feeders' rows back too)."""
    payload, seed, replication, *segment = task
    scenario = _SCENARIOS.get(payload)
    if scenario is None:
        if len(_SCENARIOS) >= 4:
            _SCENARIOS.pop(next(iter(_SCENARIOS)))
        scenario = _SCENARIOS[payload] = Scenario.model_validate_json(payload)
    model = build_model(scenario, seed, replication)
    frame = ev.to_frame(model.run(), replication, scenario.start_date, model.labels())
    return counted_clients(frame, *segment)


class Engine:
    """The scenario files under ``params``, a warm pool of ``workers`` processes and the cached baselines."""

    def __init__(self, params: Path = Path("params"), workers: int = 2):
        self.params = Path(params)
        self._executor = ProcessExecutor(workers) if workers > 1 else SequentialExecutor()
        self._raw: dict[str, tuple[dict, str]] = {}
        self._scoped: dict[tuple, tuple[dict, Scenario, list[str]]] = {}
        self._bases: dict[tuple, tuple[dict, Scenario, pd.DataFrame, list[str]]] = {}
        self._lock = threading.Lock()   # one question at a time: the pool is shared

    def scenarios(self) -> list[str]:
        """The region scenarios: params/*.yaml."""
        return sorted(p.name for p in self.params.glob("*.yaml"))

    def raw(self, name: str) -> tuple[dict, str]:
        """The parsed scenario file and its text (cached)."""
        if name not in self.scenarios():
            raise ValueError(f"unknown scenario {name!r}; choose one of {self.scenarios()}")
        if name not in self._raw:
            path = self.params / name
            self._raw[name] = (read_yaml(path), path.read_text(encoding="utf-8"))
        return self._raw[name]

    def base(self, q: Question) -> tuple[dict, Scenario, list[str]]:
        """The scoped scenario (dict and validated) for the question's scope and horizon (cached: the scope
        builds the full scenario's engine tables once to find the part the question needs)."""
        key = (q.scenario, q.municipality, q.segment, q.horizon_years)
        if key not in self._scoped:
            raw, _ = self.raw(q.scenario)
            scoped, notes = scope(raw, q.municipality, q.segment)
            scoped = dict(scoped, horizon_years=q.horizon_years)
            self._scoped[key] = (scoped, scenario_from_dict(scoped, source=q.scenario), notes)
        return self._scoped[key]

    def baseline(self, q: Question) -> tuple[dict, Scenario, pd.DataFrame, list[str]]:
        """The baseline's measures per replication, simulated once per scope, horizon, replications and seed."""
        key = (q.scenario, q.municipality, q.segment, q.horizon_years, q.replications, q.seed)
        if key not in self._bases:
            scoped, scenario, notes = self.base(q)
            self._bases[key] = (scoped, scenario, self.measured(scenario, q), notes)
        return self._bases[key]

    def measured(self, scenario: Scenario, q: Question) -> pd.DataFrame:
        """``measure_frame`` of the question's replications of ``scenario`` (only the event logs: the
        KPI table of ``runner.simulate`` is not computed, the page reads two KPIs of one segment)."""
        check_size(scenario, q.replications, self._executor.workers)
        payload = scenario.model_dump_json()
        tasks = [(payload, q.seed, r, q.segment) for r in range(q.replications)]
        frames = list(self._executor.map(replication_log, tasks))
        return measure_frame(scenario, pd.concat(frames, ignore_index=True), q.segment)

    def answer(self, q: Question) -> Answer:
        """The answer to one question; bad input gives the CLI's field errors and runs nothing."""
        start = time.perf_counter()
        with self._lock:
            try:
                scoped, base, _ = self.base(q)
            except ValueError as exc:   # ScenarioError included: e.g. a horizon of 0
                return Answer(errors={"horizon_years": str(exc)})
            whatif, _, errors = check(scoped, q, base, source=q.scenario)
            if errors:
                return Answer(errors=errors, question=q)
            _, _, base_frame, notes = self.baseline(q)
            frame = self.measured(whatif, q)
        per_rep = pd.concat([base_frame.assign(variant=BASIS), frame.assign(variant=WHATIF)], ignore_index=True)
        if q.municipality != ALL:
            per_rep = per_rep[per_rep["municipality"] == q.municipality]
        summary = summarise(per_rep, BASIS, 0.95, COLUMNS)
        behaviour = behaviour_assumptions(whatif)[["parameter", "value", "source"]]
        assumptions = pd.concat([behaviour, scenario_assumptions(self.raw(q.scenario)[1])], ignore_index=True)
        return Answer(per_replication=per_rep, summary=summary, assumptions=assumptions, notes=notes,
                      scenario=whatif, question=q, seconds=time.perf_counter() - start)

    def close(self) -> None:
        self._executor.close()


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """The tables as one .xlsx workbook (openpyxl), one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()

