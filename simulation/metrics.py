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

import datetime as dt
from typing import Sequence

import numpy as np
import pandas as pd

from .scenario import Scenario

GROUP = ("municipality", "segment", "provider")
KPI_COLUMNS = (
    "instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "doorlooptijd_gem",
    "doorlooptijd_mediaan", "wacht_dagen_gem", "wacht_dagen_p90", "aandeel_gewacht",
    "wachtlijst_eind", "plekken", "bezettingsgraad", "clienten_per_plek", "aandeel_afschaling",
    "recidive_365", "aandeel_uitval",
)


def year_bounds(scenario: Scenario) -> list[tuple[int, float, float]]:
    """(year, first day, end day) of every calendar year in the horizon, in model days."""
    out = []
    for year in scenario.years + [scenario.years[-1] + 1]:
        lo = max(0, (dt.date(year, 1, 1) - scenario.start_date).days)
        hi = min(scenario.horizon_days, (dt.date(year + 1, 1, 1) - scenario.start_date).days)
        if hi > lo:
            out.append((year, float(lo), float(hi)))
    return out


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
        from .funding.contracts import for_year, phases

        bounds = {year: (lo, hi) for year, lo, hi in year_bounds(scenario)}
        for c in scenario.funding.contracts:
            bought = dict.fromkeys(bounds, 0.0)
            for start, end, mode, count in phases(c, scenario):
                if mode != "plekken":
                    continue
                a, b = (start - scenario.start_date).days, (end - scenario.start_date).days
                for year, (lo, hi) in bounds.items():
                    bought[year] += max(0.0, min(b, hi) - max(a, lo)) * for_year(count, year)
            for year, (lo, hi) in bounds.items():
                if bought[year] > 0:
                    rows.append((c.municipality, c.segment, c.provider, year, bought[year] / (hi - lo)))
    frame = pd.DataFrame(rows, columns=["municipality", "segment", "provider", "year", "plekken"])
    return frame.groupby(["municipality", "segment", "provider", "year"], as_index=False)["plekken"].sum()


def kpis(events: pd.DataFrame, scenario: Scenario, by: Sequence[str] = GROUP) -> pd.DataFrame:
    """KPIs per replication x year x ``by`` (a subset of municipality, segment, provider)."""
    by = list(by)
    unknown = set(by) - set(GROUP)
    if unknown:
        raise ValueError(f"kpis(by=...) accepts {GROUP}, got {sorted(unknown)}")
    horizon = float(scenario.horizon_days)
    tr = traject_table(events)
    wt = waiting_table(events, tr, horizon)
    plekken = _plekken_frame(scenario)
    final = ~tr["reden"].isin(["verlenging", "step_down", "einde_horizon"])
    afschaling = events[(events["event"] == "stop_zorg") & (events["reden"] == "afschaling")]
    recidive = events[events["event"] == "recidive"]
    cat_cols = {c: events[c].cat.categories for c in GROUP}

    per_year = []
    for year, lo, hi in year_bounds(scenario):
        keys = ["replication"] + by
        parts = []
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)]
        parts.append(in_year.drop_duplicates(keys + ["client"]).groupby(keys, observed=True).size()
                     .rename("unieke_clienten"))
        # the stock carried into the year: in care just before 1 January. A traject admitted on the
        # stroke of 1 January (a plek of the new year's capacity) is that year's instroom, not also
        # its beginning caseload, so caseload_1jan + instroom - uitstroom balances from year to year
        at_start = tr[(tr["start"] < lo) & (tr["stop"] >= lo)]
        parts.append(at_start.drop_duplicates(keys + ["client"]).groupby(keys, observed=True).size()
                     .rename("caseload_1jan"))
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        g = new.groupby(keys, observed=True)["wacht_dagen"]
        parts += [g.size().rename("instroom"), g.mean().rename("wacht_dagen_gem"),
                  g.quantile(0.9).rename("wacht_dagen_p90"),
                  new.assign(w=new["wacht_dagen"] > 0).groupby(keys, observed=True)["w"].mean()
                  .rename("aandeel_gewacht")]
        ended = tr[(tr["stop"] >= lo) & (tr["stop"] < hi) & (tr["reden"] != "einde_horizon")]
        g = ended.groupby(keys, observed=True)["doorlooptijd"]
        parts += [g.mean().rename("doorlooptijd_gem"), g.median().rename("doorlooptijd_mediaan")]
        out = tr[(tr["stop"] >= lo) & (tr["stop"] < hi) & final]
        g = out.groupby(keys, observed=True)["reden"]
        parts += [g.size().rename("uitstroom"),
                  (out["reden"] == "afschaling").groupby([out[k] for k in keys], observed=True).mean()
                  .rename("aandeel_afschaling"),
                  (out["reden"] == "uitval").groupby([out[k] for k in keys], observed=True).mean()
                  .rename("aandeel_uitval")]
        waiting_end = wt[(wt["since"] < hi) & (wt["until"] >= hi)] if hi < horizon else \
            wt[wt["until"] >= horizon]
        parts.append(waiting_end.groupby(keys, observed=True).size().rename("wachtlijst_eind"))
        parts.append(_recidive_365(afschaling, recidive, lo, hi, horizon, keys))
        # plekken: bought plek-days and used plek-days (trajecten at pools only)
        pk = plekken[plekken["year"] == year]
        if len(pk):
            used = in_year.merge(pk[list(GROUP)], on=list(GROUP), how="inner")
            used = used.assign(dagen=np.minimum(used["stop"], hi) - np.maximum(used["start"], lo))
            bought = pk.groupby(by, observed=True)["plekken"].sum() if by else pd.Series(
                {(): pk["plekken"].sum()})
            parts.append(used.groupby(keys, observed=True)["dagen"].sum().rename("plek_dagen"))
            clients_at_pool = used.drop_duplicates(keys + ["client"]).groupby(keys, observed=True).size()
            parts.append(clients_at_pool.rename("clienten_bij_plekken"))
        # a KPI with no rows this year (e.g. no traject ended) still needs the group index names
        empty_index = (pd.Index([], name=keys[0]) if len(keys) == 1
                       else pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
        parts = [part if len(part) else pd.Series(dtype=float, index=empty_index, name=part.name) for part in parts]
        frame = pd.concat(parts, axis=1).reset_index()
        frame.insert(1, "year", year)
        if len(pk) and by:
            frame = frame.merge(bought.rename("plekken").reset_index(), on=by, how="left")
        elif len(pk):
            frame["plekken"] = pk["plekken"].sum()
        else:
            frame["plekken"] = np.nan
        if "plek_dagen" not in frame:
            frame["plek_dagen"] = np.nan
            frame["clienten_bij_plekken"] = np.nan
        days = hi - lo
        with np.errstate(divide="ignore", invalid="ignore"):
            has = frame["plekken"] > 0
            frame["bezettingsgraad"] = np.where(has, frame["plek_dagen"].fillna(0) / (frame["plekken"] * days), np.nan)
            frame["clienten_per_plek"] = np.where(has, frame["clienten_bij_plekken"].fillna(0) / frame["plekken"],
                                                  np.nan)
        frame["dagen"] = days
        per_year.append(frame)
    result = pd.concat(per_year, ignore_index=True)
    for col in ("instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "wachtlijst_eind"):
        result[col] = result[col].fillna(0).astype(np.int64)
    for col in by:
        result[col] = pd.Categorical(result[col], categories=cat_cols[col])
    ordered = ["replication", "year"] + by + list(KPI_COLUMNS) + ["dagen"]
    return result[ordered].sort_values(["replication", "year"] + by, ignore_index=True)


def _recidive_365(afschaling: pd.DataFrame, recidive: pd.DataFrame, lo: float, hi: float,
                  horizon: float, keys: list[str]) -> pd.Series:
    a = afschaling[(afschaling["day"] >= lo) & (afschaling["day"] < hi)]
    observable = a[a["day"] + 365 <= horizon]
    if a.empty:
        return pd.Series(dtype=float, name="recidive_365")
    if observable.empty:
        return pd.Series(np.nan, index=a.groupby(keys, observed=True).size().index, name="recidive_365")
    left = observable[keys + ["client", "day"]].sort_values("day")
    right = recidive[["replication", "client", "day"]].rename(columns={"day": "terug"}).sort_values("terug")
    matched = pd.merge_asof(left, right, left_on="day", right_on="terug", by=["replication", "client"],
                            direction="forward")
    matched["terug365"] = (matched["terug"] - matched["day"]) <= 365
    return matched.groupby(keys, observed=True)["terug365"].mean().rename("recidive_365")


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
