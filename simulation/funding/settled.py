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

from simulation.funding.grouped import sum_by
from simulation.funding.rows import payment_frame, per_rep
from simulation.funding.valuation import realisation_rows
from simulation.funding.variant import Money, Phase, Variant


def settle(realised: np.ndarray, agreed: np.ndarray, band: float, mode: str) -> np.ndarray:
    """Verrekening: 0 within the band, else the whole difference or the part outside the band."""
    diff = np.asarray(realised, float) - np.asarray(agreed, float)
    if not math.isfinite(band):
        return np.zeros_like(diff)
    limit = band * np.abs(np.asarray(agreed, float))
    outside = np.abs(diff) > limit
    amount = diff if mode == "whole" else diff - np.sign(diff) * limit
    return np.where(outside, amount, 0.0)


def settled_final(realised, agreed, band: float, mode: str) -> np.ndarray:
    """The final amount by the rule's own formula, independent of the settlement rows."""
    if mode == "whole":
        return np.where(np.abs(realised - agreed) > band * agreed, realised, agreed)
    d = realised - agreed
    return agreed + np.sign(d) * np.maximum(np.abs(d) - band * agreed, 0.0)


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
