"""Evaluation of a year of realised records (notebook 08): who funded how, and what the records show.

The counterfactual (each municipality under the other funding choice) is in
``simulation.report.counterfactual``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import scipy_stats as stats

from simulation import portable_math as pm
from simulation.analysis.plekken import clienten_weights
from simulation.analysis.stats import t_interval
from simulation.data.calibration import kaplan_meier, km_median, mixture_survival
from simulation.data.records import RecordsError, read_records
from simulation.funding.payments import compute_payments
from simulation.report.labels import number
from simulation.report.notebooks import ROOT, output_dir, project_path
from simulation.report.setup import check_replications, page_display
from simulation.report.texts import cite

FORMS = ("budgetneutraal", "bezetting")
SYNTHETIC_DIR = ROOT / "tests" / "data"


@dataclass
class Records:
    """Realised records of one study period and the parameters that say how to read them."""

    frame: pd.DataFrame
    path: Path
    base_path: Optional[Path]
    gemeenten: list[str]
    out_dir: Path
    base_note: str = ""   # why the report's scenario is not the base scenario (Dutch), when it was given

    @property
    def period(self):
        return self.frame.attrs["study_period"]

    @property
    def days(self) -> int:
        p0, p1 = self.period
        return (p1 - p0).days + 1

    @property
    def year(self) -> int:
        return self.period[0].year

    @property
    def synthetic(self) -> bool:
        """Whether the records are the project's synthetic test file (tests/data, made by make_records.py)."""
        return SYNTHETIC_DIR in self.path.resolve().parents

    @property
    def source(self) -> str:
        p0, p1 = self.period
        kind = "synthetisch registratiebestand" if self.synthetic else "registratiebestand"
        return (f"Bron: {kind} {self.path.name} ({number(len(self.frame))} trajecten, {p0:%d-%m-%Y} t/m {p1:%d-%m-%Y}); "
                f"tarieven: uitgaven 2019 per telling, {cite('004', 'par. 6 en 7.2')}")


def evaluation_context(records: str, base_scenario: Optional[str], municipalities: list, tarieven: dict,
                       plekken_bij_omzetting, replications, out_dir, scenario: Optional[str] = None) -> Records:
    """Check notebook 08's parameters, read the records (refused with the checker's problems), make ``out_dir``.

    ``scenario`` (the report's ``--set scenario=...``, ``make run SCENARIO=...``), when given, is the base
    scenario if the records fit it (its municipalities, segments and traject types): the records are then
    read and calibrated against it instead of ``base_scenario``. Records that do not fit it keep
    ``base_scenario``, and ``Records.base_note`` says so on the page.
    """
    base_note = ""
    if scenario:
        fits = _records_fit(records, scenario)
        if fits is None:
            base_scenario = scenario
        else:
            base_note = (f"Het scenario van het rapport ({scenario}) is niet het basisscenario: de registraties "
                         f"{records} passen er niet bij ({fits}); basisscenario blijft {base_scenario}.")
    records_path = project_path(records)
    if not records_path.exists():
        raise FileNotFoundError(
            f"records={records!r}: file {records_path} does not exist. Give the path of a records file "
            "(.csv or .parquet, format in docs/records.md), relative to the project root, e.g. "
            "records='tests/data/records_2022.parquet'.")
    base_path = project_path(base_scenario) if base_scenario else None
    if base_path is not None and not base_path.exists():
        raise FileNotFoundError(
            f"base_scenario={base_scenario!r}: file {base_path} does not exist. Give the scenario YAML the records "
            "belong to (it supplies population, planned doorlooptijd and plekken bought), or base_scenario=None.")
    check_replications(replications, 2, "for a confidence interval")
    page_display()
    count = isinstance(plekken_bij_omzetting, int) and plekken_bij_omzetting > 0
    if plekken_bij_omzetting not in FORMS and not count:
        raise ValueError(f"plekken_bij_omzetting={plekken_bij_omzetting!r}: use 'budgetneutraal', 'bezetting' "
                         "or a positive number of plekken")
    try:
        rec = read_records(records_path, scenario=base_path)
    except RecordsError as exc:
        raise ValueError(f"records={records!r} cannot be imported:\n{exc}\nCheck the file with "
                         f"`python -m simulation check-records {records}`.") from None
    known = sorted(rec["municipality"].unique())
    unknown = sorted(set(municipalities) - set(known))
    if unknown:
        raise ValueError(f"municipalities={municipalities!r}: {unknown} not in the records {records!r}; "
                         f"known: {known} (or [] for all)")
    no_tariff = sorted(set(rec["segment"]) - set(tarieven))
    if no_tariff:
        raise ValueError(f"tarieven has no tariff for segment(s) {no_tariff} used in the records; add them, "
                         f"e.g. tarieven={{..., {no_tariff[0]!r}: <EUR per traject>}}")
    return Records(rec, records_path, base_path, list(municipalities) or known, output_dir(out_dir), base_note)


def _records_fit(records: str, scenario: str) -> Optional[str]:
    """None when the records can be read against ``scenario``, else the first problem (for the page)."""
    path, base = project_path(records), project_path(scenario)
    if not (path.exists() and base.exists()):
        return "bestand niet gevonden"
    try:
        read_records(path, scenario=base)
    except RecordsError as exc:
        n = len(getattr(exc, "problems", None) or [1])
        return f"{number(n)} {'regel past' if n == 1 else 'regels passen'} niet bij zijn segmenten, trajecttypen of gemeenten"
    return None


@dataclass
class FundingChoice:
    """One contract form per municipality x provider x segment, and each municipality's choice."""

    combos: pd.DataFrame          # municipality, provider, segment, bekostiging (the most frequent)
    choice: pd.DataFrame          # municipality, aandeel_trajecten_plek, keuze
    keuze: dict
    switch_pairs: list            # (provider, segment) pairs the counterfactual flips
    mixed: list                   # combinations with more than one bekostiging in the records
    plek_pairs: list


def funding_choice(rec: pd.DataFrame) -> FundingChoice:
    """Who funded how: a municipality that bought plekken anywhere is a plekken municipality."""
    combos = (rec.groupby(["municipality", "provider", "segment"])["bekostiging"]
              .agg(lambda s: s.mode().iloc[0]).rename("bekostiging").reset_index())
    mixed = rec.groupby(["municipality", "provider", "segment"])["bekostiging"].nunique()
    choice = (rec.assign(plek=rec["bekostiging"] == "plek").groupby("municipality")["plek"].mean()
              .rename("aandeel_trajecten_plek").reset_index())
    choice["keuze"] = np.where(choice["aandeel_trajecten_plek"] > 0, "plekken", "trajecten")
    plek_pairs = sorted({(p, s) for (m, p, s, b) in combos.itertuples(index=False) if b == "plek"})
    switch_pairs = plek_pairs or sorted({(p, s) for (_, p, s, _) in combos.itertuples(index=False)})
    return FundingChoice(combos, choice, dict(zip(choice["municipality"], choice["keuze"])), switch_pairs,
                         list(mixed[mixed > 1].index), plek_pairs)


def funding_table(fc: FundingChoice) -> pd.DataFrame:
    """The bekostiging per municipality (rows) and provider/segment (columns), with the choice."""
    table = fc.combos.pivot_table(index="municipality", columns=["provider", "segment"], values="bekostiging",
                                  aggfunc="first", fill_value="-")
    table.columns = [f"{p}/{s}" for p, s in table.columns]
    return table.reset_index().merge(fc.choice, on="municipality")


def started_trajecten(prepared: pd.DataFrame, days: int) -> pd.DataFrame:
    """Started trajecten with survival data: time in care ``d``, delayed ``entry``, ``event`` (closed with a
    known outcome)."""
    st = prepared[prepared["started"]].copy()
    st["d"] = np.where(st["closed"], np.maximum(st["stop"] - st["start"], 0.5), days - st["start"] - 0.5)
    st["entry"] = np.where(st["start"] < 0, -st["start"] - 0.5, 0.0)
    st["d"] = np.maximum(st["d"], st["entry"] + 0.5)
    st["event"] = st["closed"] & (st["outcome"] != "overig")
    return st


def records_traject_table(st: pd.DataFrame, days: int) -> pd.DataFrame:
    """Realised trajecten in the columns of ``analysis.kpis.traject_table`` (one replication, 0), so the payment
    rules apply to them; trajecten open at the period end stop at ``days`` (reden einde_horizon)."""
    tr = pd.DataFrame({
        "replication": 0, "traject": np.arange(len(st)), "client": st["client_key"].to_numpy(),
        "municipality": st["municipality"].to_numpy(), "segment": st["segment"].to_numpy(),
        "traject_type": st["traject_type"].to_numpy(), "provider": st["provider"].to_numpy(),
        "start": st["start"].to_numpy(), "stop": np.where(st["closed"], st["stop"], float(days)),
        "wacht_dagen": (st["start"] - st["toew"]).to_numpy(), "voortzetting": st["voortzetting"].to_numpy(),
        "beginstand": (st["start"] < 0).to_numpy(),
        "reden": np.where(st["closed"], st["outcome"].fillna("afschaling"), "einde_horizon")})
    tr["doorlooptijd"] = tr["stop"] - tr["start"]
    return tr


def observed_finals(scenario, st: pd.DataFrame, days: int, year: int) -> pd.DataFrame:
    """The funding rules applied to the realised trajecten: final payment per contract of ``year``, with its
    municipality, provider and segment."""
    pay = compute_payments(scenario, trajecten=records_traject_table(st, days), replications=[0])
    contracts = scenario.funding.contracts
    fin = pay.finals_by_municipality(contracts)
    fin = fin.assign(provider=[contracts[i].provider for i in fin["contract"]],
                     segment=[contracts[i].segment for i in fin["contract"]])
    return fin[fin["year"] == year]


def poisson_ci(n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson count ``n``."""
    a = 1 - level
    return (stats.chi2.ppf(a / 2, 2 * n) / 2 if n > 0 else 0.0, stats.chi2.ppf(1 - a / 2, 2 * n + 2) / 2)


def km_median_ci(g: pd.DataFrame, rng: np.random.Generator, bootstrap: int):
    """Kaplan-Meier median with delayed entry of ``g`` (columns d, event, entry) and its bootstrap 95% interval;
    no upper bound where the median is not reached in over 10% of the resamples."""
    d, ev, en = g["d"].to_numpy(), g["event"].to_numpy(), g["entry"].to_numpy()
    med = km_median(d, ev, en)
    boots = [km_median(d[i], ev[i], en[i]) for i in (rng.integers(0, len(d), len(d)) for _ in range(bootstrap))]
    boots = np.array(boots)
    ok = boots[np.isfinite(boots)]
    if len(ok) < 0.9 * bootstrap:
        return med, (np.quantile(ok, 0.025) if len(ok) else np.nan), np.nan
    return med, np.quantile(ok, 0.025), np.quantile(ok, 0.975)


class ModelSurvival:
    """The calibrated (censoring-aware) survival curve for a group's traject-type x provider mix."""

    def __init__(self, cal_report):
        self.fit = {(row.segment, row.traject_type): row for row in cal_report.durations.itertuples()}
        self.factor = {(row.provider, row.segment): row.maatwerk_factor for row in cal_report.providers.itertuples()}
        self.grid = np.arange(0.0, 20 * cal_report.durations["mean"].max(), 1.0)

    def curve(self, g: pd.DataFrame, segment: str) -> np.ndarray:
        """Share still in care t days (``grid``) after the start, for the mix of trajecten in ``g``."""
        mix = g.groupby(["traject_type", "provider"]).size()
        surv = np.zeros_like(self.grid)
        for (t, p), n in mix.items():
            f = self.fit[(segment, t)]
            surv += n / mix.sum() * mixture_survival(
                f.family, self.grid, np.full_like(self.grid, f.mean * self.factor.get((p, segment), 1.0)),
                np.full_like(self.grid, f.cv), f.uitval)
        return surv

    def median(self, surv: np.ndarray) -> float:
        below = np.flatnonzero(surv <= 0.5)
        return float(self.grid[below[0]]) if len(below) else np.nan

    def mean(self, surv: np.ndarray) -> float:
        return float(np.trapezoid(surv, self.grid))


def describe(rec: Records, prepared: pd.DataFrame, st: pd.DataFrame, keuze: dict, plekken_bought: dict,
             population: dict, spend: pd.Series, survival: ModelSurvival, rng: np.random.Generator,
             bootstrap: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per municipality (instroom, wait, clients per plek, spend) and per municipality x segment (doorlooptijd:
    Kaplan-Meier median with bootstrap interval, the calibrated model's median and mean, the naive mean)."""
    days = rec.days
    have_pop = all(population.get(m, 1) > 1 for m in rec.gemeenten)
    new_ep = prepared[~prepared["voortzetting"] & ~prepared["opschaling_in"] & (prepared["toew"] >= 0)
                      & (prepared["toew"] < days)].drop_duplicates(["client_key", "segment", "toew"])
    started_new = st[(st["start"] >= 0) & (st["start"] < days) & ~st["voortzetting"]]
    waiting_end = prepared[~prepared["started"]]
    # clients served by the plekken: analysis.plekken's definition, as the KPIs and the plek table
    served = pd.Series(clienten_weights(records_traject_table(st, days), 0.0, float(days)), index=st.index)
    rows, dur_rows = [], []
    for m in rec.gemeenten:
        n_in = int((new_ep["municipality"] == m).sum())
        lo, hi = poisson_ci(n_in)
        mine = started_new["municipality"] == m
        w = started_new.loc[mine, "start"] - started_new.loc[mine, "toew"]
        wm, wlo, whi = t_interval(w)
        in_care = st[(st["municipality"] == m)]
        pk = [(p, s, n) for (mm, p, s), n in plekken_bought.items() if mm == m]
        pairs = {(a, b) for a, b, _ in pk}
        at_plek = in_care[[(p, s) in pairs for p, s in zip(in_care["provider"], in_care["segment"])]]
        n_plek = sum(n for _, _, n in pk)
        wl = waiting_end[waiting_end["municipality"] == m]
        per_1000 = (lambda x: 1000 * x / population[m]) if have_pop else (lambda x: np.nan)
        rows.append({"municipality": m, "keuze": keuze[m],
                     "inwoners": population.get(m, np.nan) if have_pop else np.nan,
                     "instroom": n_in, "instroom_ci_laag": lo, "instroom_ci_hoog": hi,
                     "instroom_per_1000": per_1000(n_in), "instroom_per_1000_ci_laag": per_1000(lo),
                     "instroom_per_1000_ci_hoog": per_1000(hi),
                     "unieke_clienten": in_care["client_key"].nunique(),
                     "wacht_dagen_gem": wm, "wacht_ci_laag": wlo, "wacht_ci_hoog": whi, "gestart": len(w),
                     "wachtend_eind": len(wl),
                     "wachtend_eind_dagen_gem": (days - wl["toew"]).mean() if len(wl) else 0.0,
                     "plekken": n_plek if n_plek else np.nan,
                     "clienten_per_plek": served[at_plek.index].sum() / n_plek if n_plek else np.nan,
                     "uitgaven": spend.get(m, 0.0),
                     "kosten_per_client": spend.get(m, 0.0) / max(in_care["client_key"].nunique(), 1)})
        for s, g in st[st["municipality"] == m].groupby("segment"):
            med, mlo, mhi = km_median_ci(g, rng, bootstrap)
            ms = survival.curve(g, s)
            closed = g[g["event"]]
            dur_rows.append({"municipality": m, "keuze": keuze[m], "segment": s, "trajecten": len(g),
                             "gesloten": int(g["event"].sum()), "open_eind": int((~g["closed"]).sum()),
                             "gestart_voor_periode": int((g["start"] < 0).sum()),
                             "km_mediaan": med, "km_ci_laag": mlo, "km_ci_hoog": mhi,
                             "model_mediaan": survival.median(ms), "model_gem": survival.mean(ms),
                             "naief_gem_gesloten": (closed["stop"] - closed["start"]).mean()})
    return pd.DataFrame(rows), pd.DataFrame(dur_rows)


def same_provider_contrast(st: pd.DataFrame, switch_pairs: list, gemeenten: list, rng: np.random.Generator,
                           bootstrap: int) -> pd.DataFrame:
    """Kaplan-Meier median doorlooptijd under plek and under traject at the same provider and segment, with a
    bootstrap 95% interval of the difference: the one contrast that holds provider and segment fixed."""
    rows = []
    for p, s in switch_pairs:
        g = st[(st["provider"] == p) & (st["segment"] == s) & st["municipality"].isin(gemeenten)]
        if len(g["bekostiging"].unique()) != 2:
            continue
        a, b = (g[g["bekostiging"] == f] for f in ("plek", "traject"))
        diffs = []
        for _ in range(bootstrap):
            ia, ib = rng.integers(0, len(a), len(a)), rng.integers(0, len(b), len(b))
            diffs.append(km_median(a["d"].to_numpy()[ia], a["event"].to_numpy()[ia], a["entry"].to_numpy()[ia])
                         - km_median(b["d"].to_numpy()[ib], b["event"].to_numpy()[ib], b["entry"].to_numpy()[ib]))
        diffs = np.array(diffs)
        diffs = diffs[np.isfinite(diffs)]
        rows.append({"provider": p, "segment": s,
                     "gemeenten_plek": ", ".join(sorted(a["municipality"].unique())),
                     "gemeenten_traject": ", ".join(sorted(b["municipality"].unique())),
                     "n_plek": len(a), "n_traject": len(b),
                     "km_mediaan_plek": km_median(a["d"], a["event"], a["entry"]),
                     "km_mediaan_traject": km_median(b["d"], b["event"], b["entry"]),
                     "verschil_ci_laag": np.quantile(diffs, 0.025) if len(diffs) else np.nan,
                     "verschil_ci_hoog": np.quantile(diffs, 0.975) if len(diffs) else np.nan})
    return pd.DataFrame(rows)


def group_comparison(desc: pd.DataFrame) -> pd.DataFrame:
    """The municipalities per funding choice and their mean instroom, wait and cost per client."""
    return desc.groupby("keuze").agg(gemeenten=("municipality", lambda s: ", ".join(s)),
                                     aantal=("municipality", "size"),
                                     instroom_per_1000=("instroom_per_1000", "mean"),
                                     wacht_dagen_gem=("wacht_dagen_gem", "mean"),
                                     wachtend_eind=("wachtend_eind", "sum"),
                                     kosten_per_client=("kosten_per_client", "mean")).reset_index()


def km_curve(d, event, entry=None, level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier with delayed entry and its pointwise confidence band (Greenwood's variance on the
    log(-log S) scale, so the band stays within [0, 1]): one row per event time with ``at_risk``,
    ``surv``, ``ci_laag``, ``ci_hoog``; the first row is t = 0, S = 1."""
    d, event = np.asarray(d, float), np.asarray(event, bool)
    entry = np.zeros_like(d) if entry is None else np.asarray(entry, float)
    times, surv, at_risk = kaplan_meier(d, event, entry)
    deaths = np.array([np.sum((d == t) & event) for t in times], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), np.nan)
        var = np.nancumsum(terms)   # Greenwood: Var(log S) = sum d / (n (n - d))
        z = stats.norm.ppf(0.5 + level / 2)
        lls = pm.log(-pm.log(surv))
        half = z * np.sqrt(var) / np.abs(pm.log(surv))
        lo, hi = pm.exp(-pm.exp(lls + half)), pm.exp(-pm.exp(lls - half))
    ok = (surv > 0) & (surv < 1)
    lo, hi = np.where(ok, lo, np.where(surv >= 1, 1.0, 0.0)), np.where(ok, hi, np.where(surv >= 1, 1.0, 0.0))
    return pd.DataFrame({"t": np.r_[0.0, times], "at_risk": np.r_[np.sum(entry <= 0), at_risk],
                         "surv": np.r_[1.0, surv], "ci_laag": np.r_[1.0, lo], "ci_hoog": np.r_[1.0, hi]})


def at_risk_at(d, entry, ticks) -> list[int]:
    """Trajecten under observation (entered and not yet ended or censored) at each of ``ticks`` days."""
    d, entry = np.asarray(d, float), np.asarray(entry, float)
    return [int(np.sum((entry <= t) & (d >= t))) for t in ticks]
