"""KPIs from the event log: per replication x year (or quarter) x municipality x segment x provider.

Everything here is computed from the log alone (vectorised pandas, once per
run), so the same functions work on realised records that use the same words.

Definitions (a calendar year is cut to the simulated horizon). With ``period="quarter"`` every KPI
is computed the same way over each calendar quarter (column ``kwartaal`` 1-4 next to ``year``):
flows (instroom, uitstroom, doorlooptijd, wacht_dagen, shares, recidive_365) over the quarter,
stocks at its boundaries (caseload_1jan: in care at the quarter's first day; wachtlijst_eind: at
its end), unieke_clienten and clienten_per_plek over the quarter; plekken bought (and so the
plek-days bought behind bezettingsgraad) are the year's average.

Every (replication, period, group) the scenario defines has a row (``defined_pools``): counts are 0
where nothing happened, and a KPI is NaN only where it is undefined (a mean or share of nothing;
bezettingsgraad and clienten_per_plek where no plekken are bought). ``summarise`` therefore averages
counts over every replication and gives per KPI the number of replications its mean is over. Per year:
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
- clienten_per_plek: clients served by the plekken / plekken bought, where clients served is
  ``analysis.plekken``'s clienten_equivalent (each care episode counts the share of its own
  doorlooptijd that falls in the year; the plek table of the payments uses the same function);
- aandeel_afschaling, aandeel_uitval: shares of uitstroom;
- recidive_365: share of clients afgeschaald in the year who return to the toegang
  within 365 days (NaN when those 365 days run past the horizon).

Meierij's contract-management KPIs (003 par. 7, discussed per quarter: use ``period="quarter"``):
- instroom_inwoners: unique clients with a new traject (instroom) in the period;
- uitstroom_inwoners: unique clients with a traject that stops for good (uitstroom) in the period;
- doorstroom_voorliggend_veld: unique clients afgeschaald to the voorliggend veld in the period
  (the afschaling events: a traject that ends by afschaling);
the clients per municipality per support form are ``unieke_clienten`` with by=("municipality", "segment").

Zwolle's outcome criteria (001: measured at the afsluiting of every traject: doelrealisatie,
uitval, cliënttevredenheid), per traject afgesloten in the year (stopped for any reason but
verlenging; einde_horizon is not an afsluiting). A *return* is a new traject of the client that is
not a continuation, or a recidive, within 365 days of the stop (analysis/results.py, the same
definition resultaatbekostiging pays for):
- afgesloten_trajecten: their count;
- doel_behaald ("is het doel behaald"): share ending in afschaling or step-down;
- aandeel_uitval_afgesloten (uitval): share ending in uitval;
- zonder_hulp_verder ("zonder hulp verder"): share ending in afschaling without a return;
- geen_nieuwe_start ("geen nieuwe start van hulp"): share without a return, whatever the end
  (opschaling starts new help at once, so it never counts);
- doelrealisatie: share that reach their result: afschaling or step-down, and no return.
The last three count only trajecten whose 365 days of follow-up fit the horizon (NaN otherwise).
Not simulated: cliënttevredenheid and "afname van de problematiek" (the log has no measure of
either; step-down, the nearest sign of less problems, counts in doel_behaald).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence, Union

import numpy as np
from simulation._lazy import pandas as pd

from simulation.config.pricing import for_year
from simulation.config.scenario import Scenario
from simulation.analysis.groups import GROUP
from simulation.analysis.kpi_registry import KPIS, RunArrays, YearContext, kpi_bounds
from simulation.analysis.stats import bounded_interval
from simulation.analysis.tables import traject_table, waiting_table
from simulation.core.calendar import year_bounds

KPI_COLUMNS = tuple(KPIS)


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


PERIODS = ("year", "quarter")


def kpis(events: pd.DataFrame, scenario: Scenario, by: Sequence[str] = GROUP, period: str = "year",
         replications: Optional[Union[int, Sequence[int]]] = None) -> pd.DataFrame:
    """KPIs per replication x year (x kwartaal with ``period="quarter"``) x ``by`` (a subset of
    municipality, segment, provider).

    Every group the scenario defines has a row in every replication and period, whether or not
    anything happened in it: each pool (municipality x segment x provider that serves it, and every
    pool where plekken are bought), projected on ``by``; a group that only the log knows (e.g. in
    realised records) appears where it has a traject, a start, a stop or a client waiting.
    Counts are 0 where nothing happened; a KPI is NaN only where it is undefined (a mean wait
    without starts, a share of nothing, bezettingsgraad without plekken).
    ``replications``: their number (0..n-1) or their numbers; default the ones in ``events``
    (pass it: a replication in which nothing happened has no events).
    The KPIs are the entries of ``kpi_registry.KPIS``, in that order; ``dagen`` is the period's
    days inside the horizon.
    """
    by = list(by)
    unknown = set(by) - set(GROUP)
    if unknown:
        raise ValueError(f"kpis(by=...) accepts {GROUP}, got {sorted(unknown)}")
    if period not in PERIODS:
        raise ValueError(f"kpis(period=...) accepts {PERIODS}, got {period!r}")
    run = _run_arrays(events, scenario, by, _replications(events, replications))
    periods = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for year, quarter, lo, hi in _period_bounds(scenario, period):
            frame = _year_frame(YearContext(run, year, lo, hi))
            if quarter is not None:
                frame.insert(2, "kwartaal", quarter)
            periods.append(frame)
    result = pd.concat(periods, ignore_index=True)
    for entry in KPIS.values():
        if entry.integer:
            result[entry.name] = result[entry.name].astype(np.int64)
    keys = ["replication", "year"] + (["kwartaal"] if period == "quarter" else [])
    ordered = keys + by + list(KPIS) + ["dagen"]
    return result[ordered].sort_values(keys + by, ignore_index=True)


def _period_bounds(scenario: Scenario, period: str) -> list[tuple[int, int | None, float, float]]:
    """(year, quarter or None, first day, end day) of every period in the horizon, in model days."""
    years = year_bounds(scenario)
    if period == "year":
        return [(year, None, lo, hi) for year, lo, hi in years]
    out = []
    for year, lo, hi in years:
        for q in range(1, 5):
            q_lo = float((dt.date(year, 3 * q - 2, 1) - scenario.start_date).days)
            q_hi = float(((dt.date(year, 3 * q + 1, 1) if q < 4 else dt.date(year + 1, 1, 1))
                          - scenario.start_date).days)
            a, b = max(lo, q_lo), min(hi, q_hi)
            if b > a:
                out.append((year, q, a, b))
    return out


def _replications(events: pd.DataFrame, replications) -> np.ndarray:
    """The replication numbers to report: ``replications`` (a count or numbers) and those in the log."""
    seen = events["replication"].to_numpy(np.int64)
    if replications is None:
        return np.unique(seen)
    wanted = np.arange(replications) if np.ndim(replications) == 0 else np.asarray(replications, np.int64)
    return np.union1d(wanted.astype(np.int64), seen)


def defined_pools(scenario: Scenario) -> list[tuple[str, str, str]]:
    """The (municipality, segment, provider) pools the scenario defines: every provider that serves a
    municipality in a segment, and every pool where plekken are bought (``providers.*.plekken`` or a
    funding contract)."""
    pools = [(m, s, p) for m in scenario.municipalities for s in scenario.segments
             for p in scenario.providers_for(m, s)]
    plek = _plekken_frame(scenario)
    pools += list(zip(plek["municipality"], plek["segment"], plek["provider"]))
    return list(dict.fromkeys(pools))


def _categories(events: pd.DataFrame, pools: list[tuple[str, str, str]]) -> dict:
    """The log's categories per group column, with the scenario's names it lacks appended."""
    out = {}
    for i, col in enumerate(GROUP):
        known = list(events[col].cat.categories)
        out[col] = pd.Index(known + [n for n in dict.fromkeys(p[i] for p in pools) if n not in set(known)])
    return out


def _run_arrays(events: pd.DataFrame, scenario: Scenario, by: list[str], replications: np.ndarray) -> RunArrays:
    """The tables the KPIs count, from the log, as arrays with group ids."""
    horizon = float(scenario.horizon_days)
    trajecten = traject_table(events)
    waits = waiting_table(events, trajecten, horizon)
    is_stop = (events["event"] == "stop_zorg").to_numpy()
    afschaling = events[is_stop & (events["reden"] == "afschaling").to_numpy()]
    recidive = events[events["event"] == "recidive"]
    pools = defined_pools(scenario)
    categories = _categories(events, pools)
    defined = pd.DataFrame([(r, *pool) for r in replications for pool in pools],
                           columns=["replication", *GROUP])
    for col in GROUP:
        defined[col] = pd.Categorical(defined[col], categories=categories[col])
    return RunArrays(trajecten, waits, afschaling, recidive, _plekken_frame(scenario), by, categories, horizon,
                     defined)


def _year_frame(context: YearContext) -> pd.DataFrame:
    """The KPI rows of one year: the groups present in it, one column per registered KPI."""
    present = context.present() | context.run.defined
    frame = context.run.key_frame[present].reset_index(drop=True)
    frame.insert(1, "year", context.year)
    for name, entry in KPIS.items():
        frame[name] = np.asarray(entry.compute(context))[present]
    frame["dagen"] = context.hi - context.lo
    return frame


def summarise(kpi: pd.DataFrame, columns: Sequence[str] = KPI_COLUMNS, level: float = 0.95) -> pd.DataFrame:
    """Mean over replications with a confidence interval, per year (x kwartaal) x group.

    Every replication counts: ``kpis`` gives each group a row in every replication (zeros where
    nothing happened), so a count's mean is over all of them. A KPI that is undefined in a
    replication (NaN: a mean wait without starts) is left out of its mean; ``{kpi}_n`` says over
    how many replications each mean is. The interval is Student-t, kept inside the KPI's possible
    range (``stats.bounded_interval``: logit scale for shares, clipped at 0 for counts and days).
    """
    keys = [c for c in kpi.columns if c in ("year", "kwartaal") + GROUP]
    g = kpi.groupby(keys, observed=True)[list(columns)]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    bounds = kpi_bounds(columns)
    low, high = mean.copy(), mean.copy()
    for col in columns:
        low[col], high[col] = bounded_interval(mean[col], sd[col], n[col], level,
                                               bounds.get(col, (-np.inf, np.inf)))
    out = pd.concat({"n": n, "gem": mean, "ci_laag": low, "ci_hoog": high}, axis=1)
    out.columns = [f"{col}_{stat}" for stat, col in out.columns]
    return out.reset_index()
