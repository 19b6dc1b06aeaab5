"""The measures compare reports, per replication x municipality x year, from one variant's event log.

Under funding contracts they cover the care those contracts buy; see ``measures``. A variant under
funding contracts needs only the traject table (``analysis.tables.traject_table``) and, for a rule
that reads results, the log (``needs_events``); ``measures_of`` takes what is at hand.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.tables import traject_table
from simulation.config.scenario import Scenario
from simulation.core.calendar import year_bounds
from simulation.funding.costs import margins
from simulation.funding.payments import compute_payments
from simulation.funding.rows import PAYMENT_COLUMNS
from simulation.funding.variant import rule

MEASURES = ("uitgaven", "unieke_clienten", "kosten_per_client", "clienten_per_plek", "wacht_dagen_gem",
            "bezettingsgraad", "terugbetaalde_plekdagen", "verrekening", "marge_aanbieders", "clienten_equivalent")

# flow measures that cannot be negative: their confidence intervals are clipped at 0 (money can be negative)
NON_NEGATIVE_MEASURES = ("unieke_clienten", "clienten_per_plek", "wacht_dagen_gem", "bezettingsgraad",
                         "terugbetaalde_plekdagen", "clienten_equivalent")


def measures(scenario: Scenario, events: pd.DataFrame, replications=None,
             pools: Optional[set] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per replication x municipality x year: the MEASURES of one variant; also the payments.

    Under funding contracts the measures cover the care those contracts buy (their municipality x
    provider x segment pools). A scenario without contracts has no money measures (NaN: uitgaven,
    verrekening, kosten_per_client, marge_aanbieders, terugbetaalde_plekdagen) and its flow measures
    (unieke_clienten, wacht_dagen_gem, bezettingsgraad, clienten_per_plek, clienten_equivalent of the
    plekken in ``providers.*.plekken``) cover ``pools`` ((municipality, provider, segment) keys;
    default all care), with a row for every municipality x year in every replication
    (``replications``: their count or numbers; default those in the log).
    """
    return measures_of(scenario, events, None, replications, pools)


def needs_events(scenario: Scenario) -> bool:
    """True when ``measures_of`` needs the event log, not only the traject table: no contracts (the flow
    measures come from the KPI table) or a rule that reads results (client returns)."""
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    return not contracts or any(rule(c.variant).uses_results or c.beloning is not None for c in contracts)


def measures_of(scenario: Scenario, events: Optional[pd.DataFrame], trajecten: Optional[pd.DataFrame],
                replications=None, pools: Optional[set] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``measures`` from the log or from its traject table (``trajecten``, with ``replications``: the
    numbers of the replications that have events), the same tables either way."""
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    if not contracts:
        return _flow_measures(scenario, events, replications, pools), pd.DataFrame(columns=PAYMENT_COLUMNS)
    tr = traject_table(events) if trajecten is None else trajecten.copy()
    fund = compute_payments(scenario, events=events, trajecten=tr,
                            replications=None if events is not None else replications)
    keys = {k for c in contracts for k in c.keys()}
    for col in ("municipality", "provider", "segment"):
        tr[col] = tr[col].astype(str)
    covered = pd.Series([k in keys for k in zip(tr["municipality"], tr["provider"], tr["segment"])], index=tr.index,
                        dtype=bool)
    tr = tr[covered]
    by = ["replication", "municipality", "year"]
    fin = fund.finals_by_municipality(contracts)
    parts = [fin.groupby(by)["final"].sum().rename("uitgaven")]
    pay = fund.payments.assign(municipality=fund.payments["municipality"].astype(str))
    parts.append(pay[pay["kind"] == "settlement"].groupby(by)["amount"].sum().rename("verrekening"))
    pk = fund.plekken.assign(municipality=[contracts[i].municipality for i in fund.plekken["contract"]])
    if len(pk):
        g = pk.groupby(by)
        parts += [(g["occupied"].sum() / g["bought"].sum()).rename("bezettingsgraad"),
                  g["empty"].sum().rename("terugbetaalde_plekdagen"),
                  g["clienten_equivalent"].sum().rename("clienten_equivalent"),
                  (g["bought"].sum()).rename("_plekdagen")]
    for year, lo, hi in year_bounds(scenario):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)]
        n = in_year.drop_duplicates(["replication", "municipality", "client"]).groupby(["replication", "municipality"]).size()
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        w = new.groupby(["replication", "municipality"])["wacht_dagen"].mean()
        frame = pd.concat([n.rename("unieke_clienten"), w.rename("wacht_dagen_gem")], axis=1)
        frame["year"] = year
        frame["_dagen"] = hi - lo
        parts.append(frame.reset_index().set_index(by))
    yearly = [p for p in parts if "unieke_clienten" in getattr(p, "columns", [])]
    other = [p for p in parts if p is not None and not isinstance(p, pd.DataFrame)]
    out = pd.concat([pd.concat(yearly)] + other, axis=1).reset_index() if yearly else pd.DataFrame(columns=by)
    mg = margins(scenario, tr, fund)
    mg = mg[[k in keys for k in zip(mg["municipality"], mg["provider"], mg["segment"])]]
    g = mg.groupby(by)["margin"]
    # one provider without a cost model makes the municipality's margin unknown, not the sum of the others'
    marge = g.sum(min_count=1).where(g.count() == g.size()).rename("marge_aanbieders").reset_index()
    out = out.merge(marge, on=by, how="left")
    for col in MEASURES:
        if col not in out:
            out[col] = np.nan
    out["uitgaven"] = out["uitgaven"].fillna(0.0)
    out["verrekening"] = out["verrekening"].fillna(0.0)
    out["unieke_clienten"] = out["unieke_clienten"].fillna(0).astype(int)
    out["kosten_per_client"] = out["uitgaven"] / out["unieke_clienten"].replace(0, np.nan)
    if "_plekdagen" in out:
        plekken = out["_plekdagen"] / out["_dagen"]
        out["clienten_per_plek"] = out["clienten_equivalent"].fillna(0) / plekken.replace(0, np.nan)
    return out[by + list(MEASURES)], fund.payments


def _flow_measures(scenario: Scenario, events: pd.DataFrame, replications, pools: Optional[set]) -> pd.DataFrame:
    """``measures`` of a scenario without contracts: the flow measures from the KPI table (one
    definition), summed over the ``pools`` of each municipality; NaN for the money measures."""
    by = ["replication", "municipality", "year"]
    per_pool = kpis(events, scenario, replications=replications)
    for col in ("municipality", "provider", "segment"):
        per_pool[col] = per_pool[col].astype(str)
    if pools is not None:
        keep = [k in pools for k in zip(per_pool["municipality"], per_pool["provider"], per_pool["segment"])]
        per_pool = per_pool[np.asarray(keep, dtype=bool)]
    bought_days = per_pool["plekken"].fillna(0.0) * per_pool["dagen"]
    per_pool = per_pool.assign(_used=(per_pool["bezettingsgraad"] * bought_days).fillna(0.0), _bought=bought_days,
                               clienten_equivalent=(per_pool["clienten_per_plek"] * per_pool["plekken"]).fillna(0.0))
    g = per_pool.groupby(by)
    out = pd.DataFrame({"_used": g["_used"].sum(), "_bought": g["_bought"].sum(),
                        "clienten_equivalent": g["clienten_equivalent"].sum()})
    # clients and waits per municipality: distinct clients and new trajecten over its pools, not a sum
    tr = traject_table(events)
    tr = tr.assign(**{c: tr[c].astype(str) for c in ("municipality", "provider", "segment")})
    if pools is not None:
        tr = tr[np.asarray([k in pools for k in zip(tr["municipality"], tr["provider"], tr["segment"])], dtype=bool)]
    clients, waits = [], []
    for year, lo, hi in year_bounds(scenario):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)].drop_duplicates(["replication", "municipality", "client"])
        clients.append(in_year.groupby(["replication", "municipality"]).size().rename("unieke_clienten")
                       .reset_index().assign(year=year))
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        waits.append(new.groupby(["replication", "municipality"])["wacht_dagen"].mean().rename("wacht_dagen_gem")
                     .reset_index().assign(year=year))
    out = (out.join(pd.concat(clients).set_index(by), how="left").join(pd.concat(waits).set_index(by), how="left")
           .reset_index())
    out["unieke_clienten"] = out["unieke_clienten"].fillna(0).astype(int)
    has = out["_bought"] > 0
    out["bezettingsgraad"] = np.where(has, out["_used"] / out["_bought"].where(has, 1.0), np.nan)
    plekken = out["_bought"] / pd.Series([hi - lo for _, lo, hi in year_bounds(scenario)],
                                         index=scenario.years).reindex(out["year"]).to_numpy()
    out["clienten_per_plek"] = np.where(has, out["clienten_equivalent"] / plekken.where(has, 1.0), np.nan)
    out["clienten_equivalent"] = out["clienten_equivalent"].where(has)
    for col in MEASURES:
        if col not in out:
            out[col] = np.nan
    return out[by + list(MEASURES)]
