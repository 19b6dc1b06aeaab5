"""The shared rule of the variants paid per traject price (pxq, traject, output_monthly): invoices of realisation."""
from __future__ import annotations

from simulation.funding.batch import Batch
from simulation.funding.grouped import sum_by_part
from simulation.funding.rows import finals_frame, payment_frame, per_year
from simulation.funding.valuation import realisation_rows
from simulation.funding.variant import Money, Phase, Variant


class InvoicedVariant(Variant):
    """Open-ended: every month the realisation under the contract's own pricing is invoiced."""

    open_ended = True

    def pay(self, phase: Phase) -> Money:
        c, cal = phase.contract, phase.cal
        v = realisation_rows(phase.trajecten, c, phase.lo, phase.hi, cal, phase.scenario, c.segment, phase.intensity)
        rows = payment_frame(phase.index, c, phase.mode, v["replication"].to_numpy(), v["k"], v["amount"], "invoice", cal)
        return Money(rows=[rows], finals=[finals_frame(phase.index, phase.reps, phase.years, per_year(v, cal))])

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of all phases in one pass (``funding.batch``); phase by phase for a subclass with its own ``pay``."""
        if type(self).pay is not InvoicedVariant.pay:
            return Variant.pay_many(self, phases)
        b = Batch(phases)
        v = b.realised(lambda p: p.contract)
        phase, k = v["phase"].to_numpy(), v["k"].to_numpy()
        rows = b.rows(phase, v["replication"].to_numpy(), k, v["amount"].to_numpy(), "invoice")
        per_year = sum_by_part(v.assign(year=b.cal.year[k]), ["phase", "replication", "year"], ["amount"])
        return Money(rows=[rows], finals=[b.finals(per_year)])

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return 0.0   # no yearly value: its commitments count (FlowRules.framework_open)
