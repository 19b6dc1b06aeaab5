"""population (populatiebekostiging): a fixed amount per inhabitant or per expected client, settled
only outside a band.

Like budget, with the amount = per_inhabitant x population or per_client x expected clients;
without ``realisation`` the realisation is per_client x unique clients in care in the year.
The default band is 10%: annex 1 of 004 (populatiebekostiging op basis van afrekening) changes the
budget only when the variation exceeds a band, e.g. > +-10%. (A budget keeps band 0: for
budgetafspraken 004 proposes band 0 in the first years.)
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Literal, Optional

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field, model_validator

from simulation.config.contracts import Band, SettledContract
from simulation.config.pricing import YearSchedule, for_year
from simulation.funding.batch import Batch
from simulation.funding.settled import AgreedAmountVariant, realised_one_by_one
from simulation.funding.valuation import year_amount
from simulation.funding.variant import Phase, register


class PopulationContract(SettledContract):
    """Populatiebekostiging: a fixed amount per inhabitant or per expected client, settled only outside a band."""

    variant: Literal["population"]
    band: Band = Field(
        0.10, ge=0, description="bandbreedte: share of the amount within which nothing is settled (.inf: never); "
        "default 0.10: 004 annex 1 (populatiebekostiging) changes the budget only outside a band, e.g. > +-10%")
    per_inhabitant: Optional[float] = Field(None, gt=0, description="EUR per inhabitant per year")
    per_client: Optional[float] = Field(None, gt=0, description="EUR per expected client per year")
    expected_clients: Optional[YearSchedule] = Field(None, description="expected unique clients per year")

    @model_validator(mode="after")
    def _basis(self):
        if (self.per_inhabitant is None) == (self.per_client is None):
            raise ValueError("per_inhabitant of per_client: geef precies een van de twee")
        if self.per_client is not None and self.expected_clients is None:
            raise ValueError("expected_clients: verplicht bij per_client; voeg het toe")
        return self

    @property
    def needs_realisation(self) -> bool:
        """Per client the realisation is per_client x unique clients; per inhabitant it needs a valuation."""
        return math.isfinite(self.band) and self.per_client is None


@register
class Population(AgreedAmountVariant):
    name = "population"
    schema = PopulationContract

    def agreed(self, contract, scenario, year, days, year_days) -> float:
        if contract.per_inhabitant is not None:
            return contract.per_inhabitant * scenario.municipalities[contract.municipality].population * days / year_days
        return contract.per_client * year_amount(contract.expected_clients, year, days, year_days)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        amount = (contract.per_inhabitant * scenario.municipalities[contract.municipality].population
                  if contract.per_inhabitant is not None
                  else contract.per_client * float(for_year(contract.expected_clients, year)))
        return amount * days / year_days

    def realised_many(self, b: Batch, members: list[int]) -> pd.DataFrame:
        """Phases valued by a ``realisation`` in one pass (as ``budget``), the others one by one."""
        valued = [n for n in members if b.phases[n].contract.realisation is not None]
        counted = [n for n in members if b.phases[n].contract.realisation is None]
        parts = ([self.realised_batch(b, valued)] if valued else []) + \
            ([realised_one_by_one(self, b, counted)] if counted else [])
        return pd.concat(parts, ignore_index=True)

    def realised(self, phase: Phase) -> pd.DataFrame:
        if phase.contract.realisation is not None:
            return super().realised(phase)
        cal, sub, per_client = phase.cal, phase.trajecten, phase.contract.per_client
        parts = []   # unique clients in care in the year x per_client
        rep, client = sub["replication"].to_numpy(), sub["client"].to_numpy()
        start, stop = sub["start"].to_numpy(float), sub["stop"].to_numpy(float)
        for yr in phase.years["year"]:
            ylo = max(phase.lo, cal.day(dt.date(int(yr), 1, 1)))
            yhi = min(phase.hi, cal.day(dt.date(int(yr) + 1, 1, 1)))
            m = (start < yhi) & (stop > ylo)
            pairs = np.unique(np.stack([rep[m].astype(np.int64), client[m].astype(np.int64)], axis=1), axis=0)
            r, n = np.unique(pairs[:, 0], return_counts=True)
            parts.append(pd.DataFrame({"replication": r.astype(rep.dtype), "year": yr, "realised": n * per_client}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["replication", "year", "realised"])
