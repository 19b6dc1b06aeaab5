"""Shard runs: one shard of one replication simulated, counted and paid alone, its log streamed to Parquet.

``run_shard(task)`` is a top-level function of a picklable ``ShardTask`` (the shard's own scenario
and the maps back to the full scenario's numbering), so it runs in this process, in a process pool
or on a Dask worker alike, and holds one shard's log at a time. Its event log is the full run's log
restricted to the shard's municipalities, row for row (tests/functional/test_shards.py); its KPIs
are the full run's KPI rows of those municipalities, and its payments those of its contracts.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import pyarrow as pa
from simulation._lazy import pyarrow_parquet as pq

from simulation.analysis.kpis import kpis
from simulation.analysis.tables import traject_table
from simulation.config.scenario import scenario_from_dict
from simulation.core import events as ev
from simulation.experiment.runner import build_model
from simulation.experiment.shards.plan import Shard, ShardPlan, map_rows
from simulation.funding.payments import compute_payments

RETURN_EVENTS = ("aanmelding", "recidive")   # besides the trajecten, what payments read (results.client_returns)

ROW_GROUP = 250_000   # rows per Parquet row group of a shard's log
# CPU seconds per stage (ShardedResult.stages): the shard's scenario validated, the model built and run,
# the log as a frame, written as Parquet, the KPIs, the tables the payments read, the payments, the combination
STAGES = ("scenario", "model", "log", "log_write", "kpis", "payment_tables", "payments", "combine")


@dataclass(frozen=True)
class ShardTask:
    """Everything a worker needs for one shard of one replication (no full scenario)."""

    shard: Shard
    n_segments: int
    labels: dict
    seed: int
    replication: int
    log_path: Optional[str] = None   # where the shard's log goes (Parquet); None: not written
    keep_events: bool = False        # return the log's DataFrame (tests; holds it in memory)


@dataclass
class ShardOutput:
    """What a shard run returns: small tables only (unless ``keep_events``)."""

    shard: int
    replication: int
    rows: int
    kpis: pd.DataFrame
    trajecten: Optional[pd.DataFrame]   # what the payments read (``payments_of``); None without contracts
    returns: Optional[pd.DataFrame]
    state: dict[str, int]
    events: Optional[pd.DataFrame] = None
    timings: dict[str, float] = field(default_factory=dict)


def tasks(plan: ShardPlan, seed: int, replications: int, out: Optional[Path] = None,
          keep_events: bool = False) -> list[ShardTask]:
    """The (shard, replication) tasks in order: shard by shard, each shard's replications in order
    (so a shard's payments can be computed, and its traject tables dropped, as soon as it is done)."""
    labels = plan.labels()
    return [ShardTask(shard, plan.n_segments, labels, seed, r,
                      None if out is None else str(Path(out) / log_name(r, shard.index)), keep_events)
            for shard in plan.shards for r in range(replications)]


def log_name(replication: int, shard: int) -> str:
    return f"events-r{replication:04d}-s{shard:05d}.parquet"


def run_shard(task: ShardTask) -> ShardOutput:
    """Simulate one shard of one replication; write its log (if asked); its KPIs and payments.

    ``timings``: CPU seconds per stage (``STAGES`` but the payments, and the model's own phases)."""
    shard = task.shard
    clock = time.process_time
    begin = clock()
    scenario = scenario_from_dict(shard.raw, source=f"shard {shard.index}")
    built = clock()
    model = build_model(scenario, task.seed, task.replication)
    rows = map_rows(model.run(), shard.codes, task.n_segments)
    state = model.state_at_horizon()
    timings = dict(getattr(model, "timings", {}))
    del model
    ran = clock()
    events = ev.to_frame(rows, task.replication, scenario.start_date, task.labels)
    del rows
    framed = clock()
    if task.log_path is not None:
        write_log(events, Path(task.log_path))
    written = clock()
    k = kpis(events, scenario, replications=[task.replication])
    counted = clock()
    trajecten = returns = None
    if shard.contracts:
        trajecten = traject_table(events)
        returns = events.loc[events["event"].isin(RETURN_EVENTS).to_numpy(), ["replication", "event", "client", "day"]]
    timings.update(scenario=built - begin, model=ran - built, log=framed - ran, log_write=written - framed,
                   kpis=counted - written, payment_tables=clock() - counted)
    return ShardOutput(shard.index, task.replication, len(events), k, trajecten, returns, state,
                       events if task.keep_events else None, timings)


def payments_of(shard: Shard, outputs: list[ShardOutput], replications: int):
    """The payments of a shard's contracts over all replications (``compute_payments`` of its scenario),
    with the full scenario's contract indices; None when the shard has no contract.

    The traject table is put in the order the full run's has (its in-care starts of every
    replication, then its beginstand trajecten), so every sum runs in the same order, bit for bit.
    """
    if not shard.contracts:
        return None
    scenario = scenario_from_dict(shard.raw, source=f"shard {shard.index}")
    outputs = sorted(outputs, key=lambda o: o.replication)
    trajecten = pd.concat([o.trajecten for o in outputs], ignore_index=True)
    order = np.lexsort((trajecten["replication"].to_numpy(), trajecten["beginstand"].to_numpy(bool)))
    trajecten = trajecten.iloc[order].reset_index(drop=True)
    returns = pd.concat([o.returns for o in outputs], ignore_index=True)
    # numbered as compute_payments numbers them from a log (its int32 replication column)
    fund = compute_payments(scenario, events=returns, trajecten=trajecten,
                            replications=np.arange(replications, dtype=np.int32))
    index = np.asarray(shard.contracts, dtype=np.int64)
    for name in ("payments", "finals", "plekken"):
        frame = getattr(fund, name)
        if len(frame):
            setattr(fund, name, frame.assign(contract=index[frame["contract"].to_numpy(np.int64)]))
    return fund


def write_log(events: pd.DataFrame, path: Path) -> None:
    """The log as a Parquet file of ROW_GROUP-row groups, written in slices (no second full copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    writer = None
    try:
        for lo in range(0, max(len(events), 1), ROW_GROUP):
            table = pa.Table.from_pandas(events.iloc[lo:lo + ROW_GROUP], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)   # nothing half-written under the final name
