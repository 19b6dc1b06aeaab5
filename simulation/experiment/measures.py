"""The measures compare reports, per replication x municipality x year, from one variant's event log.

Under funding contracts they cover the care those contracts buy; see ``measures``. A variant under
funding contracts needs only the traject table (``analysis.tables.traject_table``) and, for a rule
that reads results, the log (``needs_events``); ``measures_of`` takes what is at hand.

compare measures blocks of replications in its workers (``tagged``) and puts the blocks together
with ``gathered``: every measure of replication r is a pandas sum or mean over rows of replication r
only, in the same order within the group whichever other replications are in the table, so the
values are the same bits; ``gathered`` restores the row order the table of all replications has.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.tables import traject_table
from simulation.config.scenario import Scenario
from simulation.core.calendar import year_bounds
from simulation.funding.costs import delivered_units, margins, units_key
from simulation.funding.payments import compute_payments
from simulation.funding.rows import PAYMENT_COLUMNS
from simulation.funding.variant import rule

MEASURES = ("uitgaven", "unieke_clienten", "kosten_per_client", "clienten_per_plek", "wacht_dagen_gem",
            "bezettingsgraad", "terugbetaalde_plekdagen", "verrekening", "marge_aanbieders", "clienten_equivalent")

# flow measures that cannot be negative: their confidence intervals are clipped at 0 (money can be negative)
NON_NEGATIVE_MEASURES = ("unieke_clienten", "clienten_per_plek", "wacht_dagen_gem", "bezettingsgraad",
                         "terugbetaalde_plekdagen", "clienten_equivalent")
# money the municipality pays: its interval is clipped at 0 where no replication paid below 0 (a
# refund, e.g. a budget settled back, can make a year negative; verrekening and marge can be negative)
SPEND_MEASURES = ("uitgaven", "kosten_per_client")

# the measures that need the payments (compute_payments) of a variant under contracts
PAYMENT_MEASURES = frozenset(MEASURES) - {"unieke_clienten", "wacht_dagen_gem"}
BY = ["replication", "municipality", "year"]


def in_pools(frame: pd.DataFrame, keys) -> np.ndarray:
    """Whether each row's (municipality, provider, segment), as strings, is one of ``keys``."""
    if not len(frame) or not keys:
        return np.zeros(len(frame), dtype=bool)
    rows = pd.MultiIndex.from_arrays([frame[c].astype(str) for c in ("municipality", "provider", "segment")])
    return np.asarray(rows.isin(list(keys)), dtype=bool)


def wanted_measures(names: Optional[Sequence[str]]) -> tuple[str, ...]:
    """``names`` checked against MEASURES, without repeats, in their order (all MEASURES for None)."""
    if names is None:
        return MEASURES
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in MEASURES]
    if unknown or not names:
        raise ValueError(f"unknown measure(s) {unknown or '(none asked)'}; the measures are {list(MEASURES)}")
    return tuple(dict.fromkeys(names))


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


def needs_events(scenario: Scenario, wanted: Sequence[str] = MEASURES) -> bool:
    """True when ``measures_of`` needs the event log, not only the traject table: no contracts (the flow
    measures come from the KPI table) or a rule that reads results (client returns) when a measure
    of ``wanted`` needs the payments."""
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    return not contracts or (bool(PAYMENT_MEASURES & set(wanted)) and any(
        rule(c.variant).uses_results or c.beloning is not None for c in contracts))


def measures_of(scenario: Scenario, events: Optional[pd.DataFrame], trajecten: Optional[pd.DataFrame],
                replications=None, pools: Optional[set] = None,
                wanted: Sequence[str] = MEASURES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``measures`` from the log or from its traject table (``trajecten``, with ``replications``: the
    numbers of the replications that have events), the same tables either way; only the ``wanted``
    measures are computed (the payments only when one of them needs them; else an empty frame)."""
    out, pay = tagged(scenario, events, trajecten, replications, pools, wanted)
    return out.drop(columns=["_part", "_seq"]), pay


def tagged(scenario: Scenario, events: Optional[pd.DataFrame], trajecten: Optional[pd.DataFrame],
           replications=None, pools: Optional[set] = None,
           wanted: Sequence[str] = MEASURES, shared: Optional[dict] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``measures_of`` with the columns ``gathered`` puts blocks of replications together by. ``shared``: a dict
    kept across the variants measured on the same ``trajecten`` (one flow group's block), in which the parts
    that depend on the flow, not on the money (the yearly clients and waits, the units delivered), are
    computed once per key of what they read."""
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    wanted = list(wanted)
    if not contracts:
        out = _flow_measures(scenario, events, replications, pools)
        return out.assign(_part=1, _seq=0)[BY + wanted + ["_part", "_seq"]], pd.DataFrame(columns=PAYMENT_COLUMNS)
    shared = {} if shared is None or trajecten is None else shared
    # pandas 3 copies on write: a shallow copy keeps the table the next variant reads as it is
    tr = traject_table(events) if trajecten is None else trajecten.copy(deep=False)
    money = bool(PAYMENT_MEASURES & set(wanted))
    fund = (compute_payments(scenario, events=events, trajecten=tr,
                             replications=None if events is not None else replications) if money else None)
    keys = {k for c in contracts for k in c.keys()}
    clients = "unieke_clienten" in wanted or "kosten_per_client" in wanted
    yearly_key = ("yearly", frozenset(keys), tuple(year_bounds(scenario)), clients)
    units_at = ("units", frozenset(keys), units_key(scenario)) if "marge_aanbieders" in wanted else None
    if yearly_key not in shared or (units_at is not None and units_at not in shared):
        own = in_pools(tr, keys)   # the pooled trajecten are not kept in ``shared``: a worker holds a table less
        if yearly_key not in shared:
            shared[yearly_key] = _yearly(scenario, _as_text(tr)[own], clients)
        if units_at is not None and units_at not in shared:
            # on the names as they are: categorical names are summed in text order, as if cast (costs._sum_by_names)
            shared[units_at] = delivered_units(scenario, tr[own])
    yearly = shared[yearly_key]
    other = _money_parts(fund, contracts) if money else []
    if yearly is None:
        out = pd.DataFrame(columns=BY + ["_part", "_seq"])
    else:
        out = pd.concat([yearly] + other, axis=1)
        out["_part"] = _parts(out.index, len(yearly), other)
        out["_seq"] = out["_seq"].fillna(0).astype(np.int64)
        out = out.reset_index()
    if "marge_aanbieders" in wanted:
        mg = margins(scenario, None, fund, shared[units_at])   # the trajecten are read only for the units
        mg = mg[in_pools(mg, keys)]
        g = mg.groupby(BY)["margin"]
        # one provider without a cost model makes the municipality's margin unknown, not the sum of the others'
        marge = g.sum(min_count=1).where(g.count() == g.size()).rename("marge_aanbieders").reset_index()
        out = out.merge(marge, on=BY, how="left")
    return _finish(out, wanted), (fund.payments if fund is not None else pd.DataFrame(columns=PAYMENT_COLUMNS))


def _as_text(tr: pd.DataFrame) -> pd.DataFrame:
    """The trajecten with their names as text."""
    return tr.assign(**{col: tr[col].astype(str) for col in ("municipality", "provider", "segment")})


def _yearly(scenario: Scenario, tr: pd.DataFrame, clients: bool) -> Optional[pd.DataFrame]:
    """Unique clients (when ``clients``) and the mean wait of new trajecten per replication x municipality,
    one block of rows per year (``_seq``: 2 x the year's position, + 1 for a wait without a client row)."""
    frames = []
    for y, (year, lo, hi) in enumerate(year_bounds(scenario)):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)]
        if clients:
            in_year = in_year.drop_duplicates(["replication", "municipality", "client"])
        n = in_year.groupby(["replication", "municipality"]).size()
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        w = new.groupby(["replication", "municipality"])["wacht_dagen"].mean()
        frame = pd.concat([n.rename("unieke_clienten"), w.rename("wacht_dagen_gem")], axis=1)
        frame["year"] = year
        frame["_dagen"] = hi - lo
        frame["_seq"] = np.where(frame.index.isin(n.index), 2 * y, 2 * y + 1)
        if not clients:
            frame["unieke_clienten"] = np.nan
        frames.append(frame.reset_index().set_index(BY))
    return pd.concat(frames) if frames else None


def _money_parts(fund, contracts) -> list:
    """The per replication x municipality x year sums of the payments, finals and plek-days."""
    fin = fund.finals_by_municipality(contracts)
    parts = [fin.groupby(BY)["final"].sum().rename("uitgaven")]
    pay = fund.payments.assign(municipality=fund.payments["municipality"].astype(str))
    parts.append(pay[pay["kind"] == "settlement"].groupby(BY)["amount"].sum().rename("verrekening"))
    pk = fund.plekken.assign(municipality=[contracts[i].municipality for i in fund.plekken["contract"]])
    if len(pk):
        g = pk.groupby(BY)
        parts += [(g["occupied"].sum() / g["bought"].sum()).rename("bezettingsgraad"),
                  g["empty"].sum().rename("terugbetaalde_plekdagen"),
                  g["clienten_equivalent"].sum().rename("clienten_equivalent"),
                  (g["bought"].sum()).rename("_plekdagen")]
    return parts


def _parts(index, n_yearly: int, other: list) -> np.ndarray:
    """0 for the rows of the yearly table, else 1 + the position of the first part the row's key is in
    (the order ``pd.concat(axis=1)`` appends the keys the yearly table lacks in)."""
    part = np.zeros(len(index), dtype=np.int64)
    rest = index[n_yearly:]
    todo = np.ones(len(rest), dtype=bool)
    for k, s in enumerate(other):
        hit = todo & rest.isin(s.index)
        part[n_yearly:][hit] = 1 + k
        todo &= ~hit
    return part


def _finish(out: pd.DataFrame, wanted: list) -> pd.DataFrame:
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
    return out[BY + wanted + ["_part", "_seq"]]


def gathered(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``tagged`` frames of successive blocks of replications as one, in the row order ``tagged`` gives for all
    of them at once (the yearly rows year by year, then the keys only the money has), without the tags."""
    frames = [f for f in frames if len(f)] or list(frames[:1])
    out = pd.concat(frames, ignore_index=True)
    order = np.lexsort((out["_seq"].to_numpy(), out["_part"].to_numpy()))   # stable
    return out.iloc[order].drop(columns=["_part", "_seq"]).reset_index(drop=True)


def _flow_measures(scenario: Scenario, events: pd.DataFrame, replications, pools: Optional[set]) -> pd.DataFrame:
    """``measures`` of a scenario without contracts: the flow measures from the KPI table (one
    definition), summed over the ``pools`` of each municipality; NaN for the money measures."""
    by = ["replication", "municipality", "year"]
    per_pool = kpis(events, scenario, replications=replications)
    for col in ("municipality", "provider", "segment"):
        per_pool[col] = per_pool[col].astype(str)
    if pools is not None:
        per_pool = per_pool[in_pools(per_pool, pools)]
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
        tr = tr[in_pools(tr, pools)]
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
