"""Add-ons on top of every variant's final amounts: bonus-malus, the outcome reward (beloning), and the
cap on extra capacity."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation.analysis.results import client_returns, mark_results
from simulation.core.calendar import Calendar
from simulation.funding.rows import payment_frame, year_end_months


def _bonus_amount(bonus_malus, s: pd.DataFrame, ylo: float, yhi: float, final: float) -> float:
    """Bonus (+) or malus (-) of one replication-year; ``s``: the contract's trajecten in the replication."""
    if bonus_malus.measure == "kosten_per_client":
        n = s[(s["start"] < yhi) & (s["stop"] > ylo)]["client"].nunique()
        amount = bonus_malus.rate * (bonus_malus.target * n - final)
    else:
        closed = s[(s["stop"] >= ylo) & (s["stop"] < yhi) & (s["reden"].astype(str) != "einde_horizon")]
        dur = closed["stop"] - closed["start"]
        amount = bonus_malus.rate * (bonus_malus.target - dur.mean()) * len(dur) if len(dur) else 0.0
    amount = float(np.clip(amount, -bonus_malus.cap * final, bonus_malus.cap * final))
    return amount if bonus_malus.symmetric else max(amount, 0.0)


def bonus_malus(fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar) -> list[pd.DataFrame]:
    """Bonus-malus rows per contract-year against its target; adds them to ``fin`` in place."""
    rows = []
    for i, c in enumerate(contracts):
        if c.bonus_malus is None:
            continue
        f = fin[fin["contract"] == i]
        sub = trajecten[(trajecten["municipality"] == c.municipality) & (trajecten["provider"] == c.provider)
                        & (trajecten["segment"] == c.segment)]
        amounts = []
        for rep, yr, final in zip(f["replication"], f["year"], f["final"]):
            ylo, yhi = cal.day(dt.date(int(yr), 1, 1)), cal.day(dt.date(int(yr) + 1, 1, 1))
            amounts.append(_bonus_amount(c.bonus_malus, sub[sub["replication"] == rep], ylo, yhi, final))
        if not len(f):
            continue
        rows.append(payment_frame(i, c, c.variant, f["replication"].to_numpy(), year_end_months(cal, f["year"]),
                                  amounts, "bonus", cal))
        fin.loc[f.index, "final"] = f["final"].to_numpy() + np.asarray(amounts)
    return rows


def beloning(fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar, returns=None) -> list[pd.DataFrame]:
    """Outcome reward rows (kind bonus): per_succes for each traject of the contract whose result
    (``analysis.results.mark_results``) is known as reached in the contract period; adds them to ``fin``."""
    rows = []
    if returns is None and any(c.beloning is not None for c in contracts):
        returns = client_returns(trajecten)
    for i, c in enumerate(contracts):
        if c.beloning is None:
            continue
        f = fin[fin["contract"] == i]
        if not len(f):
            continue
        d = c.beloning.definition
        sub = trajecten[(trajecten["municipality"] == c.municipality) & (trajecten["provider"] == c.provider)
                        & (trajecten["segment"] == c.segment)]
        lo = max(cal.day(c.start), 0.0) if c.start else 0.0
        hi = min(cal.day(c.end), cal.horizon) if c.end else cal.horizon
        marks = mark_results(sub, cal.horizon, d.follow_up_days, d.step_down, returns)
        stop = sub["stop"].to_numpy(float)
        known = marks["bekend_dag"].to_numpy(float)
        paid = (marks["resultaat"].astype(str).to_numpy() == "bereikt") & (stop >= lo) & (known >= lo) & (known < hi)
        per = c.beloning.per_succes
        amount = (sub["traject_type"].astype(str).map(per).to_numpy(float) if isinstance(per, dict)
                  else np.full(len(sub), float(per)))[paid]
        k = cal.month_index(known[paid])
        reps = sub["replication"].to_numpy()[paid]
        rows.append(payment_frame(i, c, c.variant, reps, k, amount, "bonus", cal))
        per_year = pd.DataFrame({"replication": reps, "year": cal.year[k], "amount": amount}).groupby(
            ["replication", "year"])["amount"].sum()
        add = per_year.reindex(pd.MultiIndex.from_arrays([f["replication"], f["year"]])).fillna(0.0).to_numpy()
        fin.loc[f.index, "final"] = f["final"].to_numpy() + add
    return rows


def extra_capacity(fin: pd.DataFrame, contracts, cal: Calendar) -> list[pd.DataFrame]:
    """Settlements that cap an extra_capacity contract at max_extra_share of the framework finals; updates ``fin``."""
    rows = []
    for i, c in enumerate(contracts):
        if not c.extra_capacity:
            continue
        framework = [j for j, o in enumerate(contracts) if not o.extra_capacity
                     and o.municipality == c.municipality and o.segment == c.segment]
        base = fin[fin["contract"].isin(framework)].groupby(["replication", "year"])["final"].sum()
        f = fin[fin["contract"] == i]
        cap = c.max_extra_share * base.reindex(pd.MultiIndex.from_arrays([f["replication"], f["year"]])).fillna(0).to_numpy()
        excess = np.maximum(f["final"].to_numpy() - cap, 0.0)
        rows.append(payment_frame(i, c, c.variant, f["replication"].to_numpy(), year_end_months(cal, f["year"]),
                                  -excess, "settlement", cal))
        fin.loc[f.index, "final"] = f["final"].to_numpy() - excess
    return rows


def add_ons(pay: pd.DataFrame, fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar, returns=None):
    """Bonus-malus first (on the rule's finals), then the outcome reward, then the extra-capacity cap
    (on finals including both); ``returns``: ``analysis.results.client_returns`` of the whole log."""
    extra_rows = (bonus_malus(fin, contracts, trajecten, cal) + beloning(fin, contracts, trajecten, cal, returns)
                  + extra_capacity(fin, contracts, cal))
    if extra_rows:
        pay = pd.concat([pay] + extra_rows, ignore_index=True)
    return pay, fin
