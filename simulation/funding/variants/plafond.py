"""plafond (budgetplafond): invoices of realisation while the year's cumulative realisation stays
under the ceiling; no voorschotten.

In the flow every toewijzing commits its planned value (the realisation pricing at the planned
doorlooptijd) to the ceiling of its year; a traject that does not fit goes to another provider or
waits until 1 January (see ``simulation.funding.flow``).
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from simulation.config.contracts import ContractBase
from simulation.config.pricing import Realisation, YearSchedule, check_schedule, for_year
from simulation.funding.batch import Batch
from simulation.funding.grouped import sum_by, sum_by_part
from simulation.funding.rows import finals_frame, payment_frame
from simulation.funding.valuation import planned_value, realisation_rows, year_amount
from simulation.funding.variant import Money, Phase, Variant, register


class PlafondContract(ContractBase):
    variant: Literal["plafond"]
    ceiling: YearSchedule = Field(description="budgetplafond: EUR per year; commitments count from toewijzing")
    realisation: Realisation = Field(description="how realised care is valued (and commitments at toewijzing)")

    @field_validator("ceiling")
    @classmethod
    def _c(cls, v):
        return check_schedule(v, "ceiling")


@register
class Plafond(Variant):
    name = "plafond"
    schema = PlafondContract
    has_ceiling = True
    open_ended = False

    def ceiling(self, contract, year: int) -> float:
        return for_year(contract.ceiling, year)

    def planned_value(self, contract, scenario, segment: str, traject_type: str) -> float:
        return planned_value(contract.realisation, scenario, segment, traject_type, contract.behaviour.intensity_factor,
                             contract.provider)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return float(for_year(contract.ceiling, year)) * days / year_days

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of all phases in one pass (``funding.batch``)."""
        b = Batch(phases)
        v = b.realised(lambda p: p.contract.realisation)   # ordered by (phase, replication, k), as pay sorts
        v["year"] = b.cal.year[v["k"].to_numpy()]
        ceiling = {(n, int(yr)): year_amount(p.contract.ceiling, int(yr), d, yd) for n, p in enumerate(phases)
                   for yr, d, yd in zip(p.years["year"], p.years["days"], p.years["year_days"])}
        cap = np.array([ceiling[key] for key in zip(v["phase"].tolist(), v["year"].tolist())], float)
        cum = v.groupby(["phase", "replication", "year"])["amount"].cumsum().to_numpy()
        paid = np.minimum(cum, cap) - np.minimum(cum - v["amount"].to_numpy(), cap)
        rows = b.rows(v["phase"], v["replication"].to_numpy(), v["k"], paid, "invoice")
        tot = sum_by_part(v, ["phase", "replication", "year"], ["amount"])
        top = np.array([ceiling[key] for key in zip(tot["phase"].tolist(), tot["year"].tolist())], float)
        tot["amount"] = np.minimum(tot["amount"].to_numpy(), top)
        return Money(rows=[rows], finals=[b.finals(tot)])

    def pay(self, phase: Phase) -> Money:
        c, cal, years = phase.contract, phase.cal, phase.years
        v = realisation_rows(phase.trajecten, c.realisation, phase.lo, phase.hi, cal, phase.scenario, c.segment,
                             phase.intensity)
        v["year"] = cal.year[v["k"].to_numpy()]
        ceiling = {int(yr): year_amount(c.ceiling, int(yr), d, yd)
                   for yr, d, yd in zip(years["year"], years["days"], years["year_days"])}
        v = v.sort_values(["replication", "k"])
        cap = v["year"].map(ceiling).to_numpy(float)
        cum = v.groupby(["replication", "year"])["amount"].cumsum().to_numpy()
        paid = np.minimum(cum, cap) - np.minimum(cum - v["amount"].to_numpy(), cap)
        rows = payment_frame(phase.index, c, phase.mode, v["replication"].to_numpy(), v["k"], paid, "invoice", cal)
        tot = sum_by(v, ["replication", "year"], ["amount"])
        tot["amount"] = np.minimum(tot["amount"], tot["year"].map(ceiling))
        return Money(rows=[rows], finals=[finals_frame(phase.index, phase.reps, years, tot)])
