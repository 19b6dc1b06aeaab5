"""regio_budget: one budget for a provider covering several municipalities of a region (004 par. 4,
2a.2 and 7.2: the regional perceel of youth S3/S4, budget agreements per provider for the region,
settled after the year on realisation; annex 1 "Afrekening": the MGR settles with the provider).

The contract is the region's (``municipality`` names the region, default ``regio``); it covers
``municipalities`` (a list, or ``all`` of the scenario's). In the flow it acts, for every
municipality it covers, as that municipality's contract with the provider in the segment
(behaviour factors, framework value x the municipality's cost-sharing key).

Money, per year, with B the regional budget (prorated to the days covered), R_m the realisation
of municipality m (valued by ``realisation``), R = sum R_m, w_m = population_m / population of
the covered municipalities (004 par. 9, verdeelsleutel inwoneraantallen):

- voorschot per month = B x days of the month / days covered in the year (as ``budget``); the
  row of municipality m carries w_m of it;
- the provider is settled on the regional total: final F = R outside the band (band 0 by
  default, 004 par. 7.2: "band 0 at first"), else B (or B + the part outside the band);
- the settlement row of municipality m is r_m x F - w_m x B with r_m = R_m / R (w_m when R = 0),
  so the rows of m add up to r_m x F: what the provider was paid for m's clients, and what m
  bears once the municipalities have settled among themselves on realisation (annex 1). The rows
  of all municipalities add up to F (money conserved per contract-year);
  ``simulation.funding.shares`` sets r_m x F against the key share w_m x F.

Assumption (the documents do not say how the MGR's voorschotten are funded): by the key of par. 9.
"""
from __future__ import annotations

import math
from typing import Literal, Union

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field, field_validator, model_validator

from simulation.config.contracts import SettledContract
from simulation.config.pricing import YearSchedule, check_schedule, for_year
from simulation.funding.batch import Batch, stack
from simulation.funding.grouped import sum_by, sum_by_part
from simulation.funding.rows import payment_frame, per_rep
from simulation.funding.settled import AgreedAmountVariant, settled_final, settled_final_many
from simulation.funding.valuation import names_codes, realisation_parts, realisation_rows, year_amount
from simulation.funding.variant import Money, Phase, register


class RegioBudgetContract(SettledContract):
    """A regional budget per provider, settled with the provider on realisation per municipality."""

    variant: Literal["regio_budget"]
    municipality: str = Field("regio", description="the contracting region (the MGR); not a municipality's name")
    municipalities: Union[Literal["all"], list[str]] = Field(
        "all", description="the municipalities the budget covers: a list of names, or all of the scenario's")
    budget: YearSchedule = Field(description="agreed EUR per year for the region, paid in monthly voorschotten")

    @field_validator("budget")
    @classmethod
    def _b(cls, v):
        return check_schedule(v, "budget")

    @field_validator("municipalities")
    @classmethod
    def _m(cls, v):
        if isinstance(v, list):
            if not v:
                raise ValueError("municipalities: noem minstens één gemeente, of schrijf all")
            if len(set(v)) != len(v):
                raise ValueError(f"municipalities: {v} noemt een gemeente twee keer; noem elke gemeente één keer")
        return v

    @model_validator(mode="after")
    def _no_addons(self):
        if self.bonus_malus is not None:
            raise ValueError("bonus_malus: niet beschikbaar op een regionaal contract (de documenten geven er geen); "
                             "geef het op het eigen contract van een gemeente")
        if self.extra_capacity:
            raise ValueError("extra_capacity: een regionaal contract is een raamcontract; zet extra_capacity op "
                             "het eigen contract van een gemeente")
        return self

    @property
    def covered(self) -> tuple[str, ...]:
        if self.municipalities == "all":
            raise ValueError("municipalities: all wordt pas met een scenario ingevuld (valideer eerst het scenario)")
        return tuple(self.municipalities)

    def resolve(self, scenario) -> None:
        if self.municipalities == "all":
            self.municipalities = list(scenario.municipalities)

    def key_share(self, scenario, municipality: str) -> float:
        return key_shares(self, scenario).get(municipality, 0.0)

    def check_scenario(self, scenario, where: str) -> None:
        super().check_scenario(scenario, where)
        if self.municipality in scenario.municipalities:
            raise ValueError(f"{where}: municipality: {self.municipality!r} is een gemeente; een regionaal contract "
                             f"is van de regio: noem de regio (standaard 'regio') en zet de gemeenten in "
                             f"municipalities")


def key_shares(contract, scenario) -> dict[str, float]:
    """The cost-sharing key of a contract's municipalities: population / population of those covered
    (004 par. 9: inhabitants on 1-1-2020, the scenario's ``municipalities.*.population``)."""
    pop = {m: float(scenario.municipalities[m].population) for m in contract.covered}
    total = sum(pop.values())
    return {m: p / total for m, p in pop.items()}


@register
class RegioBudget(AgreedAmountVariant):
    name = "regio_budget"
    schema = RegioBudgetContract

    def agreed(self, contract, scenario, year, days, year_days) -> float:
        return year_amount(contract.budget, year, days, year_days)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        """The regional value; the flow takes each municipality's key share of it."""
        return float(for_year(contract.budget, year)) * days / year_days

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of all phases in one pass (``funding.batch``): per (phase, covered municipality) as ``pay``."""
        b = Batch(phases)
        adv, y = self.advances(b)
        covered = [list(p.contract.covered) for p in phases]
        w = [key_shares(p.contract, p.scenario) for p in phases]
        per = [np.array([w[n][m] for m in covered[n]], float) for n in range(len(phases))]
        # advances: per phase, one block per covered municipality (its key share), as pay lists them
        ap, n_adv = adv["phase"].to_numpy(), np.bincount(adv["phase"].to_numpy(), minlength=len(phases))
        starts = np.concatenate([[0], np.cumsum(n_adv)])
        take = np.concatenate([np.tile(np.arange(starts[n], starts[n + 1]), len(covered[n])) for n in range(len(phases))]
                              + [np.zeros(0, np.int64)]).astype(np.int64)
        where = np.concatenate([np.repeat(np.arange(len(covered[n])), n_adv[n]) for n in range(len(phases))]
                               + [np.zeros(0, np.int64)]).astype(np.int64)
        ap = ap[take]
        share = np.concatenate([per[n] for n in range(len(phases))] + [np.zeros(0)])[
            np.concatenate([[0], np.cumsum([len(c) for c in covered])])[ap] + where]
        rows = [b.rows(ap, adv["replication"].to_numpy()[take], adv["k"].to_numpy()[take],
                       adv["amount"].to_numpy()[take] * share, "advance", where=where)]
        phase = y["phase"].to_numpy()
        band = np.array([p.contract.band for p in phases], float)
        final = y["agreed"].to_numpy(float, copy=True)
        sel = np.isfinite(band)[phase]
        if sel.any():
            settled = self._settlements(b, y[sel], covered, per, band)
            final[sel] = settled.pop("final")
            rows.append(b.rows(**settled, kind="settlement"))
        return Money(rows=rows, finals=[b.final_rows(y, final)])

    def _settlements(self, b: Batch, y: pd.DataFrame, covered, per, band) -> dict:
        """The settlement rows (phase, replication, k, amount, where) of the grid ``y`` and its finals, as ``pay``."""
        phases = b.phases
        size = np.array([len(c) for c in covered])
        ph = y["phase"].to_numpy()
        ym = y.loc[y.index.repeat(size[ph])].reset_index(drop=True)   # the cross merge with covered
        ym["where"] = np.concatenate([np.arange(size[n]) for n in ph] + [np.zeros(0, np.int64)]).astype(np.int64)
        r = self._realised_many(b, sorted(set(ph.tolist())), covered)
        ym = ym.merge(r, on=["phase", "where", "replication", "year"], how="left").fillna({"realised": 0.0})
        total = sum_by_part(ym, ["phase", "replication", "year"], ["realised"])
        y = y.merge(total, on=["phase", "replication", "year"], how="left")
        yp = y["phase"].to_numpy()
        whole = np.array([p.contract.settlement == "whole" for p in phases])[yp]
        final = settled_final_many(y["realised"].to_numpy(), y["agreed"].to_numpy(), band[yp], whole)
        at = np.repeat(np.arange(len(y)), size[yp])   # each grid row's municipalities, in ym's order
        regio, fin = y["realised"].to_numpy()[at], final[at]
        mp = ym["phase"].to_numpy()
        w = np.concatenate([per[n] for n in range(len(phases))] + [np.zeros(0)])[
            np.concatenate([[0], np.cumsum(size)])[mp] + ym["where"].to_numpy()]
        realised = ym["realised"].to_numpy()
        share = np.where(regio > 0, realised / np.where(regio > 0, regio, 1.0), w)
        amount = share * fin - w * ym["agreed"].to_numpy()
        order = np.lexsort((np.arange(len(ym)), ym["where"].to_numpy(), mp))   # per phase: municipality by municipality
        return {"phase": mp[order], "replication": ym["replication"].to_numpy()[order],
                "k": ym["last_k"].to_numpy()[order], "amount": amount[order], "where": ym["where"].to_numpy()[order],
                "final": final}

    def _realised_many(self, b: Batch, members, covered) -> pd.DataFrame:
        """``realised_per_municipality`` of the phases ``members``: phase, where (the municipality's place in
        covered), replication, year, realised."""
        codes, names = names_codes(b.table["municipality"])
        parts, units = [], []
        for n in members:
            p, cols = b.phases[n], b.columns(n)
            mine = codes[b.bounds[n]:b.bounds[n + 1]]
            for j, m in enumerate(covered[n]):
                sub = cols.take(mine == names.index(m)) if m in names else cols.take(slice(0, 0))
                units.append((n, j))
                parts.append((len(units) - 1, realisation_parts(sub, p.contract.realisation, p.lo, p.hi, b.cal,
                                                                p.scenario, p.contract.segment, p.intensity)))
        v = sum_by_part(stack(parts, ["replication", "k", "amount", "units"]), ["phase", "replication", "k"],
                   ["amount", "units"])
        v["year"] = b.cal.year[v["k"].to_numpy()]
        v = sum_by_part(v, ["phase", "replication", "year"], ["amount"])
        unit = np.array(units, np.int64).reshape(-1, 2)[v["phase"].to_numpy()]
        return pd.DataFrame({"phase": unit[:, 0], "where": unit[:, 1], "replication": v["replication"].to_numpy(),
                             "year": v["year"].to_numpy(), "realised": v["amount"].to_numpy()})

    def realised_per_municipality(self, phase: Phase) -> pd.DataFrame:
        """Realisation per (replication, year, municipality) valued by ``realisation``: column realised."""
        c, cal, sub = phase.contract, phase.cal, phase.trajecten
        parts = []
        mun = sub["municipality"].astype(str).to_numpy() if len(sub) else np.array([], dtype=object)
        for m in c.covered:
            v = realisation_rows(sub[mun == m], c.realisation, phase.lo, phase.hi, cal, phase.scenario, c.segment,
                                 phase.intensity)
            v = v.assign(year=cal.year[v["k"].to_numpy()])
            parts.append(sum_by(v, ["replication", "year"], ["amount"]).assign(municipality=m))
        out = pd.concat(parts, ignore_index=True)
        return out.rename(columns={"amount": "realised"})[["replication", "year", "municipality", "realised"]]

    def pay(self, phase: Phase) -> Money:
        c, cal, years, reps, i = phase.contract, phase.cal, phase.years, phase.reps, phase.index
        w = key_shares(c, phase.scenario)
        agreed = np.asarray([self.agreed(c, phase.scenario, int(yr), d, yd)
                             for yr, d, yd in zip(years["year"], years["days"], years["year_days"])], float)
        months = cal.months_in(phase.lo, phase.hi)
        months["amount"] = months["year"].map(dict(zip(years["year"], agreed))) * months["days"] / \
            months["year"].map(dict(zip(years["year"], years["days"])))
        adv = per_rep(reps, months, ["k", "amount"])
        money = Money()
        for m in c.covered:
            money.rows.append(payment_frame(i, c, phase.mode, adv["replication"], adv["k"], adv["amount"] * w[m],
                                            "advance", cal, municipality=m))
        y = per_rep(reps, years.assign(agreed=agreed), ["year", "last_k", "agreed"])
        if not math.isfinite(c.band):
            final = y["agreed"].to_numpy()   # never settled: every municipality bears its key share
        else:
            r = self.realised_per_municipality(phase)
            ym = y.merge(pd.DataFrame({"municipality": list(c.covered)}), how="cross")
            ym = ym.merge(r, on=["replication", "year", "municipality"], how="left").fillna({"realised": 0.0})
            total = ym.groupby(["replication", "year"], as_index=False)["realised"].sum()
            y = y.merge(total, on=["replication", "year"], how="left")
            final = settled_final(y["realised"].to_numpy(), y["agreed"].to_numpy(), c.band, c.settlement)
            # the regional settlement is final - agreed (= settle(R, B, band, settlement)); each
            # municipality's row moves its advances (key share) to its realisation share of the final
            ym = ym.merge(y.assign(final=final)[["replication", "year", "realised", "final"]]
                          .rename(columns={"realised": "regio_realised"}), on=["replication", "year"])
            share = np.where(ym["regio_realised"] > 0,
                             ym["realised"] / ym["regio_realised"].where(ym["regio_realised"] > 0, 1.0),
                             ym["municipality"].map(w))
            amount = share * ym["final"] - ym["municipality"].map(w) * ym["agreed"]
            for m in c.covered:
                sel = (ym["municipality"] == m).to_numpy()
                s = ym[sel]
                money.rows.append(payment_frame(i, c, phase.mode, s["replication"], s["last_k"], amount[sel],
                                                "settlement", cal, municipality=m))
        money.finals.append(pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                                          "final": final}))
        return money
