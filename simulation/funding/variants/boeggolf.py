"""boeggolf (participatie PW S3 werkgeversondersteuning, 004 par. 7.3 and annex 1): a fixed rate per
traject (a "reëel tarief", paid as ``traject`` pays it) under a contract whose end follows the
boeggolf principle.

The contract starts with a horizon of ``horizon_years`` (X). At the yearly evaluation, at the end of
each contract year while the contract runs, a good year earns one extension year (the end moves
one year on, so the provider again sees X years ahead); a poor year earns none (the horizon left
shrinks to X - 1, and can be earned back later). The end never passes start + ``max_years`` (the
3 + 3 + 3 of 004 par. 7.3) nor the contract's own ``end``. A year is good when at least
``min_doelrealisatie`` of the contract's trajecten that closed in it (not open at the horizon)
ended by afschaling or step-down (assumption: the documents name "goede prestaties" without a
measure; this is the outcome the log supports); a year without closed trajecten is good.

Money, per replication with its own end E: every traject that started before E (or was in care at
the contract's start) is paid under the contract, its end part too when it stops after E (what
still runs at the end of a contract is paid under it); trajecten starting on or after E are not paid
by this contract. ``boeggolf_ends`` gives E and every evaluation.

A successor (variant ``opvolger``, ``follows`` = the boeggolf contract's index) takes the perceel
over at E: the clients in care at E continue under it (it pays the end part of their traject at its
own tariff, the predecessor then pays only what falls before E) and every traject starting at E or
later is its own. 004 annex 1 describes the rolling horizon, not what follows its end: the
successor, and that it works with the same doorlooptijden and outcomes (the log keeps the
perceel's provider name), are assumptions.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field

from simulation.config.contracts import ContractBase
from simulation.config.pricing import TrajectPricing
from simulation.funding.rows import finals_frame, payment_frame, per_year
from simulation.funding.valuation import realisation_rows
from simulation.funding.variant import Money, Phase, Variant, register

GOOD_ENDS = ("afschaling", "step_down")


class BoeggolfContract(ContractBase, TrajectPricing):
    """Traject tariffs under a rolling contract horizon (boeggolfprincipe)."""

    variant: Literal["boeggolf"]
    horizon_years: int = Field(3, ge=1, description="X: the horizon the provider keeps while every evaluation is good")
    max_years: Optional[int] = Field(9, ge=1, description="the longest the contract can run (3 + 3 + 3); none: no limit")
    min_doelrealisatie: float = Field(0.5, ge=0, le=1, description="a year is good when at least this share of the "
                                                                    "trajecten closed in it ended by afschaling or step-down")


def add_years(date: dt.date, years: int) -> dt.date:
    """``date`` plus whole years (29 February becomes 28 February)."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def rolled_end(start: dt.date, horizon_years: int, evaluations, max_end: Optional[dt.date] = None
               ) -> list[tuple[dt.date, bool, dt.date]]:
    """The boeggolf: (evaluation date, good, end after it) for each evaluation that falls while the
    contract runs; ``evaluations``: good (True) or not per contract year, in order. The first row
    is (start, True, the initial end)."""
    end = add_years(start, horizon_years)
    end = min(end, max_end) if max_end else end
    out = [(start, True, end)]
    for j, good in enumerate(evaluations):
        when = add_years(start, j + 1)
        if when >= end:
            break
        if good:
            end = min(add_years(end, 1), max_end) if max_end else add_years(end, 1)
        out.append((when, bool(good), end))
    return out


def _max_end(c, start: dt.date) -> Optional[dt.date]:
    ends = [d for d in (c.end, add_years(start, c.max_years) if c.max_years else None) if d is not None]
    return min(ends) if ends else None


def boeggolf_ends(contract, trajecten: pd.DataFrame, cal, reps) -> pd.DataFrame:
    """Per replication and evaluation: date, good, share of good ends, and the contract end after it."""
    start = contract.start or cal.date(0.0)
    rows = []
    for rep in reps:
        s = trajecten[trajecten["replication"] == rep]
        evaluations, shares = [], []
        j = 0
        while cal.day(add_years(start, j + 1)) <= cal.horizon:
            a, b = cal.day(add_years(start, j)), cal.day(add_years(start, j + 1))
            closed = s[(s["stop"] >= a) & (s["stop"] < b) & (s["reden"].astype(str) != "einde_horizon")]
            share = float(closed["reden"].astype(str).isin(GOOD_ENDS).mean()) if len(closed) else float("nan")
            evaluations.append(not len(closed) or share >= contract.min_doelrealisatie)
            shares.append(share)
            j += 1
        for n, (when, good, end) in enumerate(rolled_end(start, contract.horizon_years, evaluations,
                                                          _max_end(contract, start))):
            rows.append({"replication": rep, "evaluatie": when, "goed": good,
                         "doelrealisatie": shares[n - 1] if n else float("nan"), "einde": end})
    return pd.DataFrame(rows, columns=["replication", "evaluatie", "goed", "doelrealisatie", "einde"])


@register
class Boeggolf(Variant):
    name = "boeggolf"
    schema = BoeggolfContract
    open_ended = True

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0   # no yearly value: its commitments count, as for traject

    def pay(self, phase: Phase) -> Money:
        c, cal, sub = phase.contract, phase.cal, phase.trajecten
        ends = end_days(c, sub, cal, phase.reps)
        end_day = sub["replication"].map(ends).to_numpy(float)
        kept = sub[sub["start"].to_numpy(float) < end_day]
        if successor_of(phase.scenario, phase.index) is None:
            v = realisation_rows(kept, c, phase.lo, phase.hi, cal, phase.scenario, c.segment, phase.intensity)
        else:   # the successor pays what falls from E on
            v = _per_replication(kept, c, phase, {r: (phase.lo, min(phase.hi, e)) for r, e in ends.items()})
        return _money(phase, v)


class OpvolgerContract(ContractBase, TrajectPricing):
    """The successor of a boeggolf contract: takes its perceel over when it ends (see the module)."""

    variant: Literal["opvolger"]
    follows: int = Field(ge=0, description="index in funding.contracts of the boeggolf contract it succeeds "
                                           "(same municipality, provider and segment)")

    def check_scenario(self, scenario, where: str) -> None:
        contracts = scenario.funding.contracts
        other = contracts[self.follows] if self.follows < len(contracts) else None
        if other is None or other.variant != "boeggolf" or other.key != self.key:
            raise ValueError(f"{where}: follows {self.follows} moet een boeggolfcontract noemen van dezelfde gemeente, "
                             f"aanbieder en hetzelfde segment")
        if sum(1 for x in contracts if getattr(x, "follows", None) == self.follows) > 1:
            raise ValueError(f"{where}: funding.contracts[{self.follows}] heeft meer dan één opvolger; geef er één")


@register
class Opvolger(Variant):
    name = "opvolger"
    schema = OpvolgerContract
    open_ended = True

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0

    def pay(self, phase: Phase) -> Money:
        c, cal, sub = phase.contract, phase.cal, phase.trajecten
        before = phase.scenario.funding.contracts[c.follows]
        ends = end_days(before, sub, cal, phase.reps)
        v = _per_replication(sub, c, phase, {r: (max(phase.lo, e), phase.hi) for r, e in ends.items()})
        return _money(phase, v)


def successor_of(scenario, index: int):
    """The opvolger contract of contract ``index``, or None."""
    return next((x for x in scenario.funding.contracts if getattr(x, "follows", None) == index), None)


def end_days(contract, trajecten: pd.DataFrame, cal, reps) -> dict:
    """Per replication the model day the boeggolf contract ends (its last rolled end)."""
    ends = boeggolf_ends(contract, trajecten, cal, reps).groupby("replication")["einde"].last()
    return {r: float(cal.day(e)) for r, e in ends.items()}


def _per_replication(sub: pd.DataFrame, c, phase: Phase, windows: dict) -> pd.DataFrame:
    """realisation_rows of each replication over its own window [lo, hi) of model days."""
    parts = [realisation_rows(sub[sub["replication"] == r], c, lo, hi, phase.cal, phase.scenario, c.segment,
                              phase.intensity) for r, (lo, hi) in windows.items() if lo < hi]
    if parts:
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"replication": np.array([], int), "k": np.array([], int), "amount": [], "units": []})


def _money(phase: Phase, v: pd.DataFrame) -> Money:
    c, cal = phase.contract, phase.cal
    rows = payment_frame(phase.index, c, phase.mode, v["replication"].to_numpy(), v["k"], v["amount"], "invoice", cal)
    return Money(rows=[rows], finals=[finals_frame(phase.index, phase.reps, phase.years, per_year(v, cal))])
