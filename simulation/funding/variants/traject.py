"""traject (outputgericht): a tariff per traject, at start_zorg, or split between start and end.

invoice = tariff x share_at_start in the month of start_zorg, tariff x (1 - share_at_start) in the
month of stop_zorg (not at einde_horizon). Trajecten in care on the start date (beginstand) were
paid at their start, before the horizon. May convert to plekken (``conversions``); in a plekken
phase the plekken rule pays. Open-ended while it runs as trajecten.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulation.config.contracts import ContractBase, Conversion
from simulation.config.pricing import TrajectPricing
from simulation.funding.invoiced import InvoicedVariant
from simulation.funding.variant import register


class TrajectContract(ContractBase, TrajectPricing):
    variant: Literal["traject"]
    conversions: list[Conversion] = Field(default_factory=list)


@register
class Traject(InvoicedVariant):
    name = "traject"
    schema = TrajectContract
