"""Money as a pure function of the event log: payment rules per bekostiging variant.

``compute_payments(scenario, events=...)`` (or ``trajecten=`` a ``metrics.traject_table``)
returns a ``FundingResult`` with

- ``payments``: one row per (replication, contract, year, month, kind) with ``amount`` in EUR,
  kind in voorschot/advance, invoice, settlement (verrekening, + = the municipality pays more,
  - = the provider pays back), payback (terugbetaling of empty plek-days), bonus (bonus-malus);
- ``finals``: what is finally paid per (replication, contract, year), computed by each rule's own
  formula, so tests can check that the payment rows add up to it (money is conserved);
- ``plekken``: bought, occupied and empty plek-days per (replication, contract, year).

Nothing here changes the flow; the rules only read the trajecten. Rules per variant (days are
model days; a month is a calendar month cut to the contract period and the horizon; a yearly
amount is prorated by the days of the year the contract covers):

pxq            invoice per month = units delivered in the month x unit price; units = weight x
               intensity factor x days in care / 7.
traject        invoice = tariff x share_at_start in the month of start_zorg, tariff x (1 -
               share_at_start) in the month of stop_zorg (not at einde_horizon). Trajecten in care
               on the start date (beginstand) were paid at their start, before the horizon.
output_monthly invoice = monthly tariff per client per category per month with >= 1 day of care.
plekken        voorschot per month = N x plek-days of the month x plek-day price; at year end the
               empty plek-days (N x days - occupied plek-days, if > 0) are paid back.
budget         voorschot per month = budget x days / days of the year; at year end the realisation
               R (valued by ``realisation``) is compared with the budget B: nothing is settled when
               |R - B| <= band x B; otherwise the whole difference (settlement = whole) or the part
               outside the band (outside_band).
plafond        invoice per month = realisation of the month, paid while the year's cumulative
               realisation stays under the ceiling; no voorschotten.
lumpsum        voorschot per month = amount x days / days of the year; never settled.
population     like budget, with the amount = per_inhabitant x population or per_client x
               expected clients; without ``realisation`` the realisation is per_client x unique clients.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from simulation.core.calendar import Calendar, prorate
from simulation.funding import contracts as C

PAYMENT_COLUMNS = ["replication", "contract", "municipality", "provider", "segment", "variant", "mode",
                   "year", "month", "kind", "amount"]
PLEK_COLUMNS = ["replication", "contract", "year", "plekken", "bought", "occupied", "empty", "doorlooptijd_gem",
                "clienten_equivalent"]
KINDS = ("advance", "invoice", "settlement", "payback", "bonus")


@dataclass
class FundingResult:
    payments: pd.DataFrame
    finals: pd.DataFrame
    plekken: pd.DataFrame

    def per_contract_year(self) -> pd.DataFrame:
        """Payments per (replication, contract, year) by kind, with the rule's final amount."""
        keys = ["replication", "contract", "year"]
        wide = self.payments.pivot_table(index=keys, columns="kind", values="amount", aggfunc="sum",
                                         fill_value=0.0, observed=True)
        wide = wide.reindex(columns=list(KINDS), fill_value=0.0)
        wide["paid"] = wide.sum(axis=1)
        return wide.reset_index().merge(self.finals, on=keys, how="outer")


def _explode_months(sub: pd.DataFrame, lo: float, hi: float, cal: Calendar) -> pd.DataFrame:
    """One row per (traject, month) with the days in care in [lo, hi); columns of ``sub`` kept."""
    a = np.maximum(sub["start"].to_numpy(float), lo)
    b = np.minimum(sub["stop"].to_numpy(float), hi)
    ok = b > a
    a, b = a[ok], b[ok]
    rows = sub[ok]
    first, last = cal.month_index(a), cal.month_index(np.nextafter(b, -np.inf))
    n = last - first + 1
    pos = np.repeat(np.arange(len(a)), n)
    k = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    days = np.minimum(b[pos], cal.hi[k]) - np.maximum(a[pos], cal.lo[k])
    out = rows.iloc[pos].reset_index(drop=True)
    out["k"], out["days"] = k, days
    return out[out["days"] > 0]


def realisation_rows(sub: pd.DataFrame, pricing, lo: float, hi: float, cal: Calendar, scenario, segment: str,
                     intensity: float = 1.0) -> pd.DataFrame:
    """Value of the care in [lo, hi) under a pricing, per (replication, month index k): columns amount, units."""
    types = scenario.segments[segment].traject_types
    if isinstance(pricing, C.TrajectPricing):
        tariff = sub["traject_type"].astype(str).map(pricing.tariffs).to_numpy(float)
        s = sub["start"].to_numpy(float)
        at_start = (s >= lo) & (s < hi) & ~sub["beginstand"].to_numpy(bool)
        e = sub["stop"].to_numpy(float)
        at_end = (e >= lo) & (e < hi) & (sub["reden"].astype(str).to_numpy() != "einde_horizon")
        parts = [pd.DataFrame({"replication": sub["replication"].to_numpy()[at_start], "k": cal.month_index(s[at_start]),
                               "amount": tariff[at_start] * pricing.share_at_start,
                               "units": np.ones(at_start.sum())})]
        if pricing.share_at_start < 1:
            parts.append(pd.DataFrame({"replication": sub["replication"].to_numpy()[at_end], "k": cal.month_index(e[at_end]),
                                       "amount": tariff[at_end] * (1 - pricing.share_at_start),
                                       "units": np.zeros(at_end.sum())}))
        rows = pd.concat(parts, ignore_index=True)
    elif isinstance(pricing, C.PxqPricing):
        x = _explode_months(sub, lo, hi, cal)
        tt = x["traject_type"].astype(str)
        weight = tt.map({n: t.weight for n, t in types.items()}).to_numpy(float)
        price = (tt.map(pricing.unit_price).to_numpy(float) if isinstance(pricing.unit_price, dict)
                 else np.full(len(x), float(pricing.unit_price)))
        units = weight * intensity * x["days"].to_numpy() / 7.0
        rows = pd.DataFrame({"replication": x["replication"].to_numpy(), "k": x["k"].to_numpy(),
                             "amount": units * price, "units": units})
    else:
        x = _explode_months(sub, lo, hi, cal)
        cats = pricing.categories or {t: t for t in types}
        x = x.assign(cat=x["traject_type"].astype(str).map(cats))
        x = x.drop_duplicates(["replication", "client", "cat", "k"])
        rows = pd.DataFrame({"replication": x["replication"].to_numpy(), "k": x["k"].to_numpy(),
                             "amount": x["cat"].map(pricing.monthly_tariffs).to_numpy(float),
                             "units": np.ones(len(x))})
    return rows.groupby(["replication", "k"], as_index=False)[["amount", "units"]].sum()


def year_amount(schedule, year: int, covered_days: float, year_days: float) -> float:
    """A yearly amount prorated to the days of the year a contract covers."""
    return prorate(C.for_year(schedule, year), covered_days, year_days)


def settle(realised: np.ndarray, agreed: np.ndarray, band: float, mode: str) -> np.ndarray:
    """Verrekening: 0 within the band, else the whole difference or the part outside the band."""
    diff = np.asarray(realised, float) - np.asarray(agreed, float)
    if not math.isfinite(band):
        return np.zeros_like(diff)
    limit = band * np.abs(np.asarray(agreed, float))
    outside = np.abs(diff) > limit
    amount = diff if mode == "whole" else diff - np.sign(diff) * limit
    return np.where(outside, amount, 0.0)


def compute_payments(scenario, events: Optional[pd.DataFrame] = None, trajecten: Optional[pd.DataFrame] = None,
                     replications=None) -> FundingResult:
    """Payments, final amounts and plek-days for every contract in ``scenario.funding``."""
    if trajecten is None:
        from simulation.analysis.kpis import traject_table
        trajecten = traject_table(events)
    if replications is None:
        source = events if events is not None else trajecten
        replications = np.sort(source["replication"].unique())
    reps = np.asarray(replications)
    cal = Calendar.of(scenario)
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    groups = trajecten.groupby(["municipality", "provider", "segment"], observed=True).indices if len(trajecten) else {}
    rows, finals, plek_rows = [], [], []
    for i, c in enumerate(contracts):
        idx = groups.get(c.key)
        sub = trajecten.iloc[idx] if idx is not None else trajecten.iloc[:0]
        r, f, p = _contract_payments(i, c, sub, scenario, cal, reps)
        rows += r
        finals += f
        plek_rows += p
    pay = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=PAYMENT_COLUMNS)
    fin = pd.concat(finals, ignore_index=True) if finals else pd.DataFrame(
        columns=["replication", "contract", "year", "final"])
    fin = fin.groupby(["replication", "contract", "year"], as_index=False)["final"].sum()
    pk = pd.concat(plek_rows, ignore_index=True) if plek_rows else pd.DataFrame(
        columns=PLEK_COLUMNS)
    pay, fin = _bonus_and_extra(pay, fin, contracts, trajecten, scenario, cal)
    if len(pay):
        pay["kind"] = pd.Categorical(pay["kind"], categories=list(KINDS))
        pay = pay[PAYMENT_COLUMNS].sort_values(["replication", "contract", "year", "month", "kind"], ignore_index=True)
    return FundingResult(pay, fin, pk)


def _frame(i, c, mode, reps, k, amount, kind, cal):
    """Payment rows for month indices ``k`` (per replication ``reps``)."""
    k = np.asarray(k, dtype=int)
    return pd.DataFrame({"replication": reps, "contract": i, "municipality": c.municipality, "provider": c.provider,
                         "segment": c.segment, "variant": c.variant, "mode": mode, "year": cal.year[k],
                         "month": cal.month[k], "kind": kind, "amount": np.asarray(amount, float)})


def _per_rep(reps, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Cross join a per-year/month table with the replications."""
    return pd.DataFrame({"replication": reps}).merge(table[columns], how="cross")


def _contract_payments(i, c, sub, scenario, cal, reps):
    rows, finals, plek = [], [], []
    intensity = c.behaviour.intensity_factor
    for p_start, p_end, mode, count in C.phases(c, scenario):
        lo, hi = max(cal.day(p_start), 0.0), min(cal.day(p_end), cal.horizon)
        if hi <= lo:
            continue
        years = cal.years_in(lo, hi)
        if mode in ("pxq", "traject", "output_monthly"):
            pricing = c
            v = realisation_rows(sub, pricing, lo, hi, cal, scenario, c.segment, intensity)
            rows.append(_frame(i, c, mode, v["replication"].to_numpy(), v["k"], v["amount"], "invoice", cal))
            fin = v.assign(year=cal.year[v["k"].to_numpy()]).groupby(["replication", "year"], as_index=False)["amount"].sum()
            finals.append(_finals(i, reps, years, fin))
        elif mode == "plekken":
            price = C.plek_day_price(c, scenario)
            months = cal.months_in(lo, hi)
            months["n"] = [C.for_year(count, y) for y in months["year"]]
            adv = _per_rep(reps, months, ["k", "n", "days"])
            rows.append(_frame(i, c, mode, adv["replication"], adv["k"], adv["n"] * adv["days"] * price, "advance", cal))
            x = _explode_months(sub, lo, hi, cal)
            occ = (x.assign(year=cal.year[x["k"].to_numpy()]).groupby(["replication", "year"])["days"].sum()
                   .rename("occupied").reset_index())
            y = _per_rep(reps, years, ["year", "days", "last_k"]).merge(occ, on=["replication", "year"], how="left")
            y["occupied"] = y["occupied"].fillna(0.0)
            y["plekken"] = [C.for_year(count, yr) for yr in y["year"]]
            y["bought"] = y["plekken"] * y["days"]
            y["empty"] = np.maximum(y["bought"] - y["occupied"], 0.0)
            rows.append(_frame(i, c, mode, y["replication"], y["last_k"], -y["empty"] * price, "payback", cal))
            finals.append(pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                                        "final": np.minimum(y["occupied"], y["bought"]) * price}))
            y = y.merge(_mean_doorlooptijd(sub, cal), on=["replication", "year"], how="left")
            fallback = y["replication"].map(_closed(sub).groupby("replication")["d"].mean())
            y["doorlooptijd_gem"] = y["doorlooptijd_gem"].fillna(fallback)
            # clients served for the money: occupied plek-days / mean realised doorlooptijd
            y["clienten_equivalent"] = y["occupied"] / y["doorlooptijd_gem"]
            plek.append(y.assign(contract=i)[PLEK_COLUMNS])
        elif mode in ("budget", "lumpsum", "population"):
            agreed = _agreed(c, scenario, years)
            months = cal.months_in(lo, hi).merge(years[["year", "year_days"]], on="year")
            months["amount"] = months["year"].map(dict(zip(years["year"], agreed))) * months["days"] / \
                months["year"].map(dict(zip(years["year"], years["days"])))
            adv = _per_rep(reps, months, ["k", "amount"])
            rows.append(_frame(i, c, mode, adv["replication"], adv["k"], adv["amount"], "advance", cal))
            y = _per_rep(reps, years.assign(agreed=agreed), ["year", "last_k", "agreed"])
            if mode == "lumpsum" or not math.isfinite(c.band):
                final = y["agreed"].to_numpy()
            else:
                realised = _realised(c, sub, lo, hi, cal, scenario, intensity, years)
                y = y.merge(realised, on=["replication", "year"], how="left").fillna({"realised": 0.0})
                s = settle(y["realised"], y["agreed"], c.band, c.settlement)
                rows.append(_frame(i, c, mode, y["replication"], y["last_k"], s, "settlement", cal))
                # the rule's own formula for the final amount, independent of the rows above
                if c.settlement == "whole":
                    final = np.where(np.abs(y["realised"] - y["agreed"]) > c.band * y["agreed"], y["realised"], y["agreed"])
                else:
                    d = y["realised"] - y["agreed"]
                    final = y["agreed"] + np.sign(d) * np.maximum(np.abs(d) - c.band * y["agreed"], 0.0)
            finals.append(pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                                        "final": final}))
        elif mode == "plafond":
            v = realisation_rows(sub, c.realisation, lo, hi, cal, scenario, c.segment, intensity)
            v["year"] = cal.year[v["k"].to_numpy()]
            ceiling = {int(yr): year_amount(c.ceiling, int(yr), d, yd)
                       for yr, d, yd in zip(years["year"], years["days"], years["year_days"])}
            v = v.sort_values(["replication", "k"])
            cap = v["year"].map(ceiling).to_numpy(float)
            cum = v.groupby(["replication", "year"])["amount"].cumsum().to_numpy()
            paid = np.minimum(cum, cap) - np.minimum(cum - v["amount"].to_numpy(), cap)
            rows.append(_frame(i, c, mode, v["replication"].to_numpy(), v["k"], paid, "invoice", cal))
            tot = v.groupby(["replication", "year"], as_index=False)["amount"].sum()
            tot["amount"] = np.minimum(tot["amount"], tot["year"].map(ceiling))
            finals.append(_finals(i, reps, years, tot))
    return rows, finals, plek


def _closed(sub: pd.DataFrame) -> pd.DataFrame:
    closed = sub[sub["reden"].astype(str) != "einde_horizon"]
    return pd.DataFrame({"replication": closed["replication"].to_numpy(), "stop": closed["stop"].to_numpy(),
                         "d": (closed["stop"] - closed["start"]).to_numpy()})


def _mean_doorlooptijd(sub: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Mean doorlooptijd of trajecten closed per year (else, in the caller, of all closed in the run)."""
    closed = _closed(sub)
    closed["year"] = cal.year[cal.month_index(closed["stop"].to_numpy())]
    return closed.groupby(["replication", "year"], as_index=False)["d"].mean().rename(columns={"d": "doorlooptijd_gem"})


def _finals(i, reps, years, fin):
    y = _per_rep(reps, years, ["year"]).merge(fin, on=["replication", "year"], how="left")
    return pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                         "final": y["amount"].fillna(0.0)})


def _agreed(c, scenario, years) -> np.ndarray:
    """The agreed (prorated) amount per year of a budget, lumpsum or population contract."""
    out = []
    for yr, d, yd in zip(years["year"], years["days"], years["year_days"]):
        if isinstance(c, C.BudgetContract):
            out.append(year_amount(c.budget, int(yr), d, yd))
        elif isinstance(c, C.LumpsumContract):
            out.append(year_amount(c.amount, int(yr), d, yd))
        elif c.per_inhabitant is not None:
            out.append(c.per_inhabitant * scenario.municipalities[c.municipality].population * d / yd)
        else:
            out.append(c.per_client * year_amount(c.expected_clients, int(yr), d, yd))
    return np.asarray(out, float)


def _realised(c, sub, lo, hi, cal, scenario, intensity, years) -> pd.DataFrame:
    """Realisation per (replication, year) of a settled contract."""
    if c.realisation is not None:
        v = realisation_rows(sub, c.realisation, lo, hi, cal, scenario, c.segment, intensity)
        v["year"] = cal.year[v["k"].to_numpy()]
        return v.groupby(["replication", "year"], as_index=False)["amount"].sum().rename(columns={"amount": "realised"})
    parts = []   # population per client: unique clients in care in the year x per_client
    for yr in years["year"]:
        ylo = max(lo, cal.day(dt.date(int(yr), 1, 1)))
        yhi = min(hi, cal.day(dt.date(int(yr) + 1, 1, 1)))
        s = sub[(sub["start"] < yhi) & (sub["stop"] > ylo)]
        n = s.drop_duplicates(["replication", "client"]).groupby("replication").size()
        parts.append(pd.DataFrame({"replication": n.index, "year": yr, "realised": n.to_numpy() * c.per_client}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["replication", "year", "realised"])


def _bonus_and_extra(pay, fin, contracts, trajecten, scenario, cal):
    """Add-ons: bonus-malus against a target, and the cap on extra capacity outside the framework."""
    extra_rows = []
    for i, c in enumerate(contracts):
        if c.bonus_malus is None:
            continue
        bm = c.bonus_malus
        f = fin[fin["contract"] == i]
        sub = trajecten[(trajecten["municipality"] == c.municipality) & (trajecten["provider"] == c.provider)
                        & (trajecten["segment"] == c.segment)]
        amounts = []
        for rep, yr, final in zip(f["replication"], f["year"], f["final"]):
            ylo, yhi = cal.day(dt.date(int(yr), 1, 1)), cal.day(dt.date(int(yr) + 1, 1, 1))
            s = sub[sub["replication"] == rep]
            if bm.measure == "kosten_per_client":
                n = s[(s["start"] < yhi) & (s["stop"] > ylo)]["client"].nunique()
                amount = bm.rate * (bm.target * n - final)
            else:
                closed = s[(s["stop"] >= ylo) & (s["stop"] < yhi) & (s["reden"].astype(str) != "einde_horizon")]
                dur = closed["stop"] - closed["start"]
                amount = bm.rate * (bm.target - dur.mean()) * len(dur) if len(dur) else 0.0
            amount = float(np.clip(amount, -bm.cap * final, bm.cap * final))
            if not bm.symmetric:
                amount = max(amount, 0.0)
            amounts.append(amount)
        if not len(f):
            continue
        ks = [cal.month_index(min(cal.day(dt.date(int(yr), 12, 31)), cal.horizon - 1)) for yr in f["year"]]
        extra_rows.append(_frame(i, c, c.variant, f["replication"].to_numpy(), ks, amounts, "bonus", cal))
        fin.loc[f.index, "final"] = f["final"].to_numpy() + np.asarray(amounts)
    for i, c in enumerate(contracts):
        if not c.extra_capacity:
            continue
        framework = [j for j, o in enumerate(contracts) if not o.extra_capacity
                     and o.municipality == c.municipality and o.segment == c.segment]
        base = fin[fin["contract"].isin(framework)].groupby(["replication", "year"])["final"].sum()
        f = fin[fin["contract"] == i]
        cap = c.max_extra_share * base.reindex(pd.MultiIndex.from_arrays([f["replication"], f["year"]])).fillna(0).to_numpy()
        excess = np.maximum(f["final"].to_numpy() - cap, 0.0)
        ks = [cal.month_index(min(cal.day(dt.date(int(yr), 12, 31)), cal.horizon - 1)) for yr in f["year"]]
        extra_rows.append(_frame(i, c, c.variant, f["replication"].to_numpy(), ks, -excess, "settlement", cal))
        fin.loc[f.index, "final"] = f["final"].to_numpy() - excess
    if extra_rows:
        pay = pd.concat([pay] + extra_rows, ignore_index=True)
    return pay, fin
