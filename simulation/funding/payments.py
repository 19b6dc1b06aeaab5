"""Money as a pure function of the event log: each phase of a contract is paid by its mode's rule.

``compute_payments(scenario, events=...)`` (or ``trajecten=`` an ``analysis.kpis.traject_table``)
returns a ``FundingResult`` with

- ``payments``: one row per (replication, contract, year, month, kind) with ``amount`` in EUR,
  kind in voorschot/advance, invoice, settlement (verrekening, + = the municipality pays more,
  - = the provider pays back), payback (terugbetaling of empty plek-days), bonus (bonus-malus);
- ``finals``: what is finally paid per (replication, contract, year), computed by each rule's own
  formula, so tests can check that the payment rows add up to it (money is conserved);
- ``plekken``: bought, occupied and empty plek-days per (replication, contract, year).

Nothing here changes the flow; the rules only read the trajecten. The rules live with their
variant in ``simulation.funding.variants`` (docs/funding.md has one section per variant): days are
model days; a month is a calendar month cut to the contract period and the horizon; a yearly
amount is prorated by the days of the year the contract covers. Bonus-malus, the outcome reward
(beloning) and the extra-capacity cap are added on top (``addons``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.results import client_returns
from simulation.analysis.tables import traject_table
from simulation.core.calendar import Calendar
from simulation.funding.addons import add_ons
from simulation.funding.rows import FINAL_COLUMNS, KINDS, PAYMENT_COLUMNS, PLEK_COLUMNS, label_payments
from simulation.funding.settled import settle  # noqa: F401  (public here since the start)
from simulation.funding.valuation import realisation_rows, year_amount  # noqa: F401  (public here since the start)
from simulation.funding.variant import Money, Phase, rule



@dataclass
class FundingResult:
    payments: pd.DataFrame
    finals: pd.DataFrame
    plekken: pd.DataFrame

    def per_contract_year(self) -> pd.DataFrame:
        """Payments per (replication, contract, year) by kind, with the rule's final amount."""
        keys = ["replication", "contract", "year"]
        wide = self.payments.pivot_table(index=keys, columns="kind", values="amount", aggfunc="sum",
                                         fill_value=0.0, observed=True)
        wide = wide.reindex(columns=list(KINDS), fill_value=0.0)
        wide["paid"] = wide.sum(axis=1)
        out = wide.reset_index().merge(self.finals, on=keys, how="outer")
        # a contract year without payment rows (e.g. an open-house entrant before its entry) paid nothing
        return out.fillna({k: 0.0 for k in (*KINDS, "paid")})

    def finals_by_municipality(self, contracts) -> pd.DataFrame:
        """``finals`` with a municipality column: a contract's own municipality; a regional contract's final
        split over the municipalities it covers as its payment rows attribute it (their sum per
        municipality; see docs/funding.md, regio_budget)."""
        fin = self.finals.assign(municipality=[contracts[i].municipality for i in self.finals["contract"]])
        regional = [i for i, c in enumerate(contracts) if c.regional]
        if not regional:
            return fin
        keys = ["replication", "contract", "municipality", "year"]
        pay = self.payments[self.payments["contract"].isin(regional)]
        split = (pay.assign(municipality=pay["municipality"].astype(str)).groupby(keys, as_index=False)["amount"]
                 .sum().rename(columns={"amount": "final"}))
        return pd.concat([fin[~fin["contract"].isin(regional)], split[fin.columns]], ignore_index=True)


def compute_payments(scenario, events: Optional[pd.DataFrame] = None, trajecten: Optional[pd.DataFrame] = None,
                     replications=None) -> FundingResult:
    """Payments, final amounts and plek-days for every contract in ``scenario.funding``."""
    if trajecten is None:
        trajecten = traject_table(events)
    if replications is None:
        source = events if events is not None else trajecten
        replications = np.sort(source["replication"].unique())
    reps = np.asarray(replications)
    cal = Calendar.of(scenario)
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    # the days clients (re)enter help, from the whole log: a return to another provider or segment counts
    returns = (client_returns(trajecten, events)
               if any(rule(c.variant).uses_results or c.beloning is not None for c in contracts) else None)
    groups = trajecten.groupby(["municipality", "provider", "segment"], observed=True).indices if len(trajecten) else {}
    phases = []
    for i, c in enumerate(contracts):
        if c.regional:   # a regional contract pays the trajecten of every municipality it covers
            found = [groups[k] for k in c.keys() if k in groups]
            idx = np.sort(np.concatenate(found)) if found else None
        else:
            idx = groups.get(c.key)
        idx = idx if idx is not None else np.zeros(0, np.int64)
        phases += contract_phases(i, c, trajecten, idx, scenario, cal, reps, returns)
    money = pay_phases(phases)
    pay = pd.concat(money.rows, ignore_index=True) if money.rows else pd.DataFrame(columns=PAYMENT_COLUMNS)
    fin = pd.concat(money.finals, ignore_index=True) if money.finals else pd.DataFrame(columns=FINAL_COLUMNS)
    fin = fin.groupby(["replication", "contract", "year"], as_index=False)["final"].sum()
    pk = pd.concat(money.plekken, ignore_index=True) if money.plekken else pd.DataFrame(columns=PLEK_COLUMNS)
    pay, fin = add_ons(pay, fin, contracts, trajecten, cal, scenario, returns)
    if "where" in pay:   # coded rows (kind as its index in KINDS sorts as the categorical): names added once
        if len(pay):
            pay = pay.sort_values(["replication", "contract", "year", "month", "kind"], ignore_index=True)
        pay = label_payments(pay, contracts)
    return FundingResult(pay, fin, pk)


def contract_phases(i: int, contract, trajecten: pd.DataFrame, rows: np.ndarray, scenario, cal: Calendar, reps,
                    returns: Optional[pd.DataFrame] = None) -> list[Phase]:
    """The phases of contract ``i`` cut to the horizon; its trajecten are ``trajecten`` at positions ``rows``
    (taken once, by the first phase whose rule asks for them)."""
    out = []
    for p_start, p_end, mode, count in contract.phases(scenario):
        lo, hi = max(cal.day(p_start), 0.0), min(cal.day(p_end), cal.horizon)
        if hi > lo:
            out.append(Phase(i, contract, None, scenario, cal, reps, lo, hi, mode, count, returns, trajecten, rows))
    return out


def pay_phases(phases: list[Phase]) -> Money:
    """The money of ``phases``: each rule pays all phases of its mode at once (``Variant.pay_many``); the frames
    come back in the order of ``phases`` (each phase's rows in its rule's order), without the column phase."""
    by_mode: dict[str, list[int]] = {}
    for n, phase in enumerate(phases):
        by_mode.setdefault(phase.mode, []).append(n)
    parts = {"rows": [], "finals": [], "plekken": []}
    for mode, members in by_mode.items():
        money, seq = rule(mode).pay_many([phases[n] for n in members]), np.asarray(members, np.int64)
        for name, frames in (("rows", money.rows), ("finals", money.finals), ("plekken", money.plekken)):
            parts[name] += [f.assign(phase=seq[f["phase"].to_numpy(np.int64)]) for f in frames]
    return Money(**{name: [_in_phase_order(frames)] if frames else [] for name, frames in parts.items()})


def _in_phase_order(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames as one, ordered by phase (stable: the order within a phase is kept)."""
    frame = pd.concat(frames, ignore_index=True)
    order = np.argsort(frame["phase"].to_numpy(), kind="stable")
    return frame.take(order).drop(columns="phase").reset_index(drop=True)


def contract_payments(i: int, contract, sub: pd.DataFrame, scenario, cal: Calendar, reps,
                      returns: Optional[pd.DataFrame] = None) -> Money:
    """The money of contract ``i``: each phase (cut to the horizon) paid by the rule its mode names."""
    money = Money()
    for p_start, p_end, mode, count in contract.phases(scenario):
        lo, hi = max(cal.day(p_start), 0.0), min(cal.day(p_end), cal.horizon)
        if hi <= lo:
            continue
        phase_money = rule(mode).pay(Phase(i, contract, sub, scenario, cal, reps, lo, hi, mode, count, returns))
        money.rows += phase_money.rows
        money.finals += phase_money.finals
        money.plekken += phase_money.plekken
    return money
