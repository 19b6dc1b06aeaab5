"""KPIs from the event log: per replication x year x municipality x segment x provider.

Everything here is computed from the log alone (vectorised pandas, once per
run), so the same functions work on realised records that use the same words.

Definitions (a calendar year is cut to the simulated horizon):
- instroom: trajecten that start care and are not a continuation (verlenging or
  step-down of a traject the client already had there);
- uitstroom: trajecten that stop for good (not verlenging, step-down or einde_horizon);
- unieke_clienten: clients with at least one traject in care during the year;
- caseload_1jan: clients in care on 1 January (or the start date), carried over from before it
  (trajecten that start at the very moment of 1 January are that year's instroom);
- doorlooptijd: days in care of trajecten that closed in the year (einde_horizon excluded);
- wacht_dagen: days from toewijzing to start_zorg of trajecten that started in the year;
- wachtlijst_eind: trajecten waiting for a plek at the end of the year;
- bezettingsgraad: plek-days used / plek-days bought (groups with plekken only);
- clienten_per_plek: unieke_clienten / plekken bought;
- aandeel_afschaling, aandeel_uitval: shares of uitstroom;
- recidive_365: share of clients afgeschaald in the year who return to the toegang
  within 365 days (NaN when those 365 days run past the horizon).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from simulation.config.pricing import for_year
from simulation.config.scenario import Scenario
from simulation.core.calendar import year_bounds

GROUP = ("municipality", "segment", "provider")
KPI_COLUMNS = (
    "instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "doorlooptijd_gem",
    "doorlooptijd_mediaan", "wacht_dagen_gem", "wacht_dagen_p90", "aandeel_gewacht",
    "wachtlijst_eind", "plekken", "bezettingsgraad", "clienten_per_plek", "aandeel_afschaling",
    "recidive_365", "aandeel_uitval",
)


def traject_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per traject in care during the horizon: start, stop, wait, reden.

    Trajecten in care on the start date come from the ``beginstand`` rows (start
    before day 0). Every traject has a stop: open ones stop at the horizon with
    reden ``einde_horizon``.
    """
    keys = ["replication", "traject"]
    attrs = ["client", "municipality", "segment", "traject_type", "provider"]
    started = events[events["event"] == "start_zorg"]
    begin = events[(events["event"] == "beginstand") & (events["reden"] == "in_zorg")]
    starts = pd.concat([
        pd.DataFrame({**{k: started[k] for k in keys + attrs}, "start": started["day"],
                      "wacht_dagen": started["wacht_dagen"],
                      "voortzetting": started["reden"].notna().to_numpy(), "beginstand": False}),
        pd.DataFrame({**{k: begin[k] for k in keys + attrs}, "start": begin["sinds_dag"],
                      "wacht_dagen": np.nan, "voortzetting": False, "beginstand": True}),
    ], ignore_index=True)
    stopped = events[events["event"] == "stop_zorg"]
    stops = pd.DataFrame({k: stopped[k] for k in keys} | {
        "stop": stopped["day"], "reden": stopped["reden"], "doorlooptijd": stopped["doorlooptijd"]})
    table = starts.merge(stops, on=keys, how="left", validate="one_to_one")
    if table["stop"].isna().any():
        missing = table.loc[table["stop"].isna(), "traject"].head(3).tolist()
        raise ValueError(f"event log has trajecten without stop_zorg (e.g. {missing}); is the log complete?")
    return table


def waiting_table(events: pd.DataFrame, trajecten: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """One row per wait for a plek: from wachtlijst (or beginstand) to start_zorg or the horizon."""
    w = events[(events["event"] == "wachtlijst")
               | ((events["event"] == "beginstand") & (events["reden"] == "wachtlijst"))]
    since = np.where(w["event"] == "beginstand", w["sinds_dag"], w["day"])
    table = pd.DataFrame({k: w[k] for k in ("replication", "traject", "client", "municipality", "segment",
                                            "provider")} | {"since": since})
    starts = trajecten[["replication", "traject", "start"]]
    table = table.merge(starts, on=["replication", "traject"], how="left")
    table["until"] = table["start"].fillna(horizon)
    return table.drop(columns="start")


PLACES = ("in_zorg", "wachtlijst", "toegang", "voorliggend_veld", "uitgestroomd")


def client_places(events: pd.DataFrame) -> pd.DataFrame:
    """Where every client of the log is at its end (the horizon), from the log alone.

    One row per replication x client with ``plaats``, the first that applies of:
    - in_zorg: a traject still in care (stop_zorg with reden einde_horizon);
    - wachtlijst: a toewijzing or wait without start_zorg (a stacked traject may run meanwhile: in_zorg wins);
    - toegang: the last event is an aanmelding (new or after recidive) or a beginstand at the toegang;
    - voorliggend_veld: the last event sends the client there (from the toegang or by afschaling),
      whether or not a recidive will follow (the log cannot know);
    - uitgestroomd: the last event is a stop for uitval.
    A client whose last event fits none of these gets ``plaats`` NaN: the log is inconsistent.
    The model's own count is ``Model.state_at_horizon()`` (voorliggend_veld there is split into
    voorliggend_veld_recidive and voorliggend_veld).
    """
    keys = ["replication", "client"]
    event, reden = events["event"], events["reden"]
    begin = event == "beginstand"
    in_care = events.loc[(event == "stop_zorg") & (reden == "einde_horizon"), keys].drop_duplicates()
    assigned = events.loc[event.isin(["toewijzing", "wachtlijst"]) | (begin & (reden == "wachtlijst")),
                          keys + ["traject"]].drop_duplicates()
    started = events.loc[(event == "start_zorg") | (begin & (reden == "in_zorg")),
                         ["replication", "traject"]].drop_duplicates()
    open_waits = assigned.merge(started, on=["replication", "traject"], how="left", indicator=True)
    waiting = open_waits.loc[open_waits["_merge"] == "left_only", keys].drop_duplicates()

    ordered = events.sort_values(["replication", "day"], kind="stable")   # same day: order of the log
    last = ordered.groupby(keys, sort=True, observed=True).tail(1)
    e, r = last["event"].astype(str), last["reden"].astype(str)
    place = np.select(
        [e.isin(["aanmelding", "recidive"]) | ((e == "beginstand") & (r == "in_toegang")),
         (e == "voorliggend_veld") | ((e == "beginstand") & (r == "in_voorliggend_veld")),
         (e == "stop_zorg") & (r == "uitval")],
        ["toegang", "voorliggend_veld", "uitgestroomd"], default="")
    out = pd.DataFrame({"replication": last["replication"].to_numpy(), "client": last["client"].to_numpy(),
                        "plaats": place})
    idx = pd.MultiIndex.from_frame(out[keys])
    out.loc[idx.isin(pd.MultiIndex.from_frame(waiting)), "plaats"] = "wachtlijst"
    out.loc[idx.isin(pd.MultiIndex.from_frame(in_care)), "plaats"] = "in_zorg"
    out["plaats"] = pd.Categorical(out["plaats"].replace("", np.nan), categories=list(PLACES))
    return out.sort_values(keys, ignore_index=True)


def _plekken_frame(scenario: Scenario) -> pd.DataFrame:
    """Plekken bought per municipality x segment x provider x year: from ``providers.*.plekken``
    and from funding contracts (a plekken contract, or a conversion to plekken during the year,
    counts as its plek-days bought / days in the year)."""
    rows = []
    for p, prov in scenario.providers.items():
        for m, per_seg in prov.plekken.items():
            for s in per_seg:
                for year in scenario.years:
                    rows.append((m, s, p, year, float(scenario.plekken_in_year(p, m, s, year))))
    if scenario.funding is not None:
        bounds = {year: (lo, hi) for year, lo, hi in year_bounds(scenario)}
        for c in scenario.funding.contracts:
            bought = dict.fromkeys(bounds, 0.0)
            for start, end, count in c.plekken_phases(scenario):
                a, b = (start - scenario.start_date).days, (end - scenario.start_date).days
                for year, (lo, hi) in bounds.items():
                    bought[year] += max(0.0, min(b, hi) - max(a, lo)) * for_year(count, year)
            for year, (lo, hi) in bounds.items():
                if bought[year] > 0:
                    rows.append((c.municipality, c.segment, c.provider, year, bought[year] / (hi - lo)))
    frame = pd.DataFrame(rows, columns=["municipality", "segment", "provider", "year", "plekken"])
    return frame.groupby(["municipality", "segment", "provider", "year"], as_index=False)["plekken"].sum()


class _Groups:
    """Integer group ids for rows of several tables over the same key columns.

    A group is one combination of replication and the categorical ``by`` columns; ids follow
    the sort order of (replication, category codes), which is the order of the KPI table.
    """

    def __init__(self, keys: list[str], tables: list[pd.DataFrame], categories: dict):
        self.keys, self.categories = keys, categories
        self.sizes = [None] + [len(categories[k]) + 1 for k in keys[1:]]   # +1: code -1 (missing) -> 0
        combined = [self._code(t) for t in tables]
        self.codes, inverse = np.unique(np.concatenate(combined), return_inverse=True)
        self.n = len(self.codes)
        cuts = np.cumsum([len(c) for c in combined])[:-1]
        self.ids = np.split(inverse.reshape(-1), cuts)

    def _code(self, table: pd.DataFrame) -> np.ndarray:
        code = table["replication"].to_numpy().astype(np.int64)
        for key, size in zip(self.keys[1:], self.sizes[1:]):
            cat = table[key]
            codes = (cat.cat.codes if isinstance(cat.dtype, pd.CategoricalDtype)
                     else pd.Categorical(cat, categories=self.categories[key]).codes)
            code = code * size + (np.asarray(codes, dtype=np.int64) + 1)
        return code

    def frame(self) -> pd.DataFrame:
        """The key columns of every group, in group-id order."""
        code, columns = self.codes.copy(), {}
        for key, size in zip(self.keys[:0:-1], self.sizes[:0:-1]):
            columns[key] = pd.Categorical.from_codes(code % size - 1, categories=self.categories[key])
            code //= size
        return pd.DataFrame({"replication": code} | dict(reversed(list(columns.items()))))


def _count(gid: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(gid[mask], minlength=n)


def _mean(gid: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per-group mean of the non-NaN ``values`` where ``mask``; NaN for a group without any."""
    mask = mask & ~np.isnan(values)
    count = np.bincount(gid[mask], minlength=n)
    total = np.bincount(gid[mask], weights=values[mask], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _quantile(gid: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int, q: float) -> np.ndarray:
    """Per-group quantile of the non-NaN ``values`` where ``mask`` (linear, as pandas; the median
    of an even count is the mean of the middle two, as pandas' median)."""
    mask = mask & ~np.isnan(values)
    g, v = gid[mask], values[mask]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    count = np.bincount(g, minlength=n)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    out = np.full(n, np.nan)
    has = count > 0
    if q == 0.5:
        lo = first + (count - 1) // 2
        hi = first + count // 2
        out[has] = (v[lo[has]] + v[hi[has]]) / 2
        return out
    position = q * (count[has] - 1)
    step = position.astype(np.int64)
    lo = first[has] + step
    hi = np.minimum(lo + 1, first[has] + count[has] - 1)
    out[has] = v[lo] + (v[hi] - v[lo]) * (position - step)
    return out


def _distinct(gid: np.ndarray, client: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per group: the number of different clients among the rows where ``mask``."""
    span = int(client.max(initial=0)) + 1
    pairs = np.unique(gid[mask].astype(np.int64) * span + client[mask])
    return np.bincount(pairs // span, minlength=n)


def _codes(column: pd.Series, categories) -> np.ndarray:
    values = column.cat.codes if isinstance(column.dtype, pd.CategoricalDtype) else \
        pd.Categorical(column, categories=categories).codes
    return np.asarray(values, dtype=np.int64)


def kpis(events: pd.DataFrame, scenario: Scenario, by: Sequence[str] = GROUP) -> pd.DataFrame:
    """KPIs per replication x year x ``by`` (a subset of municipality, segment, provider).

    A group appears in a year when it has a traject in care, a start, a stop or a client
    waiting at the year's end; counts are 0 and other KPIs NaN where they have no rows.
    """
    by = list(by)
    unknown = set(by) - set(GROUP)
    if unknown:
        raise ValueError(f"kpis(by=...) accepts {GROUP}, got {sorted(unknown)}")
    horizon = float(scenario.horizon_days)
    tr = traject_table(events)
    wt = waiting_table(events, tr, horizon)
    plekken = _plekken_frame(scenario)
    is_stop = (events["event"] == "stop_zorg").to_numpy()
    afschaling = events[is_stop & (events["reden"] == "afschaling").to_numpy()]
    recidive = events[events["event"] == "recidive"]
    categories = {c: events[c].cat.categories for c in GROUP}
    keys = ["replication"] + by
    groups = _Groups(keys, [tr, wt, afschaling], categories)
    gid_tr, gid_wt, gid_af = groups.ids
    n = groups.n

    # the trajecten as arrays
    start, stop = tr["start"].to_numpy(float), tr["stop"].to_numpy(float)
    wait, duration = tr["wacht_dagen"].to_numpy(float), tr["doorlooptijd"].to_numpy(float)
    reden = tr["reden"].astype(str).to_numpy()
    is_new = ~tr["voortzetting"].to_numpy(bool) & ~tr["beginstand"].to_numpy(bool)
    final = ~np.isin(reden, ["verlenging", "step_down", "einde_horizon"])
    closed = reden != "einde_horizon"
    afgeschaald, uitval = reden == "afschaling", reden == "uitval"
    clients, client = np.unique(tr["client"].to_numpy(np.int64), return_inverse=True)
    client = client.reshape(-1)
    since, until = wt["since"].to_numpy(float), wt["until"].to_numpy(float)
    pool_codes = [_codes(tr[c], categories[c]) for c in GROUP]
    returned = _returned_within_365(afschaling, recidive)
    af_day = afschaling["day"].to_numpy(float)
    key_frame = groups.frame()

    per_year = []
    for year, lo, hi in year_bounds(scenario):
        in_year = (start < hi) & (stop > lo)
        at_start = (start < lo) & (stop >= lo)
        new = (start >= lo) & (start < hi) & is_new
        stops_in_year = (stop >= lo) & (stop < hi)
        ended = stops_in_year & closed
        out = stops_in_year & final
        waiting_end = ((since < hi) & (until >= hi)) if hi < horizon else (until >= horizon)
        instroom, uitstroom = _count(gid_tr, new, n), _count(gid_tr, out, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = lambda flag: np.where(uitstroom > 0, _count(gid_tr, out & flag, n) / np.maximum(uitstroom, 1),
                                          np.nan)
            columns = {
                "instroom": instroom, "uitstroom": uitstroom,
                "unieke_clienten": _distinct(gid_tr, client, in_year, n),
                "caseload_1jan": _distinct(gid_tr, client, at_start, n),
                "doorlooptijd_gem": _mean(gid_tr, duration, ended, n),
                "doorlooptijd_mediaan": _quantile(gid_tr, duration, ended, n, 0.5),
                "wacht_dagen_gem": _mean(gid_tr, wait, new, n),
                "wacht_dagen_p90": _quantile(gid_tr, wait, new, n, 0.9),
                "aandeel_gewacht": np.where(instroom > 0, _count(gid_tr, new & (wait > 0), n)
                                            / np.maximum(instroom, 1), np.nan),
                "wachtlijst_eind": _count(gid_wt, waiting_end, n),
                "aandeel_afschaling": share(afgeschaald), "aandeel_uitval": share(uitval),
            }
            # recidive within 365 days of afschaling, for afschalingen whose 365 days fit the horizon
            observable = (af_day >= lo) & (af_day < hi) & (af_day + 365 <= horizon)
            seen = _count(gid_af, observable, n)
            columns["recidive_365"] = np.where(seen > 0, _count(gid_af, observable & returned, n)
                                               / np.maximum(seen, 1), np.nan)
        present = (_count(gid_tr, in_year | at_start | new | ended | out, n) + columns["wachtlijst_eind"]) > 0
        days = hi - lo
        columns.update(_plekken_kpis(plekken[plekken["year"] == year], by, categories, key_frame, pool_codes,
                                     gid_tr, client, start, stop, in_year, lo, hi, n))
        frame = key_frame[present].reset_index(drop=True)
        frame.insert(1, "year", year)
        for col in KPI_COLUMNS:
            frame[col] = np.asarray(columns[col])[present]
        frame["dagen"] = days
        per_year.append(frame)
    result = pd.concat(per_year, ignore_index=True)
    for col in ("instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "wachtlijst_eind"):
        result[col] = result[col].astype(np.int64)
    ordered = ["replication", "year"] + by + list(KPI_COLUMNS) + ["dagen"]
    return result[ordered].sort_values(["replication", "year"] + by, ignore_index=True)


def _plekken_kpis(pk: pd.DataFrame, by: list[str], categories: dict, key_frame: pd.DataFrame,
                  pool_codes: list[np.ndarray], gid: np.ndarray, client: np.ndarray, start: np.ndarray,
                  stop: np.ndarray, in_year: np.ndarray, lo: float, hi: float, n: int) -> dict:
    """plekken bought, bezettingsgraad and clienten_per_plek per group (NaN without plekken)."""
    nothing = np.full(n, np.nan)
    if pk.empty:
        return {"plekken": nothing, "bezettingsgraad": nothing, "clienten_per_plek": nothing}
    pk_codes = [_codes(pk[c], categories[c]) for c in GROUP]
    # which (municipality, segment, provider) have plekken this year
    pool = np.zeros([len(categories[c]) + 1 for c in GROUP], dtype=bool)
    known = np.all([c >= 0 for c in pk_codes], axis=0)
    pool[tuple(c[known] for c in pk_codes)] = True
    at_pool = in_year & pool[tuple(pool_codes)]
    days_used = np.bincount(gid[at_pool], weights=(np.minimum(stop, hi) - np.maximum(start, lo))[at_pool],
                            minlength=n)
    clients_at_pool = _distinct(gid, client, at_pool, n)
    # plekken bought per group: the sum over the pools that match the group's ``by`` values
    bought = np.zeros(n)
    plekken = pk["plekken"].to_numpy(float)
    match = np.ones((n, len(pk)), dtype=bool)
    for col in by:
        group_codes = np.asarray(key_frame[col].cat.codes, dtype=np.int64)
        match &= group_codes[:, None] == pk_codes[GROUP.index(col)][None, :]
    bought = (match * plekken[None, :]).sum(axis=1)
    bought = np.where(match.any(axis=1), bought, np.nan)
    has = bought > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"plekken": bought,
                "bezettingsgraad": np.where(has, days_used / (bought * (hi - lo)), np.nan),
                "clienten_per_plek": np.where(has, clients_at_pool / bought, np.nan)}


def _returned_within_365(afschaling: pd.DataFrame, recidive: pd.DataFrame) -> np.ndarray:
    """Per afschaling row: does the same client come back (recidive) within 365 days, on or after it?"""
    if afschaling.empty:
        return np.zeros(0, dtype=bool)
    a_rep, r_rep = afschaling["replication"].to_numpy(np.int64), recidive["replication"].to_numpy(np.int64)
    a_client, r_client = afschaling["client"].to_numpy(np.int64), recidive["client"].to_numpy(np.int64)
    a_day, r_day = afschaling["day"].to_numpy(float), recidive["day"].to_numpy(float)
    # one integer per (replication, client, day), ordered like the triple, to search the next recidive
    span = int(max(a_client.max(initial=0), r_client.max(initial=0))) + 1
    _, who = np.unique(np.concatenate([a_rep * span + a_client, r_rep * span + r_client]), return_inverse=True)
    _, when = np.unique(np.concatenate([a_day, r_day]), return_inverse=True)
    who, when = who.reshape(-1), when.reshape(-1)
    key = who * (int(when.max()) + 1) + when
    a_key, r_key = key[:len(a_day)], key[len(a_day):]
    order = np.argsort(r_key, kind="stable")
    r_key, r_day, r_who = r_key[order], r_day[order], who[len(a_day):][order]
    nxt = np.searchsorted(r_key, a_key, side="left")
    found = nxt < len(r_key)
    nxt = np.minimum(nxt, max(len(r_key) - 1, 0))
    if len(r_key) == 0:
        return np.zeros(len(a_day), dtype=bool)
    same = found & (r_who[nxt] == who[:len(a_day)])
    return same & (r_day[nxt] - a_day <= 365)


def summarise(kpi: pd.DataFrame, columns: Sequence[str] = KPI_COLUMNS, level: float = 0.95) -> pd.DataFrame:
    """Mean over replications with a Student-t confidence interval, per year x group."""
    from scipy import stats

    keys = [c for c in kpi.columns if c in ("year",) + GROUP]
    g = kpi.groupby(keys, observed=True)[list(columns)]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    out = pd.concat({"gem": mean, "ci_laag": mean - half, "ci_hoog": mean + half}, axis=1)
    out.columns = [f"{col}_{stat}" for stat, col in out.columns]
    return out.reset_index()
