"""resultaat (resultaatbekostiging, outputgericht; 004 annex 1): a price per result reached in a traject,
client-bound, paid per period and/or in a part at the start and a part when the result is reached.

Per traject of type t with price P = tariffs[t] (the price per result), s = share_at_start,
q = share_per_period, period length L (``periode``: ``maand``: calendar months; ``vier_weken``: 13 periods a
calendar year, of 28 days from 1 January, the 13th up to 31 December) and n = ceil(planned
doorlooptijd of t / L) planned periods (L = 365.25 / 12 days for a month):

- start part: s x P in the month of start_zorg; not for a continuation (verlenging, step-down: no
  new start of care) nor for a traject in care on the start date (paid before the horizon);
- period part: q x P / n for each period with at least one day of care, the first n periods of
  the traject only, paid in the month of its first day of care in the period (periods before the
  horizon or the contract were paid then, not here);
- result part: when the traject ends as a result (``result``, see analysis/results.py: afschaling,
  optionally step-down, no return of the client within ``result.follow_up_days``): what is left of
  the price, (1 - s) x P - period parts received (so a result is always worth P in total, however
  long the traject ran; a continuation's price has no start part). Uitval, opschaling and
  verlenging never pay the result part.

When is the result paid? Its follow-up ends ``follow_up_days`` after the stop, possibly past the
horizon (``result_payment``):
- ``at_end`` (default, an assumption: 004 annex 1 ties payment to the afsluiting): paid in the month
  of stop_zorg; when the client returns within the follow-up, the result part is paid back
  (payback) in the month of the return. A return after the contract period or the horizon is not
  clawed back in the model: results open at the horizon (``onbekend``) stay paid.
- ``after_follow_up``: withheld until known: paid in the month the follow-up ends without a
  return, if that lies in the contract period and the horizon; otherwise not paid in the model.

``on_failure``: what happens to the start and period parts already paid when the traject ends in
uitval or the client returns within the follow-up: ``keep`` (default, an assumption: the
documents do not say) or ``payback`` (paid back in the month of the uitval or the return, when it
lies in the contract period: pure result funding, "niet voor de ingezette zorg"). Open-ended like
traject: the planned value of a traject (commitment at toewijzing) is its price P. Optional
bonus-malus (ContractBase.bonus_malus) as for any contract.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Literal

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field, model_validator

from simulation.analysis.results import client_returns, mark_results
from simulation.config.contracts import ContractBase, ResultDefinition
from simulation.config.pricing import TrajectPricing
from simulation.core.calendar import Calendar
from simulation.funding.rows import finals_frame, payment_frame
from simulation.funding.variant import Money, Phase, Variant, register

PERIOD_DAYS = {"maand": 365.25 / 12, "vier_weken": 28.0}


class ResultaatContract(ContractBase, TrajectPricing):
    """Price per result (``tariffs``, per traject type), split into start, period and result parts."""

    variant: Literal["resultaat"]
    share_at_start: float = Field(0.0, ge=0, le=1, description="share of the price paid at start_zorg (default 0: "
                                                             "everything at the result)")
    share_per_period: float = Field(0.0, ge=0, le=1, description="share of the price paid in equal parts per period in care")
    periode: Literal["maand", "vier_weken"] = Field("maand", description="the payment period: a calendar month or four weeks")
    result: ResultDefinition = Field(default_factory=ResultDefinition, description="what counts as a result")
    result_payment: Literal["at_end", "after_follow_up"] = Field(
        "at_end", description="at_end: paid at stop_zorg, paid back on a return within the follow-up; "
                              "after_follow_up: withheld until the follow-up has passed")
    on_failure: Literal["keep", "payback"] = Field(
        "keep", description="start and period parts on uitval or recidive: kept, or paid back")

    @model_validator(mode="after")
    def _shares(self):
        if self.share_at_start + self.share_per_period > 1 + 1e-12:
            raise ValueError(f"share_at_start + share_per_period moet 1 of minder zijn (de rest wordt bij het resultaat betaald), "
                             f"gevonden: {self.share_at_start} + {self.share_per_period}")
        return self


def period_starts(cal: Calendar, period: str, first: float, last: float) -> np.ndarray:
    """Model days on which payment periods begin, from the period holding ``first`` to past ``last``."""
    d0, d1 = cal.date(first), cal.date(last)
    out = []
    for year in range(d0.year, d1.year + 2):
        if period == "maand":
            out += [cal.day(dt.date(year, m, 1)) for m in range(1, 13)]
        else:
            out += [cal.day(dt.date(year, 1, 1)) + 28.0 * j for j in range(13)]
    return np.asarray(out, float)


def _periods(sub: pd.DataFrame, n_planned: np.ndarray, cal: Calendar, period: str) -> pd.DataFrame:
    """One row per (traject, paid period): pos (row of ``sub``) and day (first day of care in the period)."""
    if not len(sub):
        return pd.DataFrame({"pos": np.zeros(0, int), "day": np.zeros(0)})
    a, b = sub["start"].to_numpy(float), sub["stop"].to_numpy(float)
    ok = b > a
    bounds = period_starts(cal, period, float(a.min()), float(b.max()))
    first = np.searchsorted(bounds, a, side="right") - 1
    last = np.searchsorted(bounds, np.nextafter(b, -np.inf), side="right") - 1
    n = np.where(ok, np.minimum(last - first + 1, n_planned), 0)
    pos = np.repeat(np.arange(len(a)), n)
    j = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return pd.DataFrame({"pos": pos, "day": np.maximum(a[pos], bounds[j])})


@register
class Resultaat(Variant):
    name = "resultaat"
    schema = ResultaatContract
    open_ended = True
    uses_results = True

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0   # no yearly value: its commitments count, as for traject

    def pay(self, phase: Phase) -> Money:
        c, cal, sub, lo, hi = phase.contract, phase.cal, phase.trajecten, phase.lo, phase.hi
        types = phase.scenario.segments[c.segment].traject_types
        tt = sub["traject_type"].astype(str)
        price = tt.map(c.tariffs).to_numpy(float)
        n_planned = tt.map({name: max(1, math.ceil(t.planned_doorlooptijd / PERIOD_DAYS[c.periode]))
                            for name, t in types.items()}).to_numpy(int) if len(sub) else np.zeros(0, int)
        start, stop = sub["start"].to_numpy(float), sub["stop"].to_numpy(float)
        returns = phase.returns if phase.returns is not None else client_returns(sub)
        marks = mark_results(sub, cal.horizon, c.result.follow_up_days, c.result.step_down, returns)
        result = marks["resultaat"].astype(str).to_numpy()
        back = marks["terug_dag"].to_numpy(float)
        inside = lambda day: (day >= lo) & (day < hi)   # noqa: E731

        items = []   # frames of (pos: row of sub, day, amount, part)

        def add(pos, day, amount, part):
            items.append(pd.DataFrame({"pos": pos, "day": day, "amount": amount, "part": part}))

        # start part
        s_pos = np.flatnonzero(inside(start) & ~sub["voortzetting"].to_numpy(bool) & ~sub["beginstand"].to_numpy(bool))
        add(s_pos, start[s_pos], price[s_pos] * c.share_at_start, "start")
        # period parts: all periods of the traject (before the phase they count as received)
        per = _periods(sub, n_planned, cal, c.periode) if c.share_per_period > 0 else pd.DataFrame({"pos": [], "day": []})
        per_pos = per["pos"].to_numpy(int)
        instalment = price[per_pos] * c.share_per_period / n_planned[per_pos]
        received = np.bincount(per_pos, weights=instalment, minlength=len(sub))
        here = inside(per["day"].to_numpy(float))
        add(per_pos[here], per["day"].to_numpy(float)[here], instalment[here], "period")
        # result part: what is left of the price
        rest = np.maximum(price * (1 - c.share_at_start) - received, 0.0)
        candidate = np.isin(result, ["bereikt", "recidive", "onbekend"])
        if c.result_payment == "at_end":
            r_pos = np.flatnonzero(candidate & inside(stop))
            add(r_pos, stop[r_pos], rest[r_pos], "result")
            back_pos = r_pos[(result[r_pos] == "recidive") & inside(back[r_pos])]
            add(back_pos, back[back_pos], -rest[back_pos], "clawback")
        else:
            known = stop + c.result.follow_up_days
            r_pos = np.flatnonzero((result == "bereikt") & (stop >= lo) & inside(known))
            add(r_pos, known[r_pos], rest[r_pos], "result")
        # start and period parts paid back on failure
        if c.on_failure == "payback":
            frame = pd.concat(items, ignore_index=True)
            parts = frame[frame["part"].isin(["start", "period"])]
            paid_here = np.bincount(parts["pos"].to_numpy(int), weights=parts["amount"].to_numpy(float),
                                    minlength=len(sub))
            fail_day = np.where(result == "uitval", stop, np.where(result == "recidive", back, np.nan))
            f_pos = np.flatnonzero(inside(fail_day) & (paid_here > 0))
            add(f_pos, fail_day[f_pos], -paid_here[f_pos], "failure")

        x = pd.concat(items, ignore_index=True)
        pos = x["pos"].to_numpy(int)
        reps = sub["replication"].to_numpy()[pos]
        k = cal.month_index(x["day"].to_numpy(float))
        kind = np.where(x["part"].isin(["clawback", "failure"]).to_numpy(), "payback", "invoice")
        rows = [payment_frame(phase.index, c, phase.mode, reps[kind == kd], k[kind == kd],
                              x["amount"].to_numpy(float)[kind == kd], kd, cal) for kd in ("invoice", "payback")]
        # finals: what the trajecten earn per year (start, period and result parts less paybacks)
        per_year = pd.DataFrame({"replication": reps, "year": cal.year[k], "amount": x["amount"].to_numpy(float)})
        per_year = per_year.groupby(["replication", "year"], as_index=False)["amount"].sum()
        return Money(rows=rows, finals=[finals_frame(phase.index, phase.reps, phase.years, per_year)])
