"""Provider cost model and margin: delivered units x cost price, plus fixed costs per contracted plek.

units delivered = traject type weight x the contract's intensity factor x days in care / 7
(hours, or etmalen for verblijf, as the weight counts them); cost = units x cost_per_unit of the
provider (per segment if given) + fixed_per_plek_year x bought plek-days / 365. Providers without
a cost model get NaN costs, so their margin is unknown rather than equal to revenue.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.core.calendar import Calendar
from simulation.funding.payments import FundingResult
from simulation.funding.valuation import month_parts

KEYS = ["replication", "municipality", "provider", "segment", "year"]


def provider_costs(scenario, trajecten: pd.DataFrame, fund: FundingResult,
                   units: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """Units delivered and cost per (replication, municipality, provider, segment, year); ``units``: the
    trajecten's ``delivered_units`` when already at hand (not changed)."""
    out = delivered_units(scenario, trajecten) if units is None else units.copy()
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    costs = scenario.funding.provider_costs if scenario.funding is not None else {}

    def unit_cost(p, s):
        pc = costs.get(p)
        if pc is None:
            return np.nan
        return pc.cost_per_unit[s] if isinstance(pc.cost_per_unit, dict) else pc.cost_per_unit

    out["cost"] = out["units"] * [unit_cost(p, s) for p, s in zip(out["provider"], out["segment"])]
    if len(fund.plekken):
        pk = fund.plekken.copy()
        pk["municipality"] = [contracts[i].municipality for i in pk["contract"]]
        pk["provider"] = [contracts[i].provider for i in pk["contract"]]
        pk["segment"] = [contracts[i].segment for i in pk["contract"]]
        pk["fixed"] = [costs[p].fixed_per_plek_year * b / 365.0 if p in costs else np.nan
                       for p, b in zip(pk["provider"], pk["bought"])]
        fixed = pk.groupby(KEYS, as_index=False)["fixed"].sum()
        out = out.merge(fixed, on=KEYS, how="outer")
        out["units"] = out["units"].fillna(0.0)
        # no care delivered or no plekken bought costs 0, but only for a provider with a cost model: without one
        # the cost stays unknown (NaN), so its margin is not its whole revenue
        known = out["provider"].isin(list(costs)).to_numpy()
        out["cost"] = (out["cost"].fillna(0.0) + out["fixed"].fillna(0.0)).where(known)
        out = out.drop(columns="fixed")
    return out


def delivered_units(scenario, trajecten: pd.DataFrame) -> pd.DataFrame:
    """Units delivered per (replication, municipality, provider, segment, year): a function of the trajecten
    and of ``units_key(scenario)`` only, so variants that share both can share it."""
    return _units(scenario, trajecten, Calendar.of(scenario))


def units_key(scenario) -> tuple:
    """What ``delivered_units`` reads of the scenario: the calendar, the traject types' weights and, in contract
    order, the pools and periods of the contracts with an intensity factor other than 1."""
    weights = tuple((s, n, t.weight) for s, seg in scenario.segments.items() for n, t in seg.traject_types.items())
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    factors = tuple((tuple(c.covered), c.provider, c.segment, tuple(str(d) for d in c.period(scenario)),
                     c.behaviour.intensity_factor) for c in contracts if c.behaviour.intensity_factor != 1)
    return (str(scenario.start_date), scenario.horizon_days, str(scenario.end_date), weights, factors)


def _units(scenario, trajecten: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Units delivered per (replication, municipality, provider, segment, year): a value per (traject, month)
    (``month_parts``), summed per key. Only the month columns are built (the trajecten's names stay per
    traject, taken by position): a frame of every traject x month with its names took most of the memory
    of a compare worker."""
    at, k, days = month_parts(trajecten["start"].to_numpy(float), trajecten["stop"].to_numpy(float), 0.0,
                              cal.horizon, cal)
    w = _weights(scenario, trajecten["segment"], trajecten["traject_type"])[at]
    factor = np.ones(len(at))
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    for c in contracts:
        if c.behaviour.intensity_factor == 1:
            continue
        lo, hi = (cal.day(d) for d in c.period(scenario))
        own = ((trajecten["municipality"].isin(c.covered)) & (trajecten["provider"] == c.provider)
               & (trajecten["segment"] == c.segment)).to_numpy()
        sel = own[at] & (cal.lo[k] >= lo) & (cal.lo[k] < hi)
        factor[sel] *= c.behaviour.intensity_factor
    x = pd.DataFrame({"replication": trajecten["replication"].to_numpy()[at],
                      **{c: trajecten[c].take(at).reset_index(drop=True) for c in _NAMES},
                      "year": cal.year[k], "units": w * factor * days / 7.0})
    return _sum_by_names(x, "units")


_NAMES = ("municipality", "provider", "segment")


def _weights(scenario, segment: pd.Series, traject_type: pd.Series) -> np.ndarray:
    """The weight of each row's traject type (NaN for an unknown one): on categorical columns a table indexed by
    their codes, else a lookup on text keys (either way vectorised; a loop took seconds)."""
    weight = {(s, n): t.weight for s, seg in scenario.segments.items() for n, t in seg.traject_types.items()}
    if isinstance(segment.dtype, pd.CategoricalDtype) and isinstance(traject_type.dtype, pd.CategoricalDtype):
        segs, types = segment.cat.categories, traject_type.cat.categories
        table = np.full((len(segs) + 1, len(types) + 1), np.nan)   # the last row and column: a missing name (-1)
        for i, s in enumerate(segs):
            for j, n in enumerate(types):
                table[i, j] = weight.get((s, n), np.nan)
        return table[segment.cat.codes.to_numpy(), traject_type.cat.codes.to_numpy()]
    keys = pd.MultiIndex.from_arrays([segment.astype(str), traject_type.astype(str)])
    return pd.Series(weight, dtype=float).reindex(keys).to_numpy()


def _sum_by_names(x: pd.DataFrame, value: str) -> pd.DataFrame:
    """``x.groupby(KEYS)[value].sum()`` with the names as text, as if the name columns had been cast to text first.

    A categorical name column is grouped on its codes with its categories put in text order (the groups,
    their order and so the bits of the sums are those of the text keys); casting millions of exploded
    rows to text took most of this function's time and memory, casting the groups takes nothing."""
    x = x.assign(**{c: (x[c].cat.set_categories(sorted(x[c].cat.categories)) if isinstance(x[c].dtype, pd.CategoricalDtype)
                        else x[c].astype(str)) for c in _NAMES})
    out = x.groupby(KEYS, as_index=False, observed=True)[value].sum()
    return out.assign(**{c: out[c].astype(str) for c in _NAMES})


def margins(scenario, trajecten: pd.DataFrame, fund: FundingResult,
            units: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """Revenue (all payments), cost and margin per (replication, municipality, provider, segment, year);
    ``units`` as in ``provider_costs``."""
    pay = fund.payments.assign(**{c: fund.payments[c].astype(str) for c in ("municipality", "provider", "segment")})
    revenue = pay.groupby(KEYS, as_index=False)["amount"].sum().rename(columns={"amount": "revenue"})
    out = revenue.merge(provider_costs(scenario, trajecten, fund, units), on=KEYS, how="outer")
    out["revenue"] = out["revenue"].fillna(0.0)
    out["margin"] = out["revenue"] - out["cost"]
    return out
