"""lumpsum: voorschot per month = amount x days / days of the year; never settled.

``tussenevaluatie`` (Achterhoek, 002: a mid-term evaluation in 2024 "can lead to adjustment"; 000 par.
3.3 derives the lump sum from spend per client): the lump sums from ``vanaf`` on are re-derived, per
replication, by the same steps from the evaluation year ``jaar``: the realised spend per client there
(the care delivered, valued by ``realisation``) x its clients = the realised value R; times the
development the schedule carries from ``jaar`` to each later year (its amount(y) / amount(jaar): the
expected clients and step 7). So amount'(y) = R x amount(y) / amount(jaar) for y >= ``vanaf``; earlier
years are paid as agreed (and so is every year when ``vanaf`` lies after the horizon). That the evaluation re-derives the lump sum this way (and not, e.g., only
continues or ends the contract) is an assumption: 002 says only that it can lead to adjustment.
"""
from __future__ import annotations

from typing import Literal, Optional

from simulation._lazy import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulation.config.contracts import ContractBase, Realisation
from simulation.config.pricing import YearSchedule, check_schedule, for_year
from simulation.funding.batch import split_pay
from simulation.funding.settled import AgreedAmountVariant
from simulation.funding.valuation import realisation_rows, year_amount
from simulation.funding.variant import Money, Phase, register


class Tussenevaluatie(BaseModel):
    """The mid-term evaluation of a lump-sum contract: re-derive the lump sums from ``vanaf`` on."""

    model_config = ConfigDict(extra="forbid")
    jaar: int = Field(description="the evaluation year whose realised care is the base (Achterhoek: 2024, 002)")
    vanaf: int = Field(description="the first year paid at the re-derived lump sum (after jaar)")
    realisation: Realisation = Field(description="how the care delivered in jaar is valued (the spend per client)")

    @model_validator(mode="after")
    def _order(self):
        if self.vanaf <= self.jaar:
            raise ValueError(f"tussenevaluatie: vanaf {self.vanaf} moet na jaar {self.jaar} liggen")
        return self


class LumpsumContract(ContractBase):
    variant: Literal["lumpsum"]
    amount: YearSchedule = Field(description="fixed EUR per year, monthly; no settlement")
    tussenevaluatie: Optional[Tussenevaluatie] = Field(
        None, description="re-derive the lump sums from a year on from the realised spend of an evaluation year")

    @field_validator("amount")
    @classmethod
    def _a(cls, v):
        return check_schedule(v, "amount")

    def check_scenario(self, scenario, where: str) -> None:
        if self.tussenevaluatie is not None:   # one after the horizon changes nothing (a shortened run)
            self.tussenevaluatie.realisation.check_types(scenario.segments[self.segment].traject_types,
                                                         f"{where}: tussenevaluatie")


@register
class Lumpsum(AgreedAmountVariant):
    name = "lumpsum"
    schema = LumpsumContract
    settles = False

    def agreed(self, contract, scenario, year, days, year_days) -> float:
        return year_amount(contract.amount, year, days, year_days)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return float(for_year(contract.amount, year)) * days / year_days

    def pay_many(self, phases: list[Phase]) -> Money:
        """In one pass (``AgreedAmountVariant.pay_batch``), but phase by phase where the lump sum is re-derived."""
        return split_pay(self, phases, _rederived, self.pay_batch)

    def pay(self, phase: Phase) -> Money:
        money = super().pay(phase)
        if not _rederived(phase):
            return money
        e = phase.contract.tussenevaluatie
        factor = rederived_factor(phase.contract, phase)
        for frame, col in [(f, "amount") for f in money.rows] + [(f, "final") for f in money.finals]:
            later = frame["year"].to_numpy() >= e.vanaf
            frame.loc[later, col] = frame.loc[later, col] * frame.loc[later, "replication"].map(factor).to_numpy()
        return money


def _rederived(phase: Phase) -> bool:
    """Whether the phase pays re-derived lump sums (a tussenevaluatie from a year the phase reaches)."""
    e = phase.contract.tussenevaluatie
    return e is not None and e.vanaf <= phase.cal.year_of(phase.hi - 1)


def rederived_factor(contract, phase: Phase) -> pd.Series:
    """Per replication R / amount(jaar): the realised value of the evaluation year over its lump sum."""
    e, cal = contract.tussenevaluatie, phase.cal
    lo = max(phase.lo, float(cal.day(pd.Timestamp(e.jaar, 1, 1).date())))
    hi = min(phase.hi, float(cal.day(pd.Timestamp(e.jaar + 1, 1, 1).date())))
    v = realisation_rows(phase.trajecten, e.realisation, lo, hi, cal, phase.scenario, contract.segment,
                         phase.intensity)
    realised = v.groupby("replication")["amount"].sum().reindex(phase.reps, fill_value=0.0)
    return realised / float(for_year(contract.amount, e.jaar))
