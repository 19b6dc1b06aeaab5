"""plekken: N plekken per year, paid whether used or not; empty plek-days are paid back.

voorschot per month = N x plek-days of the month x plek-day price; at year end the empty plek-days
(N x days - occupied plek-days, if > 0) are paid back. In the flow the plekken cap the clients of
the municipality at the provider in the segment (a plek pool). The rule also pays the plekken
phase of a traject contract that converted to plekken. The plek table's ``clienten_equivalent``
(clients served) is ``analysis.plekken``'s definition, the same the KPI ``clienten_per_plek`` uses.
"""
from __future__ import annotations

import datetime as dt

from typing import Literal, Optional

import numpy as np
from simulation._lazy import pandas as pd
from pydantic import Field, field_validator

from simulation.analysis.plekken import clienten_weights, episode_spans, weights
from simulation.config.contracts import ContractBase, Conversion
from simulation.config.pricing import PlekSchedule, TrajectPricing, check_schedule, for_year
from simulation.core.calendar import Calendar
from simulation.funding.batch import Batch, stack
from simulation.funding.grouped import sum_by_part
from simulation.funding.rows import PLEK_COLUMNS, payment_frame, per_rep
from simulation.funding.valuation import equals, explode_months, month_parts, planned_doorlooptijd_for, tariff_for
from simulation.funding.variant import Money, Phase, Variant, register


class PlekkenContract(ContractBase, TrajectPricing):
    """N plekken per year; plek-day price from the traject tariffs (see ``plek_day_price``)."""

    variant: Literal["plekken"]
    plekken: PlekSchedule = Field(description="plekken bought: N, or {year: N} from that year on")
    plek_year_price: Optional[float] = Field(
        None, gt=0, description="EUR per plek per 365 days; none: derived from the tariffs and planned doorlooptijden")
    conversions: list[Conversion] = Field(default_factory=list)

    @field_validator("plekken")
    @classmethod
    def _plekken(cls, v):
        return check_schedule(v, "plekken", integer=True)

    def first_phase(self):
        return "plekken", self.plekken


def plek_day_price(contract, scenario) -> float:
    """EUR per plek-day: plek_year_price / 365, or sum(share x tariff) / sum(share x planned doorlooptijd).

    With one traject type this is tariff / planned doorlooptijd, i.e. a plek-year costs
    tariff x 365 / planned doorlooptijd: a plek fully used at the planned doorlooptijd
    costs exactly what the trajecten through it would cost. Tariff and planned doorlooptijd are the
    provider's (``tariff_for``, ``planned_doorlooptijd_for``): a maatwerktraject converts to plekken
    at its own price and planned duration, with the opslag (004 par. 8 step 3).
    """
    if getattr(contract, "plek_year_price", None) is not None:
        return contract.plek_year_price / 365.0
    seg, provider = contract.segment, contract.provider
    types = scenario.segments[seg].traject_types
    money = sum(t.share * tariff_for(contract, scenario, seg, provider, name) for name, t in types.items())
    days = sum(t.share * planned_doorlooptijd_for(scenario, seg, provider, name) for name, t in types.items())
    return money / days


def _closed(sub: pd.DataFrame) -> pd.DataFrame:
    closed = sub[sub["reden"].astype(str) != "einde_horizon"]
    return pd.DataFrame({"replication": closed["replication"].to_numpy(), "stop": closed["stop"].to_numpy(),
                         "d": (closed["stop"] - closed["start"]).to_numpy()})


def _mean_doorlooptijd(sub: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Mean doorlooptijd of trajecten closed per year (else, in the caller, of all closed in the run)."""
    closed = _closed(sub)
    closed["year"] = cal.year[cal.month_index(closed["stop"].to_numpy())]
    return closed.groupby(["replication", "year"], as_index=False)["d"].mean().rename(columns={"d": "doorlooptijd_gem"})


def _clienten(sub: pd.DataFrame, phase: Phase) -> pd.DataFrame:
    """Clients served per replication x year of the phase: analysis.plekken's clienten_equivalent."""
    spans = episode_spans(sub)
    rows = []
    for year in phase.years["year"]:
        lo = max(phase.lo, phase.cal.day(dt.date(year, 1, 1)))
        hi = min(phase.hi, phase.cal.day(dt.date(year + 1, 1, 1)))
        w = clienten_weights(sub, lo, hi, spans)
        rows.append(pd.DataFrame({"replication": sub["replication"].to_numpy(), "year": year, "w": w}))
    if not rows:
        return pd.DataFrame(columns=["replication", "year", "clienten_equivalent"])
    frame = pd.concat(rows, ignore_index=True)
    return frame.groupby(["replication", "year"], as_index=False)["w"].sum().rename(
        columns={"w": "clienten_equivalent"})


@register
class Plekken(Variant):
    name = "plekken"
    schema = PlekkenContract
    has_capacity = True
    open_ended = False

    def capacity(self, count, year: int) -> float:
        return for_year(count, year)

    def contracted_value(self, contract, count, year, days, year_days, scenario) -> float:
        return for_year(count, year) * plek_day_price(contract, scenario) * days

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of all phases in one pass (``funding.batch``)."""
        b, cal = Batch(phases), phases[0].cal
        price = np.array([plek_day_price(p.contract, p.scenario) for p in phases], float)
        adv = []
        for n, p in enumerate(phases):
            m, reps = cal.months_in(p.lo, p.hi), np.asarray(p.reps)
            count = np.array([for_year(p.count, y) for y in m["year"]])
            adv.append((n, (np.repeat(reps, len(m)), np.tile(m["k"].to_numpy(), len(reps)),
                            np.tile(count, len(reps)), np.tile(m["days"].to_numpy(), len(reps)))))
        adv = stack(adv, ["replication", "k", "n", "days"])
        ap = adv["phase"].to_numpy()
        rows = [b.rows(ap, adv["replication"], adv["k"], adv["n"] * adv["days"] * price[ap], "advance")]
        y = b.grid(["year", "days", "last_k"]).merge(_occupied(b), on=["phase", "replication", "year"], how="left")
        y["occupied"] = y["occupied"].fillna(0.0)
        y["plekken"] = [for_year(phases[n].count, yr) for n, yr in zip(y["phase"].tolist(), y["year"])]
        y["bought"] = y["plekken"] * y["days"]
        y["empty"] = np.maximum(y["bought"] - y["occupied"], 0.0)
        yp = y["phase"].to_numpy()
        rows.append(b.rows(yp, y["replication"], y["last_k"], -y["empty"] * price[yp], "payback"))
        finals = b.final_rows(y, np.minimum(y["occupied"], y["bought"]) * price[yp])
        closed = _closed_many(b)
        y = y.merge(sum_by_part(closed, ["phase", "replication", "year"], ["d"], "mean")
                    .rename(columns={"d": "doorlooptijd_gem"}), on=["phase", "replication", "year"], how="left")
        fallback = y[["phase", "replication"]].merge(sum_by_part(closed, ["phase", "replication"], ["d"], "mean"),
                                                     on=["phase", "replication"], how="left")["d"]
        y["doorlooptijd_gem"] = y["doorlooptijd_gem"].fillna(pd.Series(fallback.to_numpy(), index=y.index))
        y = y.merge(_clienten_many(b), on=["phase", "replication", "year"], how="left")
        y["clienten_equivalent"] = y["clienten_equivalent"].fillna(0.0)
        plek = y.assign(contract=b.contract[y["phase"].to_numpy()])[PLEK_COLUMNS + ["phase"]]
        return Money(rows=rows, finals=[finals], plekken=[plek])

    def pay(self, phase: Phase) -> Money:
        c, cal, reps, i, count, sub = phase.contract, phase.cal, phase.reps, phase.index, phase.count, phase.trajecten
        price = plek_day_price(c, phase.scenario)
        months = cal.months_in(phase.lo, phase.hi)
        months["n"] = [for_year(count, y) for y in months["year"]]
        adv = per_rep(reps, months, ["k", "n", "days"])
        money = Money(rows=[payment_frame(i, c, phase.mode, adv["replication"], adv["k"],
                                          adv["n"] * adv["days"] * price, "advance", cal)])
        x = explode_months(sub[["replication", "start", "stop"]], phase.lo, phase.hi, cal)
        occ = (x.assign(year=cal.year[x["k"].to_numpy()]).groupby(["replication", "year"])["days"].sum()
               .rename("occupied").reset_index())
        y = per_rep(reps, phase.years, ["year", "days", "last_k"]).merge(occ, on=["replication", "year"], how="left")
        y["occupied"] = y["occupied"].fillna(0.0)
        y["plekken"] = [for_year(count, yr) for yr in y["year"]]
        y["bought"] = y["plekken"] * y["days"]
        y["empty"] = np.maximum(y["bought"] - y["occupied"], 0.0)
        money.rows.append(payment_frame(i, c, phase.mode, y["replication"], y["last_k"], -y["empty"] * price,
                                        "payback", cal))
        money.finals.append(pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                                          "final": np.minimum(y["occupied"], y["bought"]) * price}))
        y = y.merge(_mean_doorlooptijd(sub, cal), on=["replication", "year"], how="left")
        fallback = y["replication"].map(_closed(sub).groupby("replication")["d"].mean())
        y["doorlooptijd_gem"] = y["doorlooptijd_gem"].fillna(fallback)
        y = y.merge(_clienten(sub, phase), on=["replication", "year"], how="left")
        y["clienten_equivalent"] = y["clienten_equivalent"].fillna(0.0)
        money.plekken.append(y.assign(contract=i)[PLEK_COLUMNS])
        return money


def _occupied(b: Batch) -> pd.DataFrame:
    """Occupied plek-days per (phase, replication, year): ``pay``'s occupied, for every phase of ``b``."""
    parts = []
    for n, p in enumerate(b.phases):
        cols = b.columns(n)
        at, k, days = month_parts(cols.start, cols.stop, p.lo, p.hi, b.cal)
        parts.append((n, (cols.replication[at], b.cal.year[k], days)))
    occ = sum_by_part(stack(parts, ["replication", "year", "days"]), ["phase", "replication", "year"], ["days"])
    return occ.rename(columns={"days": "occupied"})


def _closed_many(b: Batch) -> pd.DataFrame:
    """``_closed`` with its year, for every phase of ``b``: phase, replication, year, d."""
    t = b.table
    phase = np.repeat(np.arange(len(b), dtype=np.int64), np.diff(b.bounds))
    keep = ~equals(t["reden"], "einde_horizon")
    stop = t["stop"].to_numpy()[keep]
    return pd.DataFrame({"phase": phase[keep], "replication": t["replication"].to_numpy()[keep],
                         "year": b.cal.year[b.cal.month_index(stop)], "d": stop - t["start"].to_numpy()[keep]})


def _clienten_many(b: Batch) -> pd.DataFrame:
    """``_clienten`` of every phase of ``b``: phase, replication, year, clienten_equivalent."""
    t, cal = b.table, b.cal
    phase = np.repeat(np.arange(len(b), dtype=np.int64), np.diff(b.bounds))
    rep = t["replication"].to_numpy()
    # one episode table for all phases: a phase's pools are its own (the replication key made per phase)
    code = phase * (int(rep.max()) + 1 if len(rep) else 1) + rep.astype(np.int64) - (int(rep.min()) if len(rep) else 0)
    first, last = episode_spans(t.assign(replication=code)) if len(t) else (np.zeros(0), np.zeros(0))
    start, stop, parts = t["start"].to_numpy(float), t["stop"].to_numpy(float), []
    for n, p in enumerate(b.phases):
        a, z = int(b.bounds[n]), int(b.bounds[n + 1])
        for year in p.years["year"]:
            lo = max(p.lo, cal.day(dt.date(year, 1, 1)))
            hi = min(p.hi, cal.day(dt.date(year + 1, 1, 1)))
            w = weights(start[a:z], stop[a:z], first[a:z], last[a:z], lo, hi)
            parts.append((n, (rep[a:z], np.full(z - a, year), w)))
    out = sum_by_part(stack(parts, ["replication", "year", "w"]), ["phase", "replication", "year"], ["w"])
    return out.rename(columns={"w": "clienten_equivalent"})
