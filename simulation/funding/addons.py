"""Add-ons on top of every variant's final amounts: bonus-malus, the outcome reward (beloning), and the
cap on extra capacity (at max_extra_share of the framework's contracted value, the same value the flow
checks at toewijzing)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.results import client_returns, mark_results
from simulation.core.calendar import Calendar
from simulation.funding.rows import payment_frame, year_end_months
from simulation.funding.valuation import equals
from simulation.funding.variant import rule, rules_of, variants


class KeyedTrajecten:
    """The trajecten of one (municipality, provider, segment), in log order (as a boolean mask selects them);
    grouped once, on first use."""

    def __init__(self, trajecten: pd.DataFrame):
        self.trajecten, self._groups = trajecten, None

    def of(self, municipality, provider, segment) -> pd.DataFrame:
        if self._groups is None:
            self._groups = (self.trajecten.groupby(["municipality", "provider", "segment"], observed=True).indices
                            if len(self.trajecten) else {})
        idx = self._groups.get((municipality, provider, segment))
        return self.trajecten.iloc[idx] if idx is not None else self.trajecten.iloc[:0]


def _bonus_amount(bonus_malus, s: pd.DataFrame, ylo: float, yhi: float, final: float) -> float:
    """Bonus (+) or malus (-) of one replication-year; ``s``: the contract's trajecten in the replication."""
    if bonus_malus.measure == "kosten_per_client":
        n = s[(s["start"] < yhi) & (s["stop"] > ylo)]["client"].nunique()
        amount = bonus_malus.rate * (bonus_malus.target * n - final)
    else:
        closed = s[(s["stop"] >= ylo) & (s["stop"] < yhi) & ~equals(s["reden"], "einde_horizon")]
        dur = closed["stop"] - closed["start"]
        amount = bonus_malus.rate * (bonus_malus.target - dur.mean()) * len(dur) if len(dur) else 0.0
    amount = float(np.clip(amount, -bonus_malus.cap * final, bonus_malus.cap * final))
    return amount if bonus_malus.symmetric else max(amount, 0.0)


def bonus_malus(fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar,
                keyed: Optional[KeyedTrajecten] = None) -> list[pd.DataFrame]:
    """Bonus-malus rows per contract-year against its target; adds them to ``fin`` in place."""
    keyed = keyed or KeyedTrajecten(trajecten)
    of_contract = fin.groupby("contract").indices if len(fin) else {}
    bounds = {}   # (ylo, yhi) per year
    at, amounts, reps, years, index = [], [], [], [], []
    for i, c in enumerate(contracts):
        if c.bonus_malus is None or i not in of_contract:
            continue
        f = fin.iloc[of_contract[i]]
        sub = keyed.of(c.municipality, c.provider, c.segment)
        per_rep = sub.groupby("replication").indices
        for rep, yr, final in zip(f["replication"], f["year"], f["final"]):
            if yr not in bounds:
                bounds[yr] = (cal.day(dt.date(int(yr), 1, 1)), cal.day(dt.date(int(yr) + 1, 1, 1)))
            s = sub.iloc[per_rep[rep]] if rep in per_rep else sub.iloc[:0]
            amounts.append(_bonus_amount(c.bonus_malus, s, *bounds[yr], final))
        at.append(np.full(len(f), i))
        reps.append(f["replication"].to_numpy())
        years.append(f["year"].to_numpy())
        index.append(f.index.to_numpy())
    if not at:
        return []
    i, amounts, index = np.concatenate(at), np.asarray(amounts, float), np.concatenate(index)
    year = np.concatenate(years)
    rows = payment_frame(i, None, contracts[0].variant, np.concatenate(reps), year_end_months(cal, year), amounts,
                         "bonus", cal)
    rows["mode"] = np.array([variants().index(c.variant) for c in contracts], np.int64)[i]   # each contract's own
    fin.loc[index, "final"] = fin.loc[index, "final"].to_numpy() + amounts
    return [rows]


def beloning(fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar, returns=None,
             keyed: Optional[KeyedTrajecten] = None) -> list[pd.DataFrame]:
    """Outcome reward rows (kind bonus): per_succes for each traject of the contract whose result
    (``analysis.results.mark_results``) is known as reached in the contract period; adds them to ``fin``."""
    rows, keyed = [], keyed or KeyedTrajecten(trajecten)
    if returns is None and any(c.beloning is not None for c in contracts):
        returns = client_returns(trajecten)
    for i, c in enumerate(contracts):
        if c.beloning is None:
            continue
        f = fin[fin["contract"] == i]
        if not len(f):
            continue
        d = c.beloning.definition
        sub = keyed.of(c.municipality, c.provider, c.segment)
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


def framework_value(contracts, municipality: str, segment: str, year: int, trajecten: pd.DataFrame, scenario,
                    cal: Calendar, reps, keyed: Optional[KeyedTrajecten] = None) -> pd.Series:
    """The contracted value of the framework contracts of (municipality, segment) in ``year``, per replication
    in ``reps``.

    The quantity the flow checks extra capacity against (``FlowRules.framework_value``): per phase of
    each framework contract (not extra_capacity) its mode's ``contracted_value`` over the days of the
    year it covers (ceilings, budgets, lump sums, population amounts, plekken x plek-day price), plus,
    for open-ended phases (pxq, traject, output_monthly), the planned values of the trajecten toegewezen
    under them in the year (toewijzing day = start - wacht_dagen; continuations included; the
    provider the traject went to). Replications without such trajecten get the contracted part only.
    """
    ylo, yhi = cal.day(dt.date(year, 1, 1)), cal.day(dt.date(year + 1, 1, 1))
    contracted, open_rows, keyed = 0.0, [], keyed or KeyedTrajecten(trajecten)
    for c in contracts:
        if c.extra_capacity or municipality not in c.covered or c.segment != segment:
            continue
        share = c.key_share(scenario, municipality)   # a regional contract counts with the municipality's key
        sub = keyed.of(municipality, c.provider, segment)
        sub = sub[~sub["beginstand"].astype(bool)]
        assigned = (sub["start"] - sub["wacht_dagen"].fillna(0.0)).to_numpy(float)
        for p_start, p_end, mode, count in c.phases(scenario):
            a, b = cal.day(p_start), cal.day(p_end)
            d = max(min(b, yhi, cal.horizon) - max(a, ylo, 0.0), 0.0)
            if d > 0:
                contracted += share * rule(mode).contracted_value(c, count, year, d, yhi - ylo, scenario)
            if not rule(mode).open_ended:
                continue
            sel = (assigned >= max(a, ylo, 0.0)) & (assigned < min(b, yhi, cal.horizon))
            if sel.any():
                value = {t: rules_of(c).planned_value(c, scenario, segment, t)
                         for t in sub["traject_type"].astype(str).unique()}
                s = sub[sel]
                open_rows.append(pd.DataFrame({"replication": s["replication"].to_numpy(),
                                               "value": s["traject_type"].astype(str).map(value).to_numpy(float)}))
    committed = (pd.concat(open_rows).groupby("replication")["value"].sum() if open_rows
                 else pd.Series(dtype=float))
    return contracted + committed.reindex(pd.Index(reps, name="replication")).fillna(0.0)


def extra_capacity(fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, scenario, cal: Calendar,
                   keyed: Optional[KeyedTrajecten] = None) -> list[pd.DataFrame]:
    """Settlements that cap an extra_capacity contract at max_extra_share of the framework's contracted value
    (``framework_value``, 004 par. 7: never more than 10% of the gecontracteerde waarde); updates ``fin``."""
    rows, keyed = [], keyed or KeyedTrajecten(trajecten)
    for i, c in enumerate(contracts):
        if not c.extra_capacity:
            continue
        f = fin[fin["contract"] == i]
        reps = f["replication"].unique()
        values = {int(yr): framework_value(contracts, c.municipality, c.segment, int(yr), trajecten, scenario, cal, reps,
                                                 keyed)
                  for yr in f["year"].unique()}
        base = np.array([values[int(yr)][rep] for rep, yr in zip(f["replication"], f["year"])], float)
        cap = c.max_extra_share * base
        excess = np.maximum(f["final"].to_numpy() - cap, 0.0)
        rows.append(payment_frame(i, c, c.variant, f["replication"].to_numpy(), year_end_months(cal, f["year"]),
                                  -excess, "settlement", cal))
        fin.loc[f.index, "final"] = f["final"].to_numpy() - excess
    return rows


def add_ons(pay: pd.DataFrame, fin: pd.DataFrame, contracts, trajecten: pd.DataFrame, cal: Calendar, scenario,
            returns=None):
    """Bonus-malus first (on the rule's finals), then the outcome reward, then the extra-capacity cap
    (on finals including both); ``returns``: ``analysis.results.client_returns`` of the whole log."""
    keyed = KeyedTrajecten(trajecten)
    extra_rows = (bonus_malus(fin, contracts, trajecten, cal, keyed)
                  + beloning(fin, contracts, trajecten, cal, returns, keyed)
                  + extra_capacity(fin, contracts, trajecten, scenario, cal, keyed))
    if extra_rows:
        pay = pd.concat([pay] + extra_rows, ignore_index=True)
    return pay, fin
