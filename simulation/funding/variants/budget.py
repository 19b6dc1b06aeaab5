"""budget (taakgericht): monthly voorschotten of the agreed budget, settled against realisation.

voorschot per month = budget x days / days of the year; at year end the realisation R (valued by
``realisation``) is compared with the budget B: nothing is settled when |R - B| <= band x B;
otherwise the whole difference (settlement = whole) or the part outside the band (outside_band).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from simulation.config.contracts import SettledContract
from simulation.config.pricing import YearSchedule, check_schedule, for_year
from simulation.funding.settled import AgreedAmountVariant
from simulation.funding.valuation import year_amount
from simulation.funding.variant import register


class BudgetContract(SettledContract):
    variant: Literal["budget"]
    budget: YearSchedule = Field(description="agreed EUR per year, paid in monthly voorschotten")

    @field_validator("budget")
    @classmethod
    def _b(cls, v):
        return check_schedule(v, "budget")


@register
class Budget(AgreedAmountVariant):
    name = "budget"
    schema = BudgetContract

    def agreed(self, contract, scenario, year, days, year_days) -> float:
        return year_amount(contract.budget, year, days, year_days)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return float(for_year(contract.budget, year)) * days / year_days
