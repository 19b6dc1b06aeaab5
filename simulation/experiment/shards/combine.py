"""A region in shards: run every (replication, shard), stream the logs to Parquet, combine the tables.

``simulate_sharded`` holds one shard's log at a time (per worker): the peak memory is that of the
largest shard, not of the region. Its KPI and payment tables equal ``simulate`` + ``compute_payments``
of the full scenario (tests/functional/test_shards.py): the KPI rows are per (replication, year,
municipality, segment, provider), so each belongs to one shard; payments are per contract, and a
contract lies inside one shard (``partition``). Combining is a concatenation put in the full tables'
order. The merged log is the full log in the canonical order of ``canonical_log`` (docs/shards.md).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from simulation._lazy import pandas as pd
from simulation._lazy import pyarrow_dataset as ds

from simulation.config.scenario import Scenario
from simulation.experiment.executors import SequentialExecutor
from simulation.experiment.shards.plan import ShardPlan
from simulation.experiment.shards.run import STAGES, ShardOutput, payments_of, run_shard, tasks

KPI_KEYS = ["replication", "year", "municipality", "segment", "provider"]
PAYMENT_KEYS = ["replication", "contract", "year", "month", "kind"]
LOG_ORDER = ["replication", "day", "municipality"]


@dataclass
class ShardedResult:
    """The combined tables of a sharded run, and where the logs are."""

    scenario: Scenario
    seed: int
    replications: int
    shards: list[tuple[str, ...]]
    kpis: pd.DataFrame
    payments: pd.DataFrame
    finals: pd.DataFrame
    plekken: pd.DataFrame
    state_at_horizon: list[dict[str, int]]
    rows: int
    out: Optional[Path] = None
    events: Optional[pd.DataFrame] = None   # only with keep_events (tests)
    timings: list[dict] = field(default_factory=list)   # per (shard, replication): CPU seconds per stage
    stages: dict[str, float] = field(default_factory=dict)   # CPU seconds per stage (run.STAGES), summed
    cpu_seconds: float = 0.0   # CPU seconds of this process in simulate_sharded (workers' not included)

    def read_log(self, columns: Optional[list[str]] = None) -> pd.DataFrame:
        """The merged event log from the Parquet files, in ``canonical_log`` order (reads it all)."""
        if self.out is None:
            raise ValueError("this run wrote no log (pass out=...)")
        return canonical_log(read_parquet_log(sorted(Path(self.out).glob("events-*.parquet")), columns))


def read_parquet_log(paths, columns: Optional[list[str]] = None) -> pd.DataFrame:
    """Shard logs from Parquet as one frame, in the files' order, with the log's dtypes (Parquet keeps
    the date in milliseconds: it is given back in seconds, as ``events.to_frame`` makes it)."""
    frame = ds.dataset([str(p) for p in paths]).to_table(columns=columns).to_pandas()
    if "date" in frame:
        frame["date"] = frame["date"].astype("datetime64[s]")
    return frame


def canonical_log(events: pd.DataFrame) -> pd.DataFrame:
    """The log in canonical order: stable by (replication, day, municipality code).

    Within one municipality a shard's log keeps the full run's row order; across municipalities
    on the same day the full run interleaves rows in the order the engine handled them, which a
    shard run cannot know. The full log in this order equals the merged shard logs in this order.
    """
    keys = [events[c].cat.codes if isinstance(events[c].dtype, pd.CategoricalDtype) else events[c]
            for c in LOG_ORDER]
    order = pd.DataFrame({c: k.to_numpy() for c, k in zip(LOG_ORDER, keys)}).sort_values(
        LOG_ORDER, kind="stable").index
    return events.iloc[order].reset_index(drop=True)


def simulate_sharded(scenario: Scenario, seed: int = 1, replications: int = 1, out: Optional[Path] = None,
                     executor=None, keep_events: bool = False, plan: Optional[ShardPlan] = None) -> ShardedResult:
    """Run ``replications`` replications of ``scenario`` shard by shard (on ``executor``, default this
    process), each shard's log written to ``out`` as Parquet (if given); KPIs and payments combined.

    The parent holds, besides the small tables, one shard's traject tables until its payments are made.
    """
    begin = time.process_time()
    plan = plan or ShardPlan(scenario)
    executor = executor or SequentialExecutor()
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
    kept: list[ShardOutput] = []
    funds, pending, paying = [], [], 0.0
    for output in executor.map(run_shard, tasks(plan, seed, replications, out, keep_events)):
        pending.append(output)
        if len(pending) == replications:   # the shard's last replication: pay its contracts
            start = time.process_time()
            fund = payments_of(plan.shards[output.shard], pending, replications)
            paying += time.process_time() - start
            if fund is not None:
                funds.append(fund)
            for o in pending:
                o.trajecten = o.returns = None
            kept += pending
            pending = []
    start = time.process_time()
    result = combine(scenario, seed, replications, plan, kept, funds, out)
    end = time.process_time()
    result.stages = {stage: sum(t.get(stage, 0.0) for t in result.timings) for stage in STAGES}
    result.stages.update(payments=paying, combine=end - start)
    result.cpu_seconds = end - begin
    return result


def combine(scenario: Scenario, seed: int, replications: int, plan: ShardPlan, outputs: list[ShardOutput],
            funds: list, out: Optional[Path] = None) -> ShardedResult:
    """The shard outputs as the full run's tables (see the module docstring)."""
    outputs = sorted(outputs, key=lambda o: (o.replication, o.shard))
    kpi = _concat([o.kpis for o in outputs]).sort_values(KPI_KEYS, kind="stable", ignore_index=True)
    payments = _concat([f.payments for f in funds])
    if len(payments):
        payments = payments.sort_values(PAYMENT_KEYS, kind="stable", ignore_index=True)
    finals = _concat([f.finals for f in funds])
    if len(finals):
        finals = finals.sort_values(["replication", "contract", "year"], kind="stable", ignore_index=True)
    plekken = _concat([f.plekken for f in funds])
    if len(plekken):
        plekken = plekken.sort_values("contract", kind="stable", ignore_index=True)
    states = []
    for r in range(replications):
        total: dict[str, int] = {}
        for o in outputs:
            if o.replication == r:
                for k, v in o.state.items():
                    total[k] = total.get(k, 0) + v
        states.append(total)
    events = None
    if outputs and outputs[0].events is not None:
        events = canonical_log(_concat([o.events for o in outputs]))
    return ShardedResult(scenario, seed, replications, [s.municipalities for s in plan.shards], kpi, payments,
                         finals, plekken, states, sum(o.rows for o in outputs), None if out is None else Path(out),
                         events, [dict(o.timings, shard=o.shard, replication=o.replication) for o in outputs])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
