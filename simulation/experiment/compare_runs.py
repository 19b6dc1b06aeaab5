"""compare's runs: one task per (flow group, replication), streamed, so that no process holds more than
one replication's event log unless a variant needs the log itself.

Variants whose scenarios have the same ``funding.flow_key`` (they differ only in money: tariffs,
budgets, payment rules) form a flow group: replication r of the group is simulated once and every
variant of the group is measured on it (common random numbers make the logs identical; see
``tests/functional/test_compare_streamed.py``). A task returns the replication's traject table
(``analysis.tables.traject_table``), not its log; the log only when a variant of the group needs it
(``measures.needs_events``: no contracts, or a rule that reads results). The parent puts the tables
of all replications together in the row order the table of the whole log has (``traject_tables``),
so every measure and payment is computed on the same rows in the same order as before: pandas'
sums depend on that order in the last bit.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional, Sequence

from simulation._lazy import pandas as pd

from simulation.analysis.tables import traject_table
from simulation.config.scenario import Scenario
from simulation.experiment.executors import ProcessExecutor, SequentialExecutor
from simulation.experiment.runner import run_replication
from simulation.funding.flow_key import flow_key


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


def replication_task(task: tuple) -> tuple[pd.DataFrame, int, Optional[pd.DataFrame]]:
    """One replication of a scenario: (its traject table, its number of event rows, its log if asked).

    ``task``: (the scenario's JSON, seed, replication, keep the log).
    """
    payload, seed, replication, keep_log = task
    events, _ = run_replication(_scenario(payload), seed, replication)
    return traject_table(events), len(events), (events if keep_log else None)


def run_tasks(tasks: list, workers: int):
    """``replication_task`` of every task, in order, in this process or in ``workers`` processes."""
    if workers > 1 and len(tasks) > 1:
        with ProcessExecutor(min(workers, len(tasks))) as pool:
            yield from pool.map(replication_task, tasks)
    else:
        yield from SequentialExecutor().map(replication_task, tasks)


def traject_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The traject tables of replications 0, 1, ... as one: the table ``traject_table`` gives for their
    concatenated log (its rows: every started traject by replication, then every beginstand row)."""
    table = pd.concat(tables, ignore_index=True)
    return table.sort_values(["beginstand", "replication"], kind="stable", ignore_index=True)
