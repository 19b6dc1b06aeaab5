"""beschikbaarheid (participatie PW S1, 004 par. 7.3): an availability provision without purchase
obligation plus trajectory funding, under a budget agreement with an interim adjustment.

Per calendar year (prorated to the days the phase covers; A = ``availability``, B = ``budget``):

- the availability part A is paid in monthly voorschotten and never settled: it pays the basic
  provision, however many clients the casusregisseur sends (no purchase obligation, no guarantee);
- the traject part is valued as ``traject`` values it (``tariffs``, start / end parts) and agreed
  at B a year, paid in monthly voorschotten of B;
- interim adjustment (``review_month``, the first day of that month): the realisation R_r of the
  months before it is extrapolated to the year, P = R_r x covered days / elapsed days; when
  |P - B| > ``review_band`` x B the budget becomes B' = P (else B' = B) and the remaining
  voorschotten pay B' minus what was advanced, spread over the remaining days (never below 0);
- at year end the traject part is settled against the realisation R as ``budget`` settles:
  nothing within ``band`` x B' of B', else the whole difference or the part outside the band.

Final = A + the settled traject part. The outcome reward (``beloning``) is the add-on of any contract.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field, field_validator

from simulation.config.contracts import Band, ContractBase
from simulation.config.pricing import TrajectPricing, YearSchedule, check_schedule, for_year
from simulation.funding.rows import payment_frame
from simulation.funding.settled import settled_final
from simulation.funding.valuation import realisation_rows, year_amount
from simulation.funding.variant import Money, Phase, Variant, register


class BeschikbaarheidContract(ContractBase, TrajectPricing):
    """Availability amount plus traject tariffs within a yearly traject budget, adjusted once a year."""

    variant: Literal["beschikbaarheid"]
    availability: YearSchedule = Field(description="EUR per year for the basic provision, monthly, never settled")
    budget: YearSchedule = Field(description="budgetafspraak: EUR per year for the trajecten, paid in monthly voorschotten")
    review_month: int = Field(7, ge=2, le=12, description="interim adjustment on the first day of this month")
    review_band: float = Field(0.1, ge=0, description="the budget is adjusted when the projection deviates more "
                                                      "than this share from it")
    band: Band = Field(0.0, ge=0, description="bandbreedte of the year-end settlement around the adjusted budget "
                                               "(.inf: never settled)")
    settlement: Literal["whole", "outside_band"] = Field("whole", description="as for budget")

    @field_validator("availability", "budget")
    @classmethod
    def _amounts(cls, v, info):
        return check_schedule(v, info.field_name)


def adjusted_budget(budget: np.ndarray, realised_before: np.ndarray, elapsed: float, covered: float,
                    review_band: float) -> np.ndarray:
    """B' at the interim review: the projection R_r x covered / elapsed when it deviates more than
    ``review_band`` x B from B, else B (B unchanged when nothing has elapsed)."""
    budget = np.asarray(budget, float)
    if elapsed <= 0:
        return budget
    projection = np.asarray(realised_before, float) * covered / elapsed
    limit = np.multiply(review_band, budget, out=np.zeros_like(budget), where=budget > 0)
    return np.where(np.abs(projection - budget) > limit, projection, budget)


@register
class Beschikbaarheid(Variant):
    name = "beschikbaarheid"
    schema = BeschikbaarheidContract
    open_ended = False

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return (float(for_year(contract.availability, year)) + float(for_year(contract.budget, year))) * days / year_days

    def pay(self, phase: Phase) -> Money:
        c, cal, reps = phase.contract, phase.cal, np.asarray(phase.reps)
        v = realisation_rows(phase.trajecten, c, phase.lo, phase.hi, cal, phase.scenario, c.segment, phase.intensity)
        real = v.pivot_table(index="replication", columns="k", values="amount", aggfunc="sum", fill_value=0.0)
        months = cal.months_in(phase.lo, phase.hi)
        rows, finals = [], []
        for yr, covered, yd in zip(phase.years["year"], phase.years["days"], phase.years["year_days"]):
            m = months[months["year"] == yr]
            ks, mdays = m["k"].to_numpy(), m["days"].to_numpy(float)
            avail = year_amount(c.availability, int(yr), covered, yd)
            budget = np.full(len(reps), year_amount(c.budget, int(yr), covered, yd))
            r_month = real.reindex(index=reps, columns=ks, fill_value=0.0).to_numpy(float)   # reps x months
            before = np.asarray(m["month"] < c.review_month)
            elapsed = float(mdays[before].sum())
            new = adjusted_budget(budget, r_month[:, before].sum(axis=1), elapsed if before.any() and (~before).any()
                                  else 0.0, covered, c.review_band)
            adv = np.outer(budget, np.where(before, mdays / covered, 0.0))
            rest_days = mdays[~before].sum()
            if rest_days > 0:
                left = np.maximum(new - adv.sum(axis=1), 0.0)
                adv[:, ~before] = np.outer(left, mdays[~before] / rest_days)
            realised = r_month.sum(axis=1)
            traject = new if not math.isfinite(c.band) else settled_final(realised, new, c.band, c.settlement)
            adv += np.outer(np.ones(len(reps)), avail * mdays / covered)
            rows.append(payment_frame(phase.index, c, phase.mode, np.repeat(reps, len(ks)), np.tile(ks, len(reps)),
                                      adv.ravel(), "advance", cal))
            final = avail + traject
            rows.append(payment_frame(phase.index, c, phase.mode, reps, np.full(len(reps), ks.max()),
                                      final - adv.sum(axis=1), "settlement", cal))
            finals.append(pd.DataFrame({"replication": reps, "contract": phase.index, "year": int(yr), "final": final}))
        return Money(rows=rows, finals=finals)
