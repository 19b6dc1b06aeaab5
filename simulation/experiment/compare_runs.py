"""compare's runs: one task per (flow group, block of ``BLOCK`` replications), measured in the worker.

Variants whose scenarios have the same ``funding.flow_key`` (they differ only in money: tariffs,
budgets, payment rules) form a flow group: replication r of the group is simulated once and every
variant of the group is measured on it (common random numbers make the logs identical; see
``tests/functional/test_compare_streamed.py``). A task simulates its block's replications one by
one, keeps each one's traject table (``analysis.tables.traject_table``) and drops its log unless a
variant needs it (``measures.needs_events``), then computes the asked measures and the payments of
every variant of the group on the block (``measures.tagged``) and returns those small frames. The
parent puts the blocks together (``measures.gathered``; payments are sorted by replication first):
the same bits and row order as measuring all replications at once, as every sum is per replication.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.tables import traject_table
from simulation.config.scenario import Scenario
from simulation.experiment.compare_cache import Entry, ReplicationCache, variant_key
from simulation.experiment.executors import ProcessExecutor, SequentialExecutor
from simulation.experiment.measures import BY, gathered, needs_events, tagged
from simulation.experiment.runner import run_replication
from simulation.funding.flow_key import flow_key

BLOCK = 2   # replications per task (3 for an odd count, see ``blocks``): a worker holds their traject tables
# (and logs, when needed) and their payment computation, about 250 MB per replication on the default scenario


@lru_cache(maxsize=16)
def _scenario(payload: str) -> Scenario:
    """A resolved scenario from its JSON, parsed once per process (a task sends the JSON, not a path)."""
    return Scenario.model_validate_json(payload)


def flow_groups(scenarios: Sequence[Scenario]) -> list[list[int]]:
    """Indices of ``scenarios`` grouped by flow key, in the order of their first member."""
    groups: dict[str, list[int]] = {}
    for i, scenario in enumerate(scenarios):
        groups.setdefault(flow_key(scenario), []).append(i)
    return list(groups.values())


def blocks(replications: Sequence[int], size: int = BLOCK) -> list[tuple[int, ...]]:
    """``replications`` (ascending) cut into as few runs of at most ``size`` as can be, of sizes that differ
    by at most one, and never one replication alone when there are more (fewer runs if ``size`` < 3):
    pandas (3.x) sums a group by ``np.add.reduceat`` when the group ids of the whole table are sorted,
    else by Kahan summation, and a table of one replication is sorted where that of several,
    interleaved by year, is not."""
    reps = list(replications)
    n = max(1, min(-(-len(reps) // size), len(reps) // 2)) if reps else 0
    cuts = [len(reps) * k // n for k in range(n + 1)] if n else [0]
    return [tuple(reps[a:b]) for a, b in zip(cuts, cuts[1:])]


def block_task(task: tuple) -> dict:
    """Simulate a block of replications once and measure every variant of the flow group on it.

    ``task``: (the simulated scenario's JSON, seed, replications, keep the log, variants: a list of
    (key, the variant's Scenario (pickled: JSON has no inf, e.g. band: .inf), measures, pools as a sorted
    list or None)). Returns
    ``n_rows`` (event rows per replication), ``measured`` ({key: (tagged measures, payments)}) and
    ``log`` (the block's log when asked, else None).
    """
    payload, seed, reps, keep_log, variants = task
    scenario = _scenario(payload)
    asked = [(key, s, tuple(wanted), None if pools is None else {tuple(p) for p in pools})
             for key, s, wanted, pools in variants]
    with_log = keep_log or any(needs_events(s, wanted) for _, s, wanted, _ in asked)
    tables, logs, n_rows = [], [], []
    for r in reps:
        events, _ = run_replication(scenario, seed, r)
        tables.append(traject_table(events))
        n_rows.append(len(events))
        if with_log:
            logs.append(events)
        del events
    trajecten = traject_tables(tables)
    del tables
    log = pd.concat(logs, ignore_index=True) if with_log else None
    del logs
    reps_measured = np.asarray(reps) if log is not None else np.array([r for r, n in zip(reps, n_rows) if n])
    shared: dict = {}   # the flow-dependent parts, computed once for the variants that read the same
    measured = {key: tagged(s, log, trajecten, reps_measured, pools, wanted, shared)
                for key, s, wanted, pools in asked}
    return {"n_rows": n_rows, "measured": measured, "log": log if keep_log else None}


def run_tasks(tasks: list, workers: int, fn=None):
    """``fn`` (default ``block_task``) of every task, in order, in this process or in ``workers`` processes."""
    fn = fn or block_task
    if workers > 1 and len(tasks) > 1:
        with ProcessExecutor(min(workers, len(tasks))) as pool:
            yield from pool.map(fn, tasks)
    else:
        yield from SequentialExecutor().map(fn, tasks)


def traject_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The traject tables of replications 0, 1, ... as one: the table ``traject_table`` gives for their
    concatenated log (its rows: every started traject by replication, then every beginstand row)."""
    table = pd.concat(tables, ignore_index=True)
    return table.sort_values(["beginstand", "replication"], kind="stable", ignore_index=True)


def split_by_replication(frame: pd.DataFrame, reps: Sequence[int]) -> dict[int, pd.DataFrame]:
    """``frame``'s rows of each replication in ``reps``, in their order (an empty frame for one without)."""
    if not len(frame) or "replication" not in frame:
        return {r: frame.iloc[:0] for r in reps}
    where = frame.groupby(frame["replication"].to_numpy(), sort=False).indices
    empty = np.array([], dtype=np.int64)
    return {r: frame.iloc[where.get(r, empty)] for r in reps}


@dataclass
class Measured:
    """One variant's results over all replications: ``measures.gathered`` measures, payments, logs."""
    measures: pd.DataFrame
    payments: pd.DataFrame
    with_events: int                  # replications with at least one event
    log: Optional[pd.DataFrame]       # with keep_events


def _concat(frames: list) -> pd.DataFrame:
    """Row-wise, the empty frames left out (an empty block's frame has other dtypes)."""
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def measure_variants(specs: list, groups: list, seed: int, replications: int, wanted: Sequence[str],
                     pools: Optional[set], workers: int, keep_events: bool,
                     cache: Optional[ReplicationCache]) -> list[Measured]:
    """Every variant of ``specs`` (``ScenarioSpec``) measured on ``replications`` replications: taken from
    ``cache`` where there, else simulated per flow group and block in ``workers`` processes."""
    reps = list(range(replications))
    pool_list = sorted(pools) if pools is not None else None
    vkeys = [(spec.json, None if _contracts(spec.scenario) else pool_list) for spec in specs]
    found: dict[tuple[int, int], Entry] = {}
    tasks, owners = [], []
    for g, group in enumerate(groups):
        for block in blocks(reps, BLOCK):
            todo = []
            for i in group:   # the block is in the key: see ``blocks``
                key = variant_key(vkeys[i][0], seed, wanted, vkeys[i][1], block)
                hits = [] if cache is None or keep_events else [cache.get(key, r) for r in block]
                if hits and all(e is not None for e in hits):
                    found.update({(i, r): e for r, e in zip(block, hits)})
                else:
                    todo.append(i)
            if todo:
                tasks.append((specs[group[0]].json, seed, block, keep_events,
                              [(i, specs[i].scenario, tuple(wanted), pool_list) for i in todo]))
                owners.append(g)
    logs: dict[int, list] = {g: [] for g in range(len(groups))}
    for task, g, result in zip(tasks, owners, run_tasks(tasks, workers)):
        block = task[2]
        for i, (m, pay) in result["measured"].items():
            ms, ps = split_by_replication(m, block), split_by_replication(pay, block)
            for r, n in zip(block, result["n_rows"]):
                found[(i, r)] = entry = Entry(ms[r], ps[r], n)
                if cache is not None:
                    cache.put(variant_key(vkeys[i][0], seed, wanted, vkeys[i][1], block), r, entry)
        logs[g].append(result["log"])
    out: list[Optional[Measured]] = [None] * len(specs)
    for g, group in enumerate(groups):
        log = pd.concat(logs[g], ignore_index=True) if keep_events else None
        for i in group:
            entries = [found[(i, r)] for r in reps]
            frame = gathered([e.measures for e in entries])[BY + list(wanted)]
            out[i] = Measured(frame, _concat([e.payments for e in entries]), sum(1 for e in entries if e.n_rows), log)
    return out


def _contracts(scenario: Scenario) -> list:
    return scenario.funding.contracts if scenario.funding is not None else []
