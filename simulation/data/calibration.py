"""From realised records to a scenario: instroom, doorlooptijd, outcomes, providers, plekken.

``calibrate(records, base_scenario=None)`` returns (scenario dict, CalibrationReport);
``write_calibrated_yaml`` writes the scenario with a comment on every fitted number that
says how it was fitted and on how many records. ``main_calibrate`` is the command line.

How each part is estimated (docs/records.md has the long version):

- Links between records. A record whose toewijzing starts on the day the same client's
  previous record at the same provider and segment stopped with reason 37 is a
  *voortzetting* (verlenging when the traject type is the same, step-down when it changes).
  A record that starts on the day a record of the same client stopped with reason 36/39 is
  an *opschaling* into its segment. Neither counts as instroom.
- Instroom: new episodes (client x segment x toewijzing date; two trajecten on one date
  are one episode with stacking) with a toewijzing in the study period, per municipality x
  segment x month; per_year = episodes per year / (1 - voorliggend_veld_share) with the
  share from the base scenario (records cannot see the voorliggend veld). Monthly factors
  become ``seasonality`` only when a chi-square test rejects a flat year (p < 0.01).
- Doorlooptijd: per segment, one censored maximum-likelihood fit over all traject types and
  providers of the model's own structure: a traject lasts D x m (provider maatwerk factor m),
  an uitval stops at a uniform fraction of that; trajecten still open at the period end are
  right-censored, trajecten that started before it are left-truncated. Families exponential,
  gamma and lognormal; per traject type the family with the lowest AIC. Goodness of fit: the
  largest distance between the fitted survival curve and the Kaplan-Meier curve.
- Outcome shares: uitval from the fit (it is censoring-aware), the other outcomes split the
  rest as their shares among closed non-uitval trajecten (the model draws them independently
  of the duration, so censoring does not bias these shares).
- Maatwerk factor: exp of the provider's log-scale effect, relative to the provider with the
  most trajecten in the segment (factor 1).
- Plekken: per municipality x provider x segment with bekostiging 'plek', the largest number
  of trajecten in care at once (a lower bound of plekken bought) and the mean occupancy.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, special, stats

from simulation.data.records import REDEN_TO_MODEL, RecordsError, _scenario, read_records

FAMILIES = ("exponential", "gamma", "lognormal")
NON_UITVAL = ("afschaling", "step_down", "opschaling", "verlenging")
_TINY = 1e-300


# -- linking records ---------------------------------------------------------------------------------


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Records with day numbers (day 0 = first day of the study period) and the links between them.

    Adds: toew, start, stop (days; NaN when empty), outcome (model outcome of closed trajecten),
    voortzetting, opschaling_in (bool), target_segment/target_type (successor after opschaling or
    step-down), started, closed.
    """
    start, end = records.attrs["study_period"]
    p0 = pd.Timestamp(start)
    r = records.copy()
    r["toew"] = (r["datum_toewijzing"] - p0).dt.days.astype(float)
    r["start"] = (r["begindatum"] - p0).dt.days.astype(float)
    r["stop"] = (r["einddatum"] - p0).dt.days.astype(float)
    r["started"] = r["start"].notna()
    r["closed"] = r["stop"].notna()
    cls = [REDEN_TO_MODEL.get(d, {}).get(c) if isinstance(c, str) else None
           for d, c in zip(r["domain"], r["reden_beeindiging"])]
    r["outcome"] = pd.Series(cls, index=r.index, dtype=object)
    r["voortzetting"] = False
    r["opschaling_in"] = False
    r["target_segment"] = None
    r["target_type"] = None
    r["idx"] = np.arange(len(r))
    closed = r[r["closed"]]
    succ = r[["idx", "client_key", "municipality", "provider", "segment", "traject_type", "toew", "start"]]
    # voortzetting: same client, municipality, provider, segment; starts on the stop day, no wait
    pred = closed[closed["outcome"] == "voortzetting"][["idx", "client_key", "municipality", "provider", "segment",
                                                        "traject_type", "stop"]]
    m = pred.merge(succ, left_on=["client_key", "municipality", "provider", "segment", "stop"],
                   right_on=["client_key", "municipality", "provider", "segment", "toew"], suffixes=("_p", "_s"))
    m = m[m["start"] == m["toew"]].drop_duplicates("idx_p").drop_duplicates("idx_s")
    r.loc[m["idx_s"].to_numpy(), "voortzetting"] = True
    same = (m["traject_type_p"] == m["traject_type_s"]).to_numpy()
    r.loc[m["idx_p"].to_numpy(), "outcome"] = np.where(same, "verlenging", "step_down")
    r.loc[m["idx_p"].to_numpy()[~same], "target_type"] = m["traject_type_s"].to_numpy()[~same]
    # unmatched 37: the continuation is not in the records; counted as verlenging
    r.loc[r["outcome"] == "voortzetting", "outcome"] = "verlenging"
    # opschaling: same client, a new toewijzing (any segment) on the stop day
    pred = closed[closed["outcome"] == "opschaling"][["idx", "client_key", "stop"]]
    m = pred.merge(succ, left_on=["client_key", "stop"], right_on=["client_key", "toew"], suffixes=("_p", "_s"))
    m = m[~r.loc[m["idx_s"].to_numpy(), "voortzetting"].to_numpy()]
    m = m.drop_duplicates("idx_p").drop_duplicates("idx_s")
    r.loc[m["idx_s"].to_numpy(), "opschaling_in"] = True
    r.loc[m["idx_p"].to_numpy(), "target_segment"] = m["segment"].to_numpy()
    r.loc[m["idx_p"].to_numpy(), "target_type"] = m["traject_type"].to_numpy()
    return r


# -- distributions with the model's uitval mechanism ---------------------------------------------------


def _params(family: str, mean, cv):
    if family == "lognormal":
        s2 = np.log1p(cv**2)
        return np.log(mean) - 0.5 * s2, np.sqrt(s2)
    k = np.ones_like(mean) if family == "exponential" else 1.0 / cv**2
    return k, mean / k


def _parts(family: str, t, mean, cv):
    """log f(t), S(t), and h(t) = E[1/D; D > t] (density of D x U) of the family with that mean and cv."""
    t = np.maximum(t, 1e-9)
    if family == "lognormal":
        mu, s = _params(family, mean, cv)
        z = (np.log(t) - mu) / s
        logf = -0.5 * z * z - 0.5 * math.log(2 * math.pi) - np.log(s) - np.log(t)
        surv = special.ndtr(-z)
        h = np.exp(-mu + 0.5 * s * s) * special.ndtr(-(z + s))
        return logf, surv, h
    k, theta = _params(family, mean, cv)
    x = t / theta
    logf = (k - 1) * np.log(t) - x - special.gammaln(k) - k * np.log(theta)
    surv = special.gammaincc(k, x)
    h = np.empty_like(x)
    near1 = np.abs(k - 1.0) < 1e-6
    above = (k > 1) & ~near1
    below = (k < 1) & ~near1
    if near1.any():
        h[near1] = special.exp1(x[near1]) / theta[near1]
    if above.any():
        ka = k[above] - 1
        h[above] = special.gammaincc(ka, x[above]) / (ka * theta[above])
    if below.any():
        kb, xb = k[below], x[below]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            h[below] = (surv[below] - np.exp((kb - 1) * np.log(xb) - xb - special.gammaln(kb))) / ((kb - 1) * theta[below])
    return logf, surv, np.maximum(np.nan_to_num(h, nan=0.0, posinf=0.0), 0.0)


def _loglik_terms(family, d, entry, status, mean, cv, q):
    """Per-record log-likelihood. status: 0 censored, 1 closed non-uitval, 2 closed uitval."""
    logf, surv, h = _parts(family, d, mean, cv)
    surv_u = np.maximum(surv - np.maximum(d, 1e-9) * h, 0.0)
    out = np.where(status == 1, np.log1p(-q) + logf,
                   np.where(status == 2, np.log(np.maximum(q * h, _TINY)),
                            np.log(np.maximum((1 - q) * surv + q * surv_u, _TINY))))
    has_entry = entry > 0
    if has_entry.any():
        a, qa = entry[has_entry], q[has_entry]
        _, s_a, h_a = _parts(family, a, mean[has_entry], cv[has_entry])
        su_a = np.maximum(s_a - a * h_a, 0.0)
        out[has_entry] -= np.log(np.maximum((1 - qa) * s_a + qa * su_a, _TINY))
    return out


def mixture_survival(family, t, mean, cv, q):
    _, surv, h = _parts(family, np.asarray(t, dtype=float), mean, cv)
    return (1 - q) * surv + q * np.maximum(surv - np.maximum(t, 1e-9) * h, 0.0)


def kaplan_meier(d, event, entry=None):
    """Kaplan-Meier with delayed entry: (event times, survival just after each)."""
    d, event = np.asarray(d, float), np.asarray(event, bool)
    entry = np.zeros_like(d) if entry is None else np.asarray(entry, float)
    times = np.unique(d[event])
    ds, es = np.sort(d), np.sort(entry)
    at_risk = (len(d) - np.searchsorted(ds, times, side="left")) - (len(d) - np.searchsorted(es, times, side="left"))
    deaths = np.searchsorted(np.sort(d[event]), times, side="right") - np.searchsorted(np.sort(d[event]), times,
                                                                                        side="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1 - deaths / np.maximum(at_risk, 1), 1.0)
    return times, np.cumprod(factor), at_risk


def km_median(d, event, entry=None) -> float:
    times, surv, _ = kaplan_meier(d, event, entry)
    below = np.flatnonzero(surv <= 0.5)
    return float(times[below[0]]) if len(below) else float("nan")


# -- the censored fit per segment ---------------------------------------------------------------------


@dataclass
class SegmentFit:
    families: dict[str, str]
    mean: dict[str, float]
    cv: dict[str, float]
    q: dict[str, float]
    factor: dict[str, float]
    reference: str
    loglik: float
    aic_table: pd.DataFrame
    gof: dict[str, float]


def _fit_segment(data: pd.DataFrame, families: dict[str, str], types: list[str], providers: list[str],
                 reference: str):
    ti = data["traject_type"].map({t: i for i, t in enumerate(types)}).to_numpy()
    others = [p for p in providers if p != reference]
    pi = data["provider"].map({p: i for i, p in enumerate(others)}).fillna(-1).astype(int).to_numpy()
    d, entry, status = data["d"].to_numpy(), data["entry"].to_numpy(), data["status"].to_numpy()
    nt, npv = len(types), len(others)
    # starting values: exponential MLE per type
    x0 = []
    for i, t in enumerate(types):
        sel = ti == i
        events = max(int((status[sel] > 0).sum()), 1)
        exposure = float(np.sum(d[sel] - entry[sel]))
        uit = (status[sel] == 2).sum() / max((status[sel] > 0).sum(), 1)
        x0 += [math.log(max(exposure / events, 1.0)), math.log(0.8),
               math.log(max(uit, 0.01) / (1 - min(max(uit, 0.01), 0.9)))]
    x0 += [0.0] * npv
    bounds = [(0.0, 12.0), (math.log(0.05), math.log(5.0)), (-12.0, 6.0)] * nt + [(math.log(0.2), math.log(5.0))] * npv

    def unpack(x):
        x = np.asarray(x)
        lm, lcv, lq = x[0:3 * nt:3], x[1:3 * nt:3], x[2:3 * nt:3]
        lp = np.concatenate([x[3 * nt:], [0.0]])
        return lm, lcv, lq, lp

    fam_of = [families[t] for t in types]

    def terms(x):
        lm, lcv, lq, lp = unpack(x)
        mean = np.exp(lm[ti] + lp[pi])
        cv = np.exp(lcv[ti])
        q = special.expit(lq[ti])
        out = np.empty(len(d))
        for fam in set(fam_of):
            sel = np.isin(ti, [i for i, f in enumerate(fam_of) if f == fam])
            out[sel] = _loglik_terms(fam, d[sel], entry[sel], status[sel], mean[sel], cv[sel], q[sel])
        return out

    def nll(x):
        return -float(np.sum(terms(x))) / len(d)

    res = optimize.minimize(nll, x0, method="L-BFGS-B", bounds=bounds)
    if not res.success:
        res = optimize.minimize(nll, res.x, method="L-BFGS-B", bounds=bounds)
    lm, lcv, lq, lp = unpack(res.x)
    per_type = pd.Series(terms(res.x)).groupby(ti).sum()
    return res, lm, lcv, lq, lp, others, per_type, ti


def fit_segment(data: pd.DataFrame, types: list[str]) -> SegmentFit:
    """Censoring-aware fit of every traject type of one segment; family per type by AIC."""
    counts = data["provider"].value_counts()
    providers = sorted(counts.index, key=lambda p: (-counts[p], p))
    reference = providers[0]
    rows = []
    fits = {}
    for fam in FAMILIES:
        fits[fam] = _fit_segment(data, {t: fam for t in types}, types, providers, reference)
        per_type = fits[fam][6]
        k = 2 if fam == "exponential" else 3
        for i, t in enumerate(types):
            ll = float(per_type.get(i, 0.0))
            rows.append({"traject_type": t, "family": fam, "loglik": ll, "aic": 2 * k - 2 * ll})
    aic = pd.DataFrame(rows)
    aic["delta_aic"] = aic["aic"] - aic.groupby("traject_type")["aic"].transform("min")
    # the simplest family within 2 AIC units of the best (exponential is gamma with cv 1)
    simplicity = {f: i for i, f in enumerate(FAMILIES)}
    chosen = {}
    for t in types:
        near = aic[(aic["traject_type"] == t) & (aic["delta_aic"] <= 2.0)]
        chosen[t] = min(near["family"], key=lambda f: (simplicity[f], f))
    aic["chosen"] = [chosen[t] == f for t, f in zip(aic["traject_type"], aic["family"])]
    if len(set(chosen.values())) == 1:
        res, lm, lcv, lq, lp, others, per_type, ti = fits[next(iter(chosen.values()))]
    else:
        res, lm, lcv, lq, lp, others, per_type, ti = _fit_segment(data, chosen, types, providers, reference)
    factor = {reference: 1.0} | {p: float(math.exp(lp[i])) for i, p in enumerate(others)}
    mean = {t: float(math.exp(lm[i])) for i, t in enumerate(types)}
    cv = {t: (1.0 if chosen[t] == "exponential" else float(math.exp(lcv[i]))) for i, t in enumerate(types)}
    q = {t: float(special.expit(lq[i])) for i, t in enumerate(types)}
    # goodness of fit: KM in provider-scaled time vs the fitted mixture survival
    gof = {}
    scale = data["provider"].map(factor).to_numpy()
    for i, t in enumerate(types):
        sel = ti == i
        if not sel.any():
            continue
        dd, ee = data["d"].to_numpy()[sel] / scale[sel], data["entry"].to_numpy()[sel] / scale[sel]
        times, km, at_risk = kaplan_meier(dd, data["status"].to_numpy()[sel] > 0, ee)
        keep = at_risk >= 10
        if keep.any():
            model = mixture_survival(chosen[t], times[keep], np.full(keep.sum(), mean[t]),
                                     np.full(keep.sum(), cv[t]), q[t])
            gof[t] = float(np.max(np.abs(model - km[keep])))
        else:
            gof[t] = float("nan")
    return SegmentFit(chosen, mean, cv, q, factor, reference, -res.fun * len(data), aic, gof)


# -- the whole calibration ----------------------------------------------------------------------------


@dataclass
class CalibrationReport:
    """Tables and notes on every fitted number; ``to_markdown()`` for a readable report."""

    study_period: tuple[dt.date, dt.date]
    n_records: int
    instroom: pd.DataFrame = field(default_factory=pd.DataFrame)        # municipality x segment x month
    instroom_per_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    durations: pd.DataFrame = field(default_factory=pd.DataFrame)       # per segment x traject type
    aic: pd.DataFrame = field(default_factory=pd.DataFrame)             # every family per type
    km: pd.DataFrame = field(default_factory=pd.DataFrame)              # KM median per type x provider
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    providers: pd.DataFrame = field(default_factory=pd.DataFrame)
    plekken: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    comments: dict[tuple, str] = field(default_factory=dict)

    def to_markdown(self) -> str:
        def table(df):
            if df is None or df.empty:
                return "(none)\n"
            return df.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n"

        parts = [f"# Calibration report\n\nStudy period {self.study_period[0]}..{self.study_period[1]}, "
                 f"{self.n_records} records.\n",
                 "## Notes\n" + "".join(f"- {n}\n" for n in self.notes),
                 "## Instroom per year\n```\n" + table(self.instroom_per_year) + "```\n",
                 "## Doorlooptijd fits (censoring-aware; chosen family per traject type)\n```\n"
                 + table(self.durations) + "```\n",
                 "## All families (AIC)\n```\n" + table(self.aic) + "```\n",
                 "## Kaplan-Meier medians per traject type x provider (days)\n```\n" + table(self.km) + "```\n",
                 "## Outcome shares\n```\n" + table(self.outcomes) + "```\n",
                 "## Providers\n```\n" + table(self.providers) + "```\n",
                 "## Plekken\n```\n" + table(self.plekken) + "```\n"]
        return "\n".join(parts)


def _prov_weights(counts: pd.DataFrame) -> dict[str, float]:
    """Choice weights from new trajecten per municipality x provider when not every provider serves
    every municipality (MM algorithm for P(p | m) = w_p / sum of w over m's providers)."""
    pivot = counts.pivot_table(index="municipality", columns="provider", values="n", aggfunc="sum", fill_value=0)
    avail = pivot > 0
    n_p = pivot.sum(axis=0)
    n_m = pivot.sum(axis=1)
    w = n_p / n_p.sum()
    for _ in range(500):
        denom = (avail * w).sum(axis=1)
        new = n_p / (avail.mul(n_m / denom, axis=0)).sum(axis=0)
        new = new / new.sum()
        if np.max(np.abs(new - w)) < 1e-10:
            w = new
            break
        w = new
    return {p: float(v) for p, v in w.items()}


def _round_shares(shares: dict[str, float], digits: int = 4) -> dict[str, float]:
    out = {k: round(v, digits) for k, v in shares.items()}
    biggest = max(out, key=out.get)
    out[biggest] = round(out[biggest] + 1.0 - sum(out.values()), digits)
    return out


def calibrate(records: Union[pd.DataFrame, str, Path], base_scenario=None, name: str = "calibrated"
              ) -> tuple[dict[str, Any], CalibrationReport]:
    """Estimate a scenario from realised records (a checked frame from ``read_records`` or a path).

    ``base_scenario`` supplies what records cannot show (population, voorliggend veld share,
    toegang time, recidive, planned doorlooptijd, weights, growth); without it neutral values are
    used and named in the report.
    """
    if not isinstance(records, pd.DataFrame):
        records = read_records(records, scenario=base_scenario)
    base = _scenario(base_scenario)
    start, end = records.attrs["study_period"]
    days = (end - start).days + 1
    years = days / 365.25
    r = prepare(records)
    report = CalibrationReport((start, end), len(r))
    C = report.comments
    n_rec = len(r)

    # -- instroom ------------------------------------------------------------------------------------
    new = r[~r["voortzetting"] & ~r["opschaling_in"] & (r["toew"] >= 0) & (r["toew"] < days)]
    episodes = new.drop_duplicates(["client_key", "segment", "toew"])
    if base is not None and any(s.recidive.probability > 0 for s in base.segments.values()):
        # a client seen with an afschaling earlier in the records returns: recidive, not instroom
        afg = r[r["outcome"] == "afschaling"].groupby("client_key")["stop"].min()
        first_stop = episodes["client_key"].map(afg)
        rec_seg = {s for s, v in base.segments.items() if v.recidive.probability > 0}
        is_recidive = (first_stop <= episodes["toew"]) & episodes["segment"].isin(rec_seg)
        report.notes.append(f"{int(is_recidive.sum())} new episodes are re-entries after an afschaling seen in the "
                            "records: counted as recidive (base scenario), not as instroom")
        episodes = episodes[~is_recidive.to_numpy()]
    ep_month = episodes.assign(month=(pd.Timestamp(start) + pd.to_timedelta(episodes["toew"], unit="D")).dt.to_period("M"))
    report.instroom = (ep_month.groupby(["municipality", "segment", "month"]).size().rename("episodes").reset_index())
    segments = sorted(r["segment"].dropna().unique())
    municipalities = sorted(r["municipality"].dropna().unique())
    if base is not None:
        municipalities = list(base.municipalities) + [m for m in municipalities if m not in base.municipalities]
        segments = [s for s in base.segments if s in set(segments)] + [s for s in segments if s not in base.segments]
    seg_domain = r.groupby("segment")["domain"].agg(lambda s: s.mode().iloc[0]).to_dict()
    ipy_rows = []
    seg_out: dict[str, dict] = {}
    for s in segments:
        bseg = base.segments.get(s) if base is not None else None
        vv = bseg.voorliggend_veld_share if bseg else 0.0
        ep_s = episodes[episodes["segment"] == s]
        per_year = {}
        for m in municipalities:
            n = int((ep_s["municipality"] == m).sum())
            per_year[m] = round(n / years / (1 - vv), 2) if vv < 1 else 0.0
            C[("segments", s, "instroom", "per_year", m)] = (
                f"{n} new episodes (toewijzing in {start}..{end}, not voortzetting/opschaling) / {years:.3g} yr"
                + (f" / (1 - voorliggend_veld_share {vv:g} from the base scenario)" if vv else ""))
            ipy_rows.append({"segment": s, "municipality": m, "episodes": n, "per_year": per_year[m]})
        instroom: dict[str, Any] = {"per_year": per_year, "base_year": start.year,
                                    "growth": bseg.instroom.growth if bseg else 0.0}
        C[("segments", s, "instroom", "base_year")] = "first year of the study period"
        C[("segments", s, "instroom", "growth")] = ("from the base scenario" if bseg else
                                                    "not identifiable from one period; set to 0")
        # seasonality: only over whole years and when a flat year is rejected
        if days >= 365 and len(ep_s):
            months = pd.period_range(start, end, freq="M")
            cnt = ep_month[ep_month["segment"] == s].groupby("month").size().reindex(months, fill_value=0)
            mdays = np.array([(min(p.end_time.date(), end) - max(p.start_time.date(), start)).days + 1 for p in months])
            expected = cnt.sum() * mdays / mdays.sum()
            chi2 = float(np.sum((cnt.to_numpy() - expected) ** 2 / np.maximum(expected, 1e-9)))
            pval = float(stats.chi2.sf(chi2, len(months) - 1))
            by_cal = pd.DataFrame({"m": [p.month for p in months], "n": cnt.to_numpy(), "d": mdays}).groupby("m").sum()
            if pval < 0.01 and len(by_cal) == 12:
                rate = by_cal["n"] / by_cal["d"]
                factors = (rate / rate.mean()).round(3).tolist()
                instroom["seasonality"] = factors
                C[("segments", s, "instroom", "seasonality")] = (
                    f"monthly episode rate / mean rate on {int(cnt.sum())} episodes; chi-square vs a flat year "
                    f"p = {pval:.2g}")
            else:
                report.notes.append(f"segment {s}: no seasonality (chi-square vs a flat year p = {pval:.2g} on "
                                    f"{int(cnt.sum())} episodes)")
        stacked = ep_s.merge(new[["client_key", "segment", "toew"]], on=["client_key", "segment", "toew"]) \
            .groupby(["client_key", "toew"]).size()
        n_ep = len(ep_s)
        stacking = round(float((stacked >= 2).sum() / n_ep), 4) if n_ep else 0.0
        seg_out[s] = {"domain": seg_domain.get(s, bseg.domain if bseg else "jeugd")}
        if bseg and bseg.description:
            seg_out[s]["description"] = bseg.description
        seg_out[s]["instroom"] = instroom
        seg_out[s]["voorliggend_veld_share"] = vv
        C[("segments", s, "voorliggend_veld_share")] = ("from the base scenario; records do not show the "
                                                        "voorliggend veld" if bseg else
                                                        "records do not show the voorliggend veld; set to 0")
        if bseg:
            seg_out[s]["toegang_doorlooptijd"] = bseg.toegang_doorlooptijd.model_dump(mode="json")
            C[("segments", s, "toegang_doorlooptijd")] = "from the base scenario (not in the records)"
        seg_out[s]["stacking_probability"] = stacking
        C[("segments", s, "stacking_probability")] = (f"share of {n_ep} new episodes with two toewijzingen on the "
                                                      "same day")
        if bseg and bseg.max_wait_days is not None:
            seg_out[s]["max_wait_days"] = bseg.max_wait_days
            C[("segments", s, "max_wait_days")] = "from the base scenario"
        if bseg:
            seg_out[s]["recidive"] = bseg.recidive.model_dump(mode="json")
            C[("segments", s, "recidive")] = "from the base scenario (delays run past one study period)"
    report.instroom_per_year = pd.DataFrame(ipy_rows)

    # -- doorlooptijd, outcomes, maatwerk --------------------------------------------------------------------
    st = r[r["started"]].copy()
    hi = float(days)
    st["d"] = np.where(st["closed"], np.maximum(st["stop"] - st["start"], 0.5), hi - st["start"] - 0.5)
    st["entry"] = np.where(st["start"] < 0, -st["start"] - 0.5, 0.0)
    st["d"] = np.maximum(st["d"], st["entry"] + 0.5)
    st["status"] = np.where(~st["closed"] | (st["outcome"] == "overig"), 0,
                            np.where(st["outcome"] == "uitval", 2, 1))
    n_overig = int((st["closed"] & (st["outcome"] == "overig")).sum())
    if n_overig:
        report.notes.append(f"{n_overig} trajecten ended with reason 38 (overstap naar andere aanbieder): treated "
                            "as censored at their stop and left out of the outcome shares")
    dur_rows, aic_tables, km_rows, out_rows, prov_rows = [], [], [], [], []
    factors: dict[str, dict[str, float]] = {}
    for s in segments:
        data = st[st["segment"] == s]
        bseg = base.segments.get(s) if base is not None else None
        types = sorted(r.loc[r["segment"] == s, "traject_type"].dropna().unique())
        if bseg:
            types = [t for t in bseg.traject_types if t in set(types)] + [t for t in types if t not in bseg.traject_types]
        fit = fit_segment(data, types)
        factors[s] = fit.factor
        aic_tables.append(fit.aic_table.assign(segment=s))
        new_s = new[new["segment"] == s]
        type_counts = new_s["traject_type"].value_counts()
        n_new = int(type_counts.sum())
        raw_shares = {t: (type_counts.get(t, 0) / n_new if n_new else 1 / len(types)) for t in types}
        shares = _round_shares(raw_shares)
        tts: dict[str, Any] = {}
        for t in types:
            sel = data[data["traject_type"] == t]
            btype = bseg.traject_types.get(t) if bseg else None
            spec: dict[str, Any] = {"share": shares[t]}
            C[("segments", s, "traject_types", t, "share")] = (
                f"{int(type_counts.get(t, 0))} of {n_new} new trajecten (toewijzing in the period)")
            if btype:
                spec["weight"] = btype.weight
                C[("segments", s, "traject_types", t, "weight")] = "from the base scenario"
            mean, cv, fam = fit.mean[t], fit.cv[t], fit.families[t]
            spec["planned_doorlooptijd"] = btype.planned_doorlooptijd if btype else round(mean, 1)
            C[("segments", s, "traject_types", t, "planned_doorlooptijd")] = (
                "from the base scenario (the tariff's basis)" if btype else "fitted mean doorlooptijd (no base scenario)")
            n_c, n_o, n_l = int((sel["status"] > 0).sum()), int((sel["status"] == 0).sum()), int((sel["entry"] > 0).sum())
            how = (f"censored ML fit, {fam} (simplest within 2 AIC of the best of {', '.join(FAMILIES)}), on {len(sel)} trajecten: {n_c} closed, "
                   f"{n_o} open at the period end (right-censored), {n_l} started before it (left-truncated); "
                   f"uitval at a uniform fraction; time / provider maatwerk factor; KM distance "
                   f"{fit.gof.get(t, float('nan')):.3f}")
            dist = {"kind": fam, "mean": round(mean, 2)} if fam == "exponential" else \
                {"kind": fam, "mean": round(mean, 2), "cv": round(cv, 4)}
            spec["doorlooptijd"] = dist
            C[("segments", s, "traject_types", t, "doorlooptijd", "kind")] = how
            C[("segments", s, "traject_types", t, "doorlooptijd", "mean")] = \
                f"days, at the reference provider {fit.reference} (maatwerk factor 1)"
            if fam != "exponential":
                C[("segments", s, "traject_types", t, "doorlooptijd", "cv")] = "same fit"
            dur_rows.append({"segment": s, "traject_type": t, "family": fam, "mean": mean, "cv": cv,
                             "uitval": fit.q[t], "n": len(sel), "closed": n_c, "open": n_o, "left_truncated": n_l,
                             "km_distance": fit.gof.get(t, float("nan"))})
            for p, grp in sel.groupby("provider"):
                km_rows.append({"segment": s, "traject_type": t, "provider": p, "n": len(grp),
                                "km_median": km_median(grp["d"], grp["status"] > 0, grp["entry"]),
                                "fitted_mean": mean * fit.factor.get(p, 1.0)})
            # outcomes
            q = fit.q[t]
            closed_nu = sel[(sel["status"] == 1)]
            oc = closed_nu["outcome"].value_counts()
            n_nu = int(oc.sum())
            if n_nu:
                raw = {o: (1 - q) * oc.get(o, 0) / n_nu for o in NON_UITVAL}
            elif btype:
                bo = btype.outcomes.model_dump()
                rest = sum(v for k, v in bo.items() if k != "uitval")
                raw = {o: (1 - q) * bo[o] / rest if rest else 0.0 for o in NON_UITVAL}
            else:
                raw = {"afschaling": 1 - q, "step_down": 0.0, "opschaling": 0.0, "verlenging": 0.0}
            raw["uitval"] = q
            # targets
            sd_to = closed_nu.loc[closed_nu["outcome"] == "step_down", "target_type"].dropna()
            op = closed_nu[closed_nu["outcome"] == "opschaling"][["target_segment", "target_type"]].dropna()
            step_down_to = sd_to.mode().iloc[0] if len(sd_to) else (btype.step_down_to if btype else None)
            opschaling_to = ({"segment": op.value_counts().index[0][0], "traject_type": op.value_counts().index[0][1]}
                             if len(op) else (btype.opschaling_to.model_dump() if btype and btype.opschaling_to else None))
            if step_down_to is None or step_down_to not in types:
                raw["afschaling"] += raw.pop("step_down")
                raw["step_down"] = 0.0
                step_down_to = None
            if opschaling_to is None:
                raw["afschaling"] += raw.pop("opschaling")
                raw["opschaling"] = 0.0
            outcomes = _round_shares({k: raw[k] for k in ("afschaling", "step_down", "opschaling", "uitval",
                                                          "verlenging")})
            spec["outcomes"] = outcomes
            for o, v in outcomes.items():
                C[("segments", s, "traject_types", t, "outcomes", o)] = (
                    "censored ML fit with the doorlooptijd (open trajecten may still end in uitval)" if o == "uitval"
                    else f"(1 - uitval) x share among {n_nu} closed non-uitval trajecten ({int(oc.get(o, 0))})")
            out_rows.append({"segment": s, "traject_type": t, **outcomes, "closed_non_uitval": n_nu})
            if step_down_to and outcomes["step_down"] > 0:
                spec["step_down_to"] = step_down_to
                C[("segments", s, "traject_types", t, "step_down_to")] = f"most frequent lighter successor ({len(sd_to)})"
            if opschaling_to and outcomes["opschaling"] > 0:
                spec["opschaling_to"] = opschaling_to
                C[("segments", s, "traject_types", t, "opschaling_to")] = f"most frequent successor ({len(op)})"
            if btype and btype.verlenging_doorlooptijd is not None:
                spec["verlenging_doorlooptijd"] = btype.verlenging_doorlooptijd.model_dump(mode="json")
            tts[t] = spec
        seg_out[s]["traject_types"] = tts
    report.durations = pd.DataFrame(dur_rows)
    report.aic = pd.concat(aic_tables, ignore_index=True)[["segment", "traject_type", "family", "loglik", "aic",
                                                          "delta_aic", "chosen"]] if aic_tables else pd.DataFrame()
    report.km = pd.DataFrame(km_rows)
    report.outcomes = pd.DataFrame(out_rows)

    # opschaling targets must exist in the calibrated scenario
    for s, seg in seg_out.items():
        for t, spec in seg["traject_types"].items():
            tgt = spec.get("opschaling_to")
            if tgt and (tgt["segment"] not in seg_out or tgt["traject_type"] not in seg_out[tgt["segment"]]["traject_types"]):
                spec["outcomes"]["afschaling"] = round(spec["outcomes"]["afschaling"] + spec["outcomes"]["opschaling"], 4)
                spec["outcomes"]["opschaling"] = 0.0
                del spec["opschaling_to"]

    # -- providers -------------------------------------------------------------------------------------------
    providers: dict[str, dict] = {}
    all_provs = sorted(r["provider"].dropna().unique())
    if base is not None:
        all_provs = [p for p in base.providers if p in set(all_provs)] + [p for p in all_provs if p not in base.providers]
    serves = r.groupby("provider")["municipality"].agg(lambda s: sorted(set(s))).to_dict()
    for p in all_provs:
        bprov = base.providers.get(p) if base is not None else None
        muns = serves.get(p, [])
        entry: dict[str, Any] = {}
        if bprov:
            entry["perceel"] = bprov.perceel
            if bprov.municipalities is not None:
                entry["municipalities"] = list(bprov.municipalities)
            C[("providers", p, "perceel")] = "from the base scenario"
        elif set(muns) != set(municipalities):
            entry["perceel"] = "lokaal"
            entry["municipalities"] = muns
            C[("providers", p, "perceel")] = "serves only some municipalities in the records"
        entry["segments"] = {}
        providers[p] = entry
    for s in segments:
        counts = new[new["segment"] == s].groupby(["municipality", "provider"]).size().rename("n").reset_index()
        weights = _prov_weights(counts) if len(counts) else {}
        for p in all_provs:
            if p not in weights and p not in factors.get(s, {}):
                continue
            w = weights.get(p, 0.0)
            n_p = int(counts.loc[counts["provider"] == p, "n"].sum())
            ps = {"weight": round(max(w, 1e-4), 4), "maatwerk_factor": round(factors[s].get(p, 1.0), 4)}
            providers[p]["segments"][s] = ps
            C[("providers", p, "segments", s, "weight")] = f"choice weight (share) from {n_p} new trajecten, allowing for who serves which municipality"
            C[("providers", p, "segments", s, "maatwerk_factor")] = (
                "reference provider of the segment (most trajecten)" if factors[s].get(p, 1.0) == 1.0 else
                "exp(provider effect) of the censored doorlooptijd fit, relative to the reference provider")
            prov_rows.append({"provider": p, "segment": s, "new_trajecten": n_p, "weight": ps["weight"],
                              "maatwerk_factor": ps["maatwerk_factor"]})
    report.providers = pd.DataFrame(prov_rows)

    # -- plekken -------------------------------------------------------------------------------------------------
    pk_rows = []
    pl = st[st["bekostiging"] == "plek"]
    for (m, p, s), grp in pl.groupby(["municipality", "provider", "segment"]):
        a = np.clip(grp["start"].to_numpy(), 0, days).astype(int)
        b = np.clip(np.where(grp["closed"], grp["stop"], days), 0, days).astype(int)
        diff = np.zeros(days + 1)
        np.add.at(diff, a, 1)
        np.add.at(diff, b, -1)
        conc = np.cumsum(diff)[:days]
        peak = int(conc.max())
        bplek = base.plekken_in_year(p, m, s, start.year) if base is not None and p in base.providers and \
            s in base.providers[p].segments else None
        plekken = bplek if bplek is not None else peak
        pk_rows.append({"municipality": m, "provider": p, "segment": s, "plekken": plekken, "max_in_zorg": peak,
                        "mean_in_zorg": float(conc.mean()),
                        "bezettingsgraad": float(conc.mean() / plekken) if plekken else float("nan")})
        if p in providers and s in providers[p]["segments"] and plekken > 0:
            providers[p].setdefault("plekken", {}).setdefault(m, {})[s] = int(plekken)
            C[("providers", p, "plekken", m, s)] = (
                f"from the base scenario; occupancy {conc.mean() / plekken:.1%}" if bplek is not None else
                f"max trajecten in care at once with bekostiging plek ({len(grp)} trajecten; a lower bound of "
                f"plekken bought); mean occupancy {conc.mean() / max(peak, 1):.1%}")
    report.plekken = pd.DataFrame(pk_rows)

    # -- municipalities and the scenario --------------------------------------------------------------------------
    muns_out = {}
    for m in municipalities:
        if base is not None and m in base.municipalities:
            muns_out[m] = base.municipalities[m].model_dump(mode="json", exclude_none=True)
            C[("municipalities", m, "population")] = "from the base scenario"
        else:
            muns_out[m] = {"population": 1}
            C[("municipalities", m, "population")] = "not in the records: placeholder, set the real number"
    scenario = {"name": name,
                "description": f"calibrated on {n_rec} records, study period {start}..{end}"
                               + (f", base scenario {base.name}" if base is not None else ""),
                "start_date": start.isoformat(),
                "horizon_years": max(1, round(years)) if base is None else base.horizon_years,
                "warmup": (base.warmup.model_dump(mode="json") if base is not None else
                           {"initial_caseload": True, "days": 365.0}),
                "municipalities": muns_out, "segments": seg_out, "providers": providers}
    C[("horizon_years",)] = "from the base scenario" if base is not None else "length of the study period"
    report.notes.insert(0, "Episodes: a client's new toewijzingen in one segment on one day (stacking counted "
                           "separately); voortzetting (reason 37) and opschaling (36/39) successors are not instroom.")
    from simulation.config.scenario import scenario_from_dict

    scenario = _plain(scenario)
    scenario_from_dict(scenario, source="calibrated scenario")   # fails loudly if anything is inconsistent
    return scenario, report


def _plain(node):
    """Plain Python values (no numpy scalars) so the dict dumps as YAML and JSON."""
    if isinstance(node, dict):
        return {(_plain(k)): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    if isinstance(node, np.generic):
        return node.item()
    return node


# -- YAML with a comment per fitted number -----------------------------------------------------------------------


def _scalar(v) -> str:
    text = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True).strip()
    return text[:-4].strip() if text.endswith("\n...") else text.removesuffix("...").strip()


def to_commented_yaml(scenario: dict, comments: dict[tuple, str], header: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]

    def emit(node, path, indent):
        for key, value in node.items():
            p = path + (key,)
            c = comments.get(p)
            tail = f"  # {c}" if c else ""
            pad = "  " * indent
            if isinstance(value, dict) and value:
                lines.append(f"{pad}{_scalar(key)}:{tail}")
                emit(value, p, indent + 1)
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(value)}{tail}")

    emit(scenario, (), 0)
    return "\n".join(lines) + "\n"


def write_calibrated_yaml(scenario: dict, report: CalibrationReport, path: Union[str, Path]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"Scenario calibrated from {report.n_records} realised records, study period "
              f"{report.study_period[0]}..{report.study_period[1]} (python -m simulation.data.calibration).\n"
              "Each fitted number says how it was fitted and on how many records; see docs/records.md.")
    text = to_commented_yaml(scenario, report.comments, header)
    assert yaml.safe_load(text) == yaml.safe_load(yaml.safe_dump(scenario)), "commented YAML differs from the data"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def main_calibrate(argv: Optional[Sequence[str]] = None) -> int:
    """``calibrate records.parquet --out params/calibrated.yaml [--base scenario.yaml]``."""
    parser = argparse.ArgumentParser(prog="python -m simulation calibrate",
                                     description="Fit a scenario to realised trajecten records.")
    parser.add_argument("records", help="records file (.csv or .parquet, see docs/records.md)")
    parser.add_argument("--out", required=True, help="scenario YAML to write")
    parser.add_argument("--base", help="base scenario YAML for what records cannot show")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"),
                        help="study period, inclusive (default: stored in the Parquet file, else 2022)")
    parser.add_argument("--drop-invalid", action="store_true", help="drop rows with problems and write a report")
    parser.add_argument("--report", help="markdown report (default: next to --out, .report.md)")
    parser.add_argument("--name", default="calibrated")
    args = parser.parse_args(argv)
    try:
        records = read_records(args.records, scenario=args.base, study_period=args.period,
                               drop_invalid=args.drop_invalid)
        scenario, report = calibrate(records, base_scenario=args.base, name=args.name)
    except RecordsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    out = write_calibrated_yaml(scenario, report, args.out)
    rpath = Path(args.report) if args.report else out.with_suffix(".report.md")
    rpath.write_text(report.to_markdown(), encoding="utf-8")
    print(f"{out}: scenario from {len(records)} records; report {rpath}")
    if records.attrs["dropped"]:
        print(f"dropped rows reported in {records.attrs['report_path']}")
    return 0


if __name__ == "__main__":
    sys.exit(main_calibrate())
