"""The shared rule of the variants with an agreed yearly amount (budget, lumpsum, population).

voorschot per month = agreed amount of the year x days of the month / days the phase covers in the
year; at year end the realisation R is compared with the agreed amount B (``settle``): nothing is
settled when |R - B| <= band x B; otherwise the whole difference (settlement = whole) or the part
outside the band (outside_band). A variant that never settles (lumpsum) pays B.
"""
from __future__ import annotations

import math
from abc import abstractmethod
from typing import ClassVar

import numpy as np
from simulation._lazy import pandas as pd

from simulation.funding.batch import Batch, stack
from simulation.funding.grouped import sum_by, sum_by_part
from simulation.funding.rows import payment_frame, per_rep
from simulation.funding.valuation import realisation_rows
from simulation.funding.variant import Money, Phase, Variant


def settle(realised: np.ndarray, agreed: np.ndarray, band: float, mode: str) -> np.ndarray:
    """Verrekening: 0 within the band, else the whole difference or the part outside the band."""
    if not math.isfinite(band):
        return np.zeros_like(np.asarray(realised, float) - np.asarray(agreed, float))
    return settle_many(realised, agreed, band, mode == "whole")


def settle_many(realised, agreed, band, whole) -> np.ndarray:
    """``settle`` per row with a finite ``band`` and mode (``whole``: True for whole) per row."""
    diff = np.asarray(realised, float) - np.asarray(agreed, float)
    limit = band * np.abs(np.asarray(agreed, float))
    return np.where(np.abs(diff) > limit, np.where(whole, diff, diff - np.sign(diff) * limit), 0.0)


def settled_final_many(realised, agreed, band, whole) -> np.ndarray:
    """``settled_final`` per row with ``band`` and mode (``whole``: True for whole) per row."""
    realised, agreed = np.asarray(realised, float), np.asarray(agreed, float)
    d = realised - agreed
    return np.where(whole, np.where(np.abs(d) > band * agreed, realised, agreed),
                    agreed + np.sign(d) * np.maximum(np.abs(d) - band * agreed, 0.0))


def settled_final(realised, agreed, band: float, mode: str) -> np.ndarray:
    """The final amount by the rule's own formula, independent of the settlement rows."""
    return settled_final_many(realised, agreed, band, mode == "whole")


class AgreedAmountVariant(Variant):
    """Monthly voorschotten of an agreed yearly amount, settled against realisation if ``settles``."""

    open_ended = False
    settles: ClassVar[bool] = True

    @abstractmethod
    def agreed(self, contract, scenario, year: int, days: float, year_days: float) -> float:
        """The agreed amount of ``year`` prorated to the ``days`` of it the phase covers."""

    def realised(self, phase: Phase) -> pd.DataFrame:
        """Realisation per (replication, year) valued by the contract's ``realisation``: column realised."""
        c, cal = phase.contract, phase.cal
        v = realisation_rows(phase.trajecten, c.realisation, phase.lo, phase.hi, cal, phase.scenario, c.segment,
                             phase.intensity)
        v["year"] = cal.year[v["k"].to_numpy()]
        return sum_by(v, ["replication", "year"], ["amount"]).rename(columns={"amount": "realised"})

    def realised_many(self, b: Batch, members: list[int]) -> pd.DataFrame:
        """``realised`` of the phases ``members`` of batch ``b``: phase, replication, year, realised (``realised``
        per phase when a subclass gives its own)."""
        if type(self).realised is not AgreedAmountVariant.realised:
            return realised_one_by_one(self, b, members)
        return self.realised_batch(b, members)

    def realised_batch(self, b: Batch, members: list[int]) -> pd.DataFrame:
        """``realised`` as this class has it, of the phases ``members`` in one pass."""
        v = b.realised(lambda p: p.contract.realisation, members)
        v["year"] = b.cal.year[v["k"].to_numpy()]
        return sum_by_part(v, ["phase", "replication", "year"], ["amount"]).rename(columns={"amount": "realised"})

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of all phases in one pass (``funding.batch``); phase by phase for a subclass with its own ``pay``."""
        if type(self).pay is not AgreedAmountVariant.pay:
            return Variant.pay_many(self, phases)
        return self.pay_batch(phases)

    def pay_batch(self, phases: list[Phase]) -> Money:
        """``pay`` of every phase in one pass (the rule as ``pay`` has it)."""
        b = Batch(phases)
        adv, y = self.advances(b)
        rows = [b.rows(adv["phase"], adv["replication"], adv["k"], adv["amount"], "advance")]
        phase = y["phase"].to_numpy()
        band = np.array([p.contract.band if self.settles else math.inf for p in phases], float)
        settles = np.isfinite(band)
        final = y["agreed"].to_numpy(float, copy=True)
        members = [n for n in range(len(phases)) if settles[n]]
        if members:
            sel = settles[phase]
            ys = y[sel].merge(self.realised_many(b, members), on=["phase", "replication", "year"], how="left")
            ys = ys.fillna({"realised": 0.0})
            ph = ys["phase"].to_numpy()
            whole = np.array([p.contract.settlement == "whole" for p in phases])[ph]
            s = settle_many(ys["realised"], ys["agreed"], band[ph], whole)
            rows.append(b.rows(ph, ys["replication"], ys["last_k"], s, "settlement"))
            final[sel] = settled_final_many(ys["realised"], ys["agreed"], band[ph], whole)
        return Money(rows=rows, finals=[b.final_rows(y, final)])

    def advances(self, b: Batch) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The voorschotten of every phase of ``b`` (phase, replication, k, amount: ``pay``'s advance rows) and its
        grid (phase, replication, year, last_k, agreed)."""
        months, agreed_all, cal = [], [], b.cal
        for n, p in enumerate(b.phases):
            y = p.years
            agreed = np.asarray([self.agreed(p.contract, p.scenario, int(yr), d, yd)
                                 for yr, d, yd in zip(y["year"], y["days"], y["year_days"])], float)
            lo, hi = np.maximum(cal.lo, p.lo), np.minimum(cal.hi, p.hi)   # cal.months_in
            keep = hi > lo
            at = np.searchsorted(y["year"].to_numpy(), cal.year[keep])
            amount = agreed[at] * (hi - lo)[keep] / y["days"].to_numpy()[at]
            reps = np.asarray(p.reps)
            months.append((n, (np.repeat(reps, len(amount)), np.tile(np.flatnonzero(keep), len(reps)),
                               np.tile(amount, len(reps)))))
            agreed_all.append(np.tile(agreed, len(reps)))
        grid = b.grid(["year", "last_k"]).assign(agreed=np.concatenate(agreed_all) if agreed_all else np.zeros(0))
        return stack(months, ["replication", "k", "amount"]), grid

    def pay(self, phase: Phase) -> Money:
        c, cal, years, reps, i = phase.contract, phase.cal, phase.years, phase.reps, phase.index
        agreed = np.asarray([self.agreed(c, phase.scenario, int(yr), d, yd)
                             for yr, d, yd in zip(years["year"], years["days"], years["year_days"])], float)
        months = cal.months_in(phase.lo, phase.hi)   # every month's year is in ``years``
        months["amount"] = months["year"].map(dict(zip(years["year"], agreed))) * months["days"] / \
            months["year"].map(dict(zip(years["year"], years["days"])))
        adv = per_rep(reps, months, ["k", "amount"])
        money = Money(rows=[payment_frame(i, c, phase.mode, adv["replication"], adv["k"], adv["amount"], "advance", cal)])
        y = per_rep(reps, years.assign(agreed=agreed), ["year", "last_k", "agreed"])
        if not self.settles or not math.isfinite(c.band):
            final = y["agreed"].to_numpy()
        else:
            y = y.merge(self.realised(phase), on=["replication", "year"], how="left").fillna({"realised": 0.0})
            s = settle(y["realised"], y["agreed"], c.band, c.settlement)
            money.rows.append(payment_frame(i, c, phase.mode, y["replication"], y["last_k"], s, "settlement", cal))
            final = settled_final(y["realised"], y["agreed"], c.band, c.settlement)
        money.finals.append(pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                                          "final": final}))
        return money


def realised_one_by_one(rules, b: Batch, members: list[int]) -> pd.DataFrame:
    """``rules.realised`` per phase of ``members`` of batch ``b``, with the column phase."""
    parts = [rules.realised(b.phases[n]).assign(phase=n) for n in members]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["replication", "year", "realised",
                                                                                  "phase"])
