"""casusbudget (participatie PW S2, 004 par. 7.3): P x Q at an hourly rate fixed in advance, within a
budget per case that the casusregisseur sets with the provider.

Every traject (a case; a verlenging is a new case with a budget of its own) gets at toewijzing the
budget b = ``budget_factor`` x planned hours x unit price, planned hours = traject type weight x
intensity factor x planned doorlooptijd / 7. Each month the hours delivered x unit price are
invoiced as ``pxq`` invoices them, as long as the case's cumulative invoices stay within b: the
month that crosses b pays up to b, later months nothing (hours above the case budget are the
provider's). There is no budgetplafond per provider (004 par. 7.3: the municipality's own
begroting is the financial frame). Open-ended; the commitment at toewijzing is b.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field

from simulation.config.contracts import ContractBase
from simulation.config.pricing import PxqPricing
from simulation.funding.rows import finals_frame, payment_frame, per_year
from simulation.funding.valuation import explode_months, planned_value
from simulation.funding.variant import Money, Phase, Variant, register


class CasusbudgetContract(ContractBase, PxqPricing):
    """Hourly rate (``unit_price``) x hours, capped per case at ``budget_factor`` x the planned hours' value."""

    variant: Literal["casusbudget"]
    budget_factor: float = Field(1.0, gt=0, description="the case budget as a multiple of the planned hours' value "
                                                         "(1: the hours of the plan of aanpak)")


def capped_invoices(amount: np.ndarray, case: np.ndarray, before: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """What is paid of month amounts (in time order within each case) when a case's cumulative invoices,
    starting from ``before`` (its value delivered before the phase), may not exceed ``budget``."""
    amount = np.asarray(amount, float)
    cum = pd.Series(amount).groupby(np.asarray(case)).cumsum().to_numpy() + before
    return np.minimum(cum, budget) - np.minimum(cum - amount, budget)


@register
class Casusbudget(Variant):
    name = "casusbudget"
    schema = CasusbudgetContract
    open_ended = True

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0   # no yearly value: its commitments (the case budgets) count

    def planned_value(self, contract, scenario, segment: str, traject_type: str) -> float:
        return contract.budget_factor * planned_value(contract, scenario, segment, traject_type,
                                                      contract.behaviour.intensity_factor)

    def pay(self, phase: Phase) -> Money:
        c, cal = phase.contract, phase.cal
        types = phase.scenario.segments[c.segment].traject_types
        sub = phase.trajecten.reset_index(drop=True).assign(_case=lambda d: np.arange(len(d)))
        x = explode_months(sub, phase.lo, phase.hi, cal).sort_values(["_case", "k"], kind="stable")
        tt = x["traject_type"].astype(str)
        price = (tt.map(c.unit_price).to_numpy(float) if isinstance(c.unit_price, dict)
                 else np.full(len(x), float(c.unit_price)))
        rate = tt.map({n: t.weight for n, t in types.items()}).to_numpy(float) * phase.intensity * price / 7.0
        budget = tt.map({t: self.planned_value(c, phase.scenario, c.segment, t) for t in types}).to_numpy(float)
        before = rate * np.maximum(np.minimum(x["stop"].to_numpy(float), phase.lo) - x["start"].to_numpy(float), 0.0)
        paid = capped_invoices(rate * x["days"].to_numpy(float), x["_case"].to_numpy(), before, budget)
        v = pd.DataFrame({"replication": x["replication"].to_numpy(), "k": x["k"].to_numpy(), "amount": paid})
        v = v.groupby(["replication", "k"], as_index=False)["amount"].sum()
        rows = payment_frame(phase.index, c, phase.mode, v["replication"].to_numpy(), v["k"], v["amount"], "invoice", cal)
        return Money(rows=[rows], finals=[finals_frame(phase.index, phase.reps, phase.years, per_year(v, cal))])
