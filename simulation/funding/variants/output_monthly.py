"""output_monthly (Meierij): invoice = monthly tariff per client per category per month with >= 1 day of care.

Open-ended: no yearly value.
"""
from __future__ import annotations

from typing import Literal

from simulation.config.contracts import ContractBase
from simulation.config.pricing import MonthlyPricing
from simulation.funding.invoiced import InvoicedVariant
from simulation.funding.variant import register


class OutputMonthlyContract(ContractBase, MonthlyPricing):
    variant: Literal["output_monthly"]


@register
class OutputMonthly(InvoicedVariant):
    name = "output_monthly"
    schema = OutputMonthlyContract
