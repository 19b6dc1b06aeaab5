"""The KPIs, one registry entry each: a name and a function of the arrays of one period.

``kpis()`` (analysis/kpis.py) builds a ``YearContext`` per year (or per quarter: the same context
over the quarter's days [lo, hi), so flows count over the quarter and stocks at its ends) and calls
every entry of ``KPIS``
in order; the order is the order of the KPI table's columns. Adding a KPI is one ``@kpi``
function here (and its test); its definition goes in the docstring of analysis/kpis.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.groups import GROUP, Groups, codes, count, distinct, mean, quantile
from simulation.analysis.results import FOLLOW_UP_DAYS, client_returns, mark_results
from simulation.analysis.plekken import episode_spans, weights
from simulation.analysis.stats import NON_NEGATIVE, SHARE


@dataclass(frozen=True)
class Kpi:
    name: str
    compute: Callable[["YearContext"], np.ndarray]
    integer: bool = False     # stored as int64 (a count)
    bounds: tuple[float, float] = NON_NEGATIVE   # its possible range: confidence intervals stay in it


KPIS: dict[str, Kpi] = {}


def kpi(name: str, integer: bool = False, bounds: tuple[float, float] = NON_NEGATIVE):
    """Register the decorated function as the KPI ``name`` (after the ones registered before it);
    ``bounds``: the range its values (and so its confidence intervals) cannot leave."""
    def register(compute: Callable[["YearContext"], np.ndarray]):
        if name in KPIS:
            raise ValueError(f"KPI {name!r} is registered twice")
        KPIS[name] = Kpi(name, compute, integer, bounds)
        return compute
    return register


def kpi_bounds(columns=None) -> dict[str, tuple[float, float]]:
    """KPI name -> its possible range, for ``columns`` (default every KPI) that are KPIs."""
    names = KPIS if columns is None else [c for c in columns if c in KPIS]
    return {name: KPIS[name].bounds for name in names}


class RunArrays:
    """The tables of one event log as numpy arrays, with a group id per row (built once per ``kpis`` call)."""

    def __init__(self, trajecten: pd.DataFrame, waits: pd.DataFrame, afschaling: pd.DataFrame,
                 recidive: pd.DataFrame, plekken: pd.DataFrame, by: list[str], categories: dict, horizon: float,
                 defined: Optional[pd.DataFrame] = None):
        self.by, self.categories, self.horizon, self.plekken = by, categories, horizon, plekken
        tables = [trajecten, waits, afschaling] + ([] if defined is None else [defined])
        self.groups = Groups(["replication"] + by, tables, categories)
        self.gid_tr, self.gid_wt, self.gid_af = self.groups.ids[:3]
        self.n = self.groups.n
        # the groups the scenario defines: a row in every period, active or not
        self.defined = np.zeros(self.n, dtype=bool)
        if defined is not None:
            self.defined[self.groups.ids[3]] = True
        self.key_frame = self.groups.frame()
        tr = trajecten
        self.start, self.stop = tr["start"].to_numpy(float), tr["stop"].to_numpy(float)
        self.wait, self.duration = tr["wacht_dagen"].to_numpy(float), tr["doorlooptijd"].to_numpy(float)
        reden = tr["reden"].astype(str).to_numpy()
        self.is_new = ~tr["voortzetting"].to_numpy(bool) & ~tr["beginstand"].to_numpy(bool)
        self.final = ~np.isin(reden, ["verlenging", "step_down", "einde_horizon"])
        self.closed = reden != "einde_horizon"
        self.afgeschaald, self.uitval = reden == "afschaling", reden == "uitval"
        _, client = np.unique(tr["client"].to_numpy(np.int64), return_inverse=True)
        self.client = client.reshape(-1)
        self.since, self.until = waits["since"].to_numpy(float), waits["until"].to_numpy(float)
        self.pool_codes = [codes(tr[c], categories[c]) for c in GROUP]
        self.returned = returned_within_365(afschaling, recidive)
        self.af_day = afschaling["day"].to_numpy(float)
        self.af_client = afschaling["client"].to_numpy(np.int64)
        # Zwolle's outcome criteria (001): per afgesloten traject (any end but verlenging and einde_horizon),
        # with FOLLOW_UP_DAYS of follow-up for the indicators that look at what comes after the stop
        marks = mark_results(tr, horizon, FOLLOW_UP_DAYS, step_down=True, returns=client_returns(tr, recidive))
        self.afgesloten = self.closed & (reden != "verlenging")
        self.doel = self.afgeschaald | (reden == "step_down")
        self.bereikt = (marks["resultaat"] == "bereikt").to_numpy()
        self.terug = marks["terug_dag"].notna().to_numpy()
        self.follow_up_known = self.stop + FOLLOW_UP_DAYS <= horizon
        self.episode_first, self.episode_last = episode_spans(tr)


class YearContext:
    """One period of a run, days [lo, hi) of ``year`` (the whole year or one quarter of it): the masks
    over the trajecten, waits and afschalingen the KPIs count."""

    def __init__(self, run: RunArrays, year: int, lo: float, hi: float):
        self.run, self.year, self.lo, self.hi, self.n = run, year, lo, hi, run.n
        start, stop = run.start, run.stop
        self.in_year = (start < hi) & (stop > lo)
        self.at_start = (start < lo) & (stop >= lo)
        self.new = (start >= lo) & (start < hi) & run.is_new
        stops_in_year = (stop >= lo) & (stop < hi)
        self.ended = stops_in_year & run.closed
        self.out = stops_in_year & run.final
        horizon = run.horizon
        self.waiting_end = ((run.since < hi) & (run.until >= hi)) if hi < horizon else (run.until >= horizon)
        # afschalingen in the year whose 365 days of follow-up fit the horizon
        self.observable = (run.af_day >= lo) & (run.af_day < hi) & (run.af_day + 365 <= horizon)
        # trajecten afgesloten in the year, and those whose follow-up fits the horizon
        self.afgesloten = self.ended & run.afgesloten
        self.nagevolgd = self.afgesloten & run.follow_up_known

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per group: trajecten where ``mask``."""
        return count(self.run.gid_tr, mask, self.n)

    def share(self, part: np.ndarray, whole: np.ndarray) -> np.ndarray:
        """``part / whole`` where ``whole > 0``, else NaN."""
        return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)

    @cached_property
    def instroom(self) -> np.ndarray:
        return self.count(self.new)

    @cached_property
    def uitstroom(self) -> np.ndarray:
        return self.count(self.out)

    @cached_property
    def wachtlijst(self) -> np.ndarray:
        return count(self.run.gid_wt, self.waiting_end, self.n)

    @cached_property
    def plek(self) -> dict[str, np.ndarray]:
        run = self.run
        served = weights(run.start, run.stop, run.episode_first, run.episode_last, self.lo, self.hi)
        return plekken_kpis(run.plekken[run.plekken["year"] == self.year], run.by, run.categories, run.key_frame,
                            run.pool_codes, run.gid_tr, served, run.start, run.stop, self.in_year,
                            self.lo, self.hi, self.n)

    def present(self) -> np.ndarray:
        """The groups that appear in the year: a traject in care, a start, a stop or a client waiting at its end."""
        active = self.in_year | self.at_start | self.new | self.ended | self.out
        return (self.count(active) + self.wachtlijst) > 0


# -- the KPIs, in the order of the KPI table ----------------------------------------------------

@kpi("instroom", integer=True)
def _instroom(c: YearContext):
    return c.instroom


@kpi("uitstroom", integer=True)
def _uitstroom(c: YearContext):
    return c.uitstroom


@kpi("unieke_clienten", integer=True)
def _unieke_clienten(c: YearContext):
    return distinct(c.run.gid_tr, c.run.client, c.in_year, c.n)


@kpi("caseload_1jan", integer=True)
def _caseload_1jan(c: YearContext):
    return distinct(c.run.gid_tr, c.run.client, c.at_start, c.n)


@kpi("doorlooptijd_gem")
def _doorlooptijd_gem(c: YearContext):
    return mean(c.run.gid_tr, c.run.duration, c.ended, c.n)


@kpi("doorlooptijd_mediaan")
def _doorlooptijd_mediaan(c: YearContext):
    return quantile(c.run.gid_tr, c.run.duration, c.ended, c.n, 0.5)


@kpi("wacht_dagen_gem")
def _wacht_dagen_gem(c: YearContext):
    return mean(c.run.gid_tr, c.run.wait, c.new, c.n)


@kpi("wacht_dagen_p90")
def _wacht_dagen_p90(c: YearContext):
    return quantile(c.run.gid_tr, c.run.wait, c.new, c.n, 0.9)


@kpi("aandeel_gewacht", bounds=SHARE)
def _aandeel_gewacht(c: YearContext):
    return c.share(c.count(c.new & (c.run.wait > 0)), c.instroom)


@kpi("wachtlijst_eind", integer=True)
def _wachtlijst_eind(c: YearContext):
    return c.wachtlijst


@kpi("plekken")
def _plekken(c: YearContext):
    return c.plek["plekken"]


@kpi("bezettingsgraad")
def _bezettingsgraad(c: YearContext):
    return c.plek["bezettingsgraad"]


@kpi("clienten_per_plek")
def _clienten_per_plek(c: YearContext):
    return c.plek["clienten_per_plek"]


@kpi("aandeel_afschaling", bounds=SHARE)
def _aandeel_afschaling(c: YearContext):
    return c.share(c.count(c.out & c.run.afgeschaald), c.uitstroom)


@kpi("recidive_365", bounds=SHARE)
def _recidive_365(c: YearContext):
    seen = count(c.run.gid_af, c.observable, c.n)
    return c.share(count(c.run.gid_af, c.observable & c.run.returned, c.n), seen)


@kpi("aandeel_uitval", bounds=SHARE)
def _aandeel_uitval(c: YearContext):
    return c.share(c.count(c.out & c.run.uitval), c.uitstroom)


# Meierij's contract-management KPIs per quarter (003 par. 7: instroom and uitstroom of unique
# inhabitants per municipality, afschaling and doorstroom to the voorliggend veld); the clients per
# municipality per support form are unieke_clienten by municipality x segment.

@kpi("instroom_inwoners", integer=True)
def _instroom_inwoners(c: YearContext):
    return distinct(c.run.gid_tr, c.run.client, c.new, c.n)


@kpi("uitstroom_inwoners", integer=True)
def _uitstroom_inwoners(c: YearContext):
    return distinct(c.run.gid_tr, c.run.client, c.out, c.n)


@kpi("doorstroom_voorliggend_veld", integer=True)
def _doorstroom_voorliggend_veld(c: YearContext):
    mask = (c.run.af_day >= c.lo) & (c.run.af_day < c.hi)
    return distinct(c.run.gid_af, c.run.af_client, mask, c.n)


# Zwolle's outcome criteria per afgesloten traject (001: doelrealisatie, uitval, cliënttevredenheid;
# doelrealisatie has four sub-indicators). Cliënttevredenheid and afname van de problematiek are
# not simulated: the log holds no measure of either.

@kpi("afgesloten_trajecten", integer=True)
def _afgesloten_trajecten(c: YearContext):
    return c.count(c.afgesloten)


@kpi("doel_behaald", bounds=SHARE)
def _doel_behaald(c: YearContext):
    return c.share(c.count(c.afgesloten & c.run.doel), c.count(c.afgesloten))


@kpi("aandeel_uitval_afgesloten", bounds=SHARE)
def _aandeel_uitval_afgesloten(c: YearContext):
    return c.share(c.count(c.afgesloten & c.run.uitval), c.count(c.afgesloten))


@kpi("zonder_hulp_verder", bounds=SHARE)
def _zonder_hulp_verder(c: YearContext):
    return c.share(c.count(c.nagevolgd & c.run.afgeschaald & ~c.run.terug), c.count(c.nagevolgd))


@kpi("geen_nieuwe_start", bounds=SHARE)
def _geen_nieuwe_start(c: YearContext):
    return c.share(c.count(c.nagevolgd & ~c.run.terug), c.count(c.nagevolgd))


@kpi("doelrealisatie", bounds=SHARE)
def _doelrealisatie(c: YearContext):
    return c.share(c.count(c.nagevolgd & c.run.bereikt), c.count(c.nagevolgd))


# -- helpers of the KPIs above -----------------------------------------------------------------

def plekken_kpis(pk: pd.DataFrame, by: list[str], categories: dict, key_frame: pd.DataFrame,
                 pool_codes: list[np.ndarray], gid: np.ndarray, served: np.ndarray, start: np.ndarray,
                 stop: np.ndarray, in_year: np.ndarray, lo: float, hi: float, n: int) -> dict:
    """plekken bought, bezettingsgraad and clienten_per_plek per group (NaN without plekken).

    ``served``: per traject its clienten_equivalent weight in [lo, hi) (``analysis.plekken``), so
    clienten_per_plek = clienten_equivalent at the plekken / plekken bought, the plek table's number.
    """
    nothing = np.full(n, np.nan)
    if pk.empty:
        return {"plekken": nothing, "bezettingsgraad": nothing, "clienten_per_plek": nothing}
    pk_codes = [codes(pk[c], categories[c]) for c in GROUP]
    # which (municipality, segment, provider) have plekken this year
    pool = np.zeros([len(categories[c]) + 1 for c in GROUP], dtype=bool)
    known = np.all([c >= 0 for c in pk_codes], axis=0)
    pool[tuple(c[known] for c in pk_codes)] = True
    at_pool = in_year & pool[tuple(pool_codes)]
    days_used = np.bincount(gid[at_pool], weights=(np.minimum(stop, hi) - np.maximum(start, lo))[at_pool],
                            minlength=n)
    clients_at_pool = np.bincount(gid[at_pool], weights=served[at_pool], minlength=n)
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


def returned_within_365(afschaling: pd.DataFrame, recidive: pd.DataFrame) -> np.ndarray:
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
