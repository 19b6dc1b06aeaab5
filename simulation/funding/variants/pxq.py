"""pxq (inspanningsgericht, input): invoice per month = units delivered in the month x unit price.

units = traject type weight x intensity factor x days in care / 7. Open-ended: no yearly value.
"""
from __future__ import annotations

from typing import Literal

from simulation.config.contracts import ContractBase
from simulation.config.pricing import PxqPricing
from simulation.funding.invoiced import InvoicedVariant
from simulation.funding.variant import register


class PxqContract(ContractBase, PxqPricing):
    variant: Literal["pxq"]


@register
class Pxq(InvoicedVariant):
    name = "pxq"
    schema = PxqContract
