"""Valuing care: realisation per month under a pricing, planned values, and the month explosion.

Shared by every variant's payment rule (and by provider costs): days are model days, a month is a
calendar month cut to [lo, hi).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.config.pricing import MonthlyPricing, PxqPricing, TrajectPricing, for_year
from simulation.core.calendar import Calendar, prorate
from simulation.funding.grouped import sum_by


def month_parts(start: np.ndarray, stop: np.ndarray, lo: float, hi: float, cal: Calendar):
    """(traject position, month index k, days in care) per (traject, month) in [lo, hi), days > 0."""
    a, b = np.maximum(start, lo), np.minimum(stop, hi)
    ok = np.flatnonzero(b > a)
    a, b = a[ok], b[ok]
    first, last = cal.month_index(a), cal.month_index(np.nextafter(b, -np.inf))
    n = last - first + 1
    pos = np.repeat(np.arange(len(a)), n)
    k = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    days = np.minimum(b[pos], cal.hi[k]) - np.maximum(a[pos], cal.lo[k])
    keep = days > 0
    return ok[pos[keep]], k[keep], days[keep]


def explode_months(sub: pd.DataFrame, lo: float, hi: float, cal: Calendar) -> pd.DataFrame:
    """One row per (traject, month) with the days in care in [lo, hi) (``month_parts``); columns of ``sub`` kept."""
    at, k, days = month_parts(sub["start"].to_numpy(float), sub["stop"].to_numpy(float), lo, hi, cal)
    out = sub.iloc[at].reset_index(drop=True)
    out["k"], out["days"] = k, days
    return out


def _maatwerk(scenario, segment: str, provider: str, traject_type: str):
    """The provider's maatwerktraject of the type (004 par. 8 step 2), or None for the standard traject."""
    p = scenario.providers.get(provider)
    ps = p.segments.get(segment) if p is not None else None
    return ps, (ps.maatwerk.get(traject_type) if ps is not None else None)


def tariff_for(pricing: TrajectPricing, scenario, segment: str, provider, traject_type):
    """EUR per traject of ``traject_type`` at ``provider`` under a traject pricing (a contract's own tariffs
    or its realisation): the tariff x the provider's maatwerktraject factors (planned doorlooptijd x
    intensity: the same underlying tariff, 004 par. 8 step 2) x (1 + opslag) (the pricing's own opslag,
    else the provider's; 004 par. 8 step 1). Neutral defaults give the tariff itself.

    ``provider`` and ``traject_type`` are names, or equal-length Series/arrays (then an array of tariffs).
    """
    if not isinstance(traject_type, str):
        codes, pairs = pd.MultiIndex.from_arrays([np.asarray(provider, dtype=str),
                                                  np.asarray(traject_type, dtype=str)]).factorize()
        return np.array([tariff_for(pricing, scenario, segment, p, t) for p, t in pairs], float)[codes]
    ps, mw = _maatwerk(scenario, segment, provider, traject_type)
    tariff = pricing.tariffs[traject_type]
    if mw is not None:
        tariff = tariff * (mw.planned_doorlooptijd_factor * mw.intensity_factor)
    opslag = pricing.opslag if pricing.opslag is not None else (ps.opslag if ps is not None else 0.0)
    return tariff * (1 + opslag) if opslag else tariff


def planned_doorlooptijd_for(scenario, segment: str, provider: str, traject_type: str) -> float:
    """Planned doorlooptijd in days of the traject type at the provider: its maatwerktraject's, else the type's."""
    planned = scenario.segments[segment].traject_types[traject_type].planned_doorlooptijd
    _, mw = _maatwerk(scenario, segment, provider, traject_type)
    return planned * mw.planned_doorlooptijd_factor if mw is not None else planned


def names_codes(col: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes and the names they stand for of a (categorical) column: ``names[codes]`` are its values
    as strings (-1: missing). Lookups per name instead of per row keep string work off the hot path."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), [str(c) for c in col.cat.categories]
    codes, names = pd.factorize(col.astype(str))
    return codes, list(names)


def lookup(col: pd.Series, mapping) -> np.ndarray:
    """``col.astype(str).map(mapping)`` as floats (NaN where the name is not in ``mapping``)."""
    codes, names = names_codes(col)
    return np.array([mapping.get(n, np.nan) for n in names] + [np.nan], float)[codes]


def equals(col: pd.Series, name: str) -> np.ndarray:
    """``col.astype(str) == name`` as a bool array."""
    codes, names = names_codes(col)
    return codes == names.index(name) if name in names else np.zeros(len(col), bool)


def _continues(sub: pd.DataFrame, how: str) -> np.ndarray:
    """Whether each traject began as a continuation ``how`` ("verlenging" or "step_down")."""
    if "start_reden" in sub:
        return sub["start_reden"].to_numpy(object) == how
    return sub["voortzetting"].to_numpy(bool) & (how == "verlenging")


@dataclass
class Columns:
    """The trajecten columns valuation reads, as numpy arrays (names as ``names_codes``); a column the
    table lacks is None. ``part`` is a slice of rows (a batch's phase) without pandas."""

    replication: np.ndarray
    client: Optional[np.ndarray]
    start: np.ndarray
    stop: np.ndarray
    provider: Optional[tuple]
    traject_type: Optional[tuple]
    reden: Optional[tuple]
    verlenging: Optional[np.ndarray]
    step_down: Optional[np.ndarray]

    @classmethod
    def of(cls, sub: pd.DataFrame) -> "Columns":
        cont = "start_reden" in sub or "voortzetting" in sub
        names = {c: names_codes(sub[c]) if c in sub else None for c in ("provider", "traject_type", "reden")}
        return cls(sub["replication"].to_numpy(), sub["client"].to_numpy() if "client" in sub else None,
                   sub["start"].to_numpy(float), sub["stop"].to_numpy(float), names["provider"],
                   names["traject_type"], names["reden"], _continues(sub, "verlenging") if cont else None,
                   _continues(sub, "step_down") if cont else None)

    def part(self, a: int, b: int) -> "Columns":
        return self.take(slice(a, b))

    def take(self, at) -> "Columns":
        """The rows ``at`` (a slice, positions or a mask), in their order."""
        cut = lambda x: None if x is None else ((x[0][at], x[1]) if isinstance(x, tuple) else x[at])  # noqa: E731
        return Columns(*(cut(getattr(self, f.name)) for f in fields(self)))

    def __len__(self) -> int:
        return len(self.start)


def _is(col: tuple, name: str) -> np.ndarray:
    """``equals`` on (codes, names)."""
    codes, names = col
    return codes == names.index(name) if name in names else np.zeros(len(codes), bool)


def _pair_values(cols: Columns, value) -> np.ndarray:
    """``value(provider, traject_type)`` per traject, computed once per pair that occurs."""
    pc, pnames = cols.provider
    tc, tnames = cols.traject_type
    width = len(tnames) + 1
    pairs, inverse = np.unique(pc.astype(np.int64) * width + tc, return_inverse=True)
    return np.array([value(pnames[u // width], tnames[u % width]) for u in pairs], float)[inverse.ravel()]


def _traject_rows(cols: Columns, pricing: TrajectPricing, lo, hi, cal, scenario, segment) -> tuple:
    """Start and end parts of the tariffs under the pricing's payment conventions (docs/funding.md, "traject").

    A traject starting in [lo, hi) pays share_at_start x tariff at its start unless it is a
    continuation the conventions include in the previous tariff; one already in care at ``lo``
    (the beginstand, or a conversion's start) pays by ``pricing.beginstand``. The rest of the
    tariff follows at the stop (not at einde_horizon), by ``pricing.uitval`` for an uitval.
    """
    n = len(cols)
    tariff = _pair_values(cols, lambda p, t: tariff_for(pricing, scenario, segment, p, t))
    planned = _pair_values(cols, lambda p, t: planned_doorlooptijd_for(scenario, segment, p, t))
    s, e = cols.start, cols.stop
    share = pricing.share_at_start
    in_care = (s < lo) & (e > lo)
    included = (cols.verlenging & (pricing.verlenging == "inbegrepen")) | \
               (cols.step_down & (pricing.step_down == "inbegrepen"))
    starts = (s >= lo) & (s < hi) & ~included
    # the tariff a traject carries in this phase, and the planned days it covers
    remaining = np.clip(1 - (lo - s) / planned, 0.0, 1.0)
    factor = {"naar_rato": remaining, "volledig": np.ones(n), "niet": np.ones(n)}[pricing.beginstand]
    carried = np.where(in_care, tariff * factor, np.where(starts, tariff, 0.0))
    due_days = np.where(in_care, planned * remaining, planned)
    first = np.where(in_care & (pricing.beginstand == "niet"), 0.0, carried * share)
    paid_at = np.where(in_care, lo, s)
    at_start = starts | (in_care & (pricing.beginstand != "niet"))
    ends = (e >= lo) & (e < hi) & ~_is(cols.reden, "einde_horizon") & (starts | in_care)
    rest = carried * (1 - share)
    uitval = _is(cols.reden, "uitval")
    if pricing.uitval == "alleen_start":
        rest = np.where(uitval, 0.0, rest)
    elif pricing.uitval == "naar_rato":
        days = e - np.where(in_care, lo, s)
        with np.errstate(divide="ignore", invalid="ignore"):
            done = np.where(due_days > 0, np.minimum(days / due_days, 1.0), 0.0)
        rest = np.where(uitval, carried * done - carried * share, rest)
    at_end = ends & (rest != 0)
    reps = cols.replication
    return (np.concatenate([reps[at_start], reps[at_end]]),
            np.concatenate([cal.month_index(paid_at[at_start]), cal.month_index(e[at_end])]),
            np.concatenate([first[at_start], rest[at_end]]),
            np.concatenate([np.ones(at_start.sum()), np.zeros(at_end.sum())]))


def _pxq_rows(cols: Columns, pricing: PxqPricing, lo, hi, cal, types, intensity) -> tuple:
    at, k, days = month_parts(cols.start, cols.stop, lo, hi, cal)
    codes, names = cols.traject_type
    weight = np.array([types[n].weight if n in types else np.nan for n in names] + [np.nan], float)[codes[at]]
    price = (np.array([pricing.unit_price.get(n, np.nan) for n in names] + [np.nan], float)[codes][at]
             if isinstance(pricing.unit_price, dict) else np.full(len(at), float(pricing.unit_price)))
    units = weight * intensity * days / 7.0
    return cols.replication[at], k, units * price, units


def _monthly_rows(cols: Columns, pricing: MonthlyPricing, lo, hi, cal, types) -> tuple:
    """One row per (replication, client, category, month) with care in the month (the first traject's)."""
    at, k, _ = month_parts(cols.start, cols.stop, lo, hi, cal)
    cats = pricing.categories or {t: t for t in types}
    codes, names = cols.traject_type
    cat_names = list(dict.fromkeys(cats.values()))
    cat = np.array([cat_names.index(cats[n]) if n in cats else -1 for n in names] + [-1], np.int64)[codes[at]]
    rep, client = cols.replication[at], cols.client[at]
    key = np.zeros(len(at), np.int64)
    for col in (pd.factorize(rep)[0], pd.factorize(client)[0], cat + 1, k):   # keep the first of each key
        key = key * (int(col.max()) + 1 if len(col) else 1) + col
    first = np.sort(np.unique(key, return_index=True)[1])
    tariff = np.array([float(pricing.monthly_tariffs.get(c, np.nan)) for c in cat_names] + [np.nan], float)
    return rep[first], k[first], tariff[cat[first]], np.ones(len(first))


def realisation_parts(cols: Columns, pricing, lo: float, hi: float, cal: Calendar, scenario, segment: str,
                      intensity: float = 1.0) -> tuple:
    """Unsummed value of the care in [lo, hi) under a pricing: arrays (replication, k, amount, units)."""
    types = scenario.segments[segment].traject_types
    if isinstance(pricing, TrajectPricing):
        return _traject_rows(cols, pricing, lo, hi, cal, scenario, segment)
    if isinstance(pricing, PxqPricing):
        return _pxq_rows(cols, pricing, lo, hi, cal, types, intensity)
    if isinstance(pricing, MonthlyPricing):
        return _monthly_rows(cols, pricing, lo, hi, cal, types)
    raise TypeError(f"no valuation for pricing {type(pricing).__name__}")


def realisation_rows(sub: pd.DataFrame, pricing, lo: float, hi: float, cal: Calendar, scenario, segment: str,
                     intensity: float = 1.0) -> pd.DataFrame:
    """Value of the care in [lo, hi) under a pricing, per (replication, month index k): columns amount, units."""
    rep, k, amount, units = realisation_parts(Columns.of(sub), pricing, lo, hi, cal, scenario, segment, intensity)
    rows = pd.DataFrame({"replication": rep, "k": k, "amount": amount, "units": units})
    return sum_by(rows, ["replication", "k"], ["amount", "units"])


def planned_value(pricing, scenario, segment: str, traject_type: str, intensity: float = 1.0,
                  provider: Optional[str] = None) -> float:
    """The value of one traject at its planned doorlooptijd: the commitment counted at toewijzing.
    Under a traject pricing: ``tariff_for`` at ``provider`` (its maatwerktraject and opslag)."""
    t = scenario.segments[segment].traject_types[traject_type]
    if isinstance(pricing, TrajectPricing):
        return pricing.tariffs[traject_type] if provider is None else tariff_for(pricing, scenario, segment, provider,
                                                                              traject_type)
    if isinstance(pricing, PxqPricing):
        price = pricing.unit_price[traject_type] if isinstance(pricing.unit_price, dict) else pricing.unit_price
        return t.weight * intensity * t.planned_doorlooptijd / 7.0 * price
    if isinstance(pricing, MonthlyPricing):
        cat = (pricing.categories or {}).get(traject_type, traject_type)
        return pricing.monthly_tariffs[cat] * math.ceil(t.planned_doorlooptijd / (365.25 / 12))
    raise TypeError(f"no planned value for pricing {type(pricing).__name__}")


def year_amount(schedule, year: int, covered_days: float, year_days: float) -> float:
    """A yearly amount prorated to the days of the year a contract covers."""
    return prorate(for_year(schedule, year), covered_days, year_days)
