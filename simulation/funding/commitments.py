"""Budgetplafond commitments (aangegane verplichtingen) per contract and month, from the event log.

Annex 1 of 004: with a budgetplafond the insight in the commitments entered matters more than the
spend alone. The flow (``funding.flow``) commits a traject's planned value to the ceiling of its year
at toewijzing; ``plafond_commitments`` rebuilds those commitments from the log and sets them next to
the ceiling and the invoices. Nothing here changes the flow or the payments.

A traject is committed on the day and at the provider of its last toewijzing row (a weigering,
overstap or extra_capaciteit row replaces the first choice; a continuation, verlenging or
step-down, is a toewijzing of its own). A traject that was put on the wachtlijst for the
budgetplafond after that row is committed when its care starts (the check that let it through is
not logged; without a plek pool that is the same day), or not at all if it still waits at the
horizon. Warm-up toewijzingen are not in the log, so they are not counted.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.tables import traject_table
from simulation.core.calendar import Calendar, days_in_year
from simulation.funding.payments import contract_payments
from simulation.funding.rows import KINDS
from simulation.funding.variant import rules_of

COLUMNS = ["replication", "contract", "municipality", "provider", "segment", "year", "month",
           "committed", "committed_cum", "ceiling", "spent_cum", "room"]


def commitment_days(events: pd.DataFrame) -> pd.DataFrame:
    """Per traject with a commitment: replication, traject, municipality, provider, segment, traject_type, day."""
    keys = ["replication", "traject"]
    toew = events[events["event"] == "toewijzing"]
    last = toew.groupby(keys, observed=True).tail(1)
    waits = events[(events["event"] == "wachtlijst") & (events["reden"] == "budgetplafond")]
    last_wait = waits.groupby(keys, observed=True)["day"].max().rename("wait_day")
    starts = events[events["event"] == "start_zorg"].groupby(keys, observed=True)["day"].min().rename("start_day")
    out = last.merge(last_wait, on=keys, how="left").merge(starts, on=keys, how="left")
    waited = out["wait_day"].notna() & (out["wait_day"] >= out["day"])
    out["day"] = np.where(waited, out["start_day"], out["day"])
    out = out[out["day"].notna()]
    cols = ["municipality", "provider", "segment", "traject_type"]
    return pd.DataFrame({**{k: out[k].to_numpy() for k in keys}, **{c: out[c].astype(str).to_numpy() for c in cols},
                         "day": out["day"].to_numpy(float)})


def _ceiling(c, year: int, scenario, cal: Calendar) -> float:
    """The year's ceiling prorated to the days the contract covers in the horizon (as ``FlowRules._ceiling``)."""
    start, end = c.period(scenario)
    lo = max(cal.day(dt.date(year, 1, 1)), cal.day(start), 0.0)
    hi = min(cal.day(dt.date(year + 1, 1, 1)), cal.day(end), cal.horizon)
    return float(rules_of(c).ceiling(c, year)) * max(hi - lo, 0.0) / days_in_year(year)


def plafond_commitments(scenario, events: pd.DataFrame, replications=None) -> pd.DataFrame:
    """Per budgetplafond contract, replication and month of its period: commitments made in the month
    (planned values, ``committed``), their cumulative sum in the year (``committed_cum``), the year's
    ceiling (``ceiling``, prorated to the days the contract covers), the invoices paid so far in the year
    (``spent_cum``) and the room left (``room`` = ceiling - committed_cum; negative when continuations,
    which are never stopped, go over it). EUR; one row per month, also months without commitments."""
    reps = np.sort(events["replication"].unique()) if replications is None else np.asarray(replications)
    cal = Calendar.of(scenario)
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    commits = commitment_days(events)
    trajecten = traject_table(events)
    parts = []
    for i, c in enumerate(contracts):
        rules = rules_of(c)
        if not rules.has_ceiling:
            continue
        start, end = c.period(scenario)
        lo, hi = max(cal.day(start), 0.0), min(cal.day(end), cal.horizon)
        if hi <= lo:
            continue
        months = cal.months_in(lo, hi)
        grid = pd.DataFrame({"replication": reps}).merge(months[["k", "year", "month"]], how="cross")
        mine = commits[(commits["municipality"] == c.municipality) & (commits["provider"] == c.provider)
                       & (commits["segment"] == c.segment) & (commits["day"] >= lo) & (commits["day"] < hi)]
        value = {t: rules.planned_value(c, scenario, c.segment, t) for t in mine["traject_type"].unique()}
        committed = (mine.assign(k=cal.month_index(mine["day"].to_numpy()),   # float also without commitments
                                 committed=mine["traject_type"].map(value).astype(float))
                     .groupby(["replication", "k"], as_index=False)["committed"].sum())
        sub = trajecten[(trajecten["municipality"] == c.municipality) & (trajecten["provider"] == c.provider)
                        & (trajecten["segment"] == c.segment)]
        money = contract_payments(i, c, sub, scenario, cal, reps)
        pay = pd.concat(money.rows, ignore_index=True) if money.rows else pd.DataFrame(columns=["kind", "amount"])
        inv = pay[pay["kind"] == KINDS.index("invoice")]   # coded rows (rows.payment_frame)
        spent = (inv.groupby(["replication", "year", "month"], as_index=False, observed=True)["amount"].sum()
                 .rename(columns={"amount": "spent"}))
        g = grid.merge(committed, on=["replication", "k"], how="left").merge(
            spent, on=["replication", "year", "month"], how="left")
        g = g.fillna({"committed": 0.0, "spent": 0.0}).sort_values(["replication", "k"], ignore_index=True)
        g["committed_cum"] = g.groupby(["replication", "year"])["committed"].cumsum()
        g["spent_cum"] = g.groupby(["replication", "year"])["spent"].cumsum()
        g["ceiling"] = g["year"].map({int(y): _ceiling(c, int(y), scenario, cal) for y in g["year"].unique()})
        g["room"] = g["ceiling"] - g["committed_cum"]
        parts.append(g.assign(contract=i, municipality=c.municipality, provider=c.provider, segment=c.segment)[COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
