"""lumpsum: voorschot per month = amount x days / days of the year; never settled."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from simulation.config.contracts import ContractBase
from simulation.config.pricing import YearSchedule, check_schedule, for_year
from simulation.funding.settled import AgreedAmountVariant
from simulation.funding.valuation import year_amount
from simulation.funding.variant import register


class LumpsumContract(ContractBase):
    variant: Literal["lumpsum"]
    amount: YearSchedule = Field(description="fixed EUR per year, monthly; no settlement")

    @field_validator("amount")
    @classmethod
    def _a(cls, v):
        return check_schedule(v, "amount")


@register
class Lumpsum(AgreedAmountVariant):
    name = "lumpsum"
    schema = LumpsumContract
    settles = False

    def agreed(self, contract, scenario, year, days, year_days) -> float:
        return year_amount(contract.amount, year, days, year_days)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return float(for_year(contract.amount, year)) * days / year_days
