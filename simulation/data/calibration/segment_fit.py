"""The censored maximum-likelihood fit of one segment: every traject type and the providers' maatwerk factors."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import scipy_special as special

from simulation import portable_math as pm
from simulation.data.calibration.survival import FAMILIES, _loglik_terms, kaplan_meier, mixture_survival


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


class _Fit(NamedTuple):
    """One maximum-likelihood fit: parameters on the log (and logit) scale, per traject type and provider."""

    result: object                    # scipy.optimize.OptimizeResult
    log_mean: np.ndarray
    log_cv: np.ndarray
    logit_uitval: np.ndarray
    log_factor: np.ndarray            # the other providers', then 0 for the reference provider
    others: list[str]                 # providers other than the reference, in the order of log_factor
    loglik_per_type: pd.Series
    type_of_row: np.ndarray


def _fit_segment(data: pd.DataFrame, families: dict[str, str], types: list[str], providers: list[str],
                 reference: str) -> _Fit:
    from scipy import optimize   # heavy: imported when a fit runs, not by `python -m simulation --help`

    type_of_row = data["traject_type"].map({t: i for i, t in enumerate(types)}).to_numpy()
    others = [p for p in providers if p != reference]
    provider_of_row = data["provider"].map({p: i for i, p in enumerate(others)}).fillna(-1).astype(int).to_numpy()
    d, entry, status = data["d"].to_numpy(), data["entry"].to_numpy(), data["status"].to_numpy()
    n_types, n_others = len(types), len(others)
    # starting values: exponential MLE per type
    x0 = []
    for i, t in enumerate(types):
        sel = type_of_row == i
        events = max(int((status[sel] > 0).sum()), 1)
        exposure = float(np.sum(d[sel] - entry[sel]))
        uit = (status[sel] == 2).sum() / max((status[sel] > 0).sum(), 1)
        x0 += [math.log(max(exposure / events, 1.0)), math.log(0.8),
               math.log(max(uit, 0.01) / (1 - min(max(uit, 0.01), 0.9)))]
    x0 += [0.0] * n_others
    bounds = ([(0.0, 12.0), (math.log(0.05), math.log(5.0)), (-12.0, 6.0)] * n_types
              + [(math.log(0.2), math.log(5.0))] * n_others)

    def unpack(x):
        x = np.asarray(x)
        log_mean, log_cv, logit_uitval = x[0:3 * n_types:3], x[1:3 * n_types:3], x[2:3 * n_types:3]
        log_factor = np.concatenate([x[3 * n_types:], [0.0]])
        return log_mean, log_cv, logit_uitval, log_factor

    family_of_type = [families[t] for t in types]

    def terms(x):
        log_mean, log_cv, logit_uitval, log_factor = unpack(x)
        mean = pm.exp(log_mean[type_of_row] + log_factor[provider_of_row])
        cv = pm.exp(log_cv[type_of_row])
        q = special.expit(logit_uitval[type_of_row])
        out = np.empty(len(d))
        for fam in set(family_of_type):
            sel = np.isin(type_of_row, [i for i, f in enumerate(family_of_type) if f == fam])
            out[sel] = _loglik_terms(fam, d[sel], entry[sel], status[sel], mean[sel], cv[sel], q[sel])
        return out

    def nll(x):
        return -float(np.sum(terms(x))) / len(d)

    result = optimize.minimize(nll, x0, method="L-BFGS-B", bounds=bounds)
    if not result.success:
        result = optimize.minimize(nll, result.x, method="L-BFGS-B", bounds=bounds)
    per_type = pd.Series(terms(result.x)).groupby(type_of_row).sum()
    return _Fit(result, *unpack(result.x), others, per_type, type_of_row)


def fit_segment(data: pd.DataFrame, types: list[str]) -> SegmentFit:
    """Censoring-aware fit of every traject type of one segment; family per type by AIC."""
    counts = data["provider"].value_counts()
    providers = sorted(counts.index, key=lambda p: (-counts[p], p))
    reference = providers[0]
    rows = []
    fits = {}
    for fam in FAMILIES:
        fits[fam] = _fit_segment(data, {t: fam for t in types}, types, providers, reference)
        per_type = fits[fam].loglik_per_type
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
        best = fits[next(iter(chosen.values()))]
    else:
        best = _fit_segment(data, chosen, types, providers, reference)
    type_of_row = best.type_of_row
    factor = {reference: 1.0} | {p: float(math.exp(best.log_factor[i])) for i, p in enumerate(best.others)}
    mean = {t: float(math.exp(best.log_mean[i])) for i, t in enumerate(types)}
    cv = {t: (1.0 if chosen[t] == "exponential" else float(math.exp(best.log_cv[i]))) for i, t in enumerate(types)}
    q = {t: float(special.expit(best.logit_uitval[i])) for i, t in enumerate(types)}
    # goodness of fit: KM in provider-scaled time vs the fitted mixture survival
    gof = {}
    scale = data["provider"].map(factor).to_numpy()
    for i, t in enumerate(types):
        sel = type_of_row == i
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
    return SegmentFit(chosen, mean, cv, q, factor, reference, -best.result.fun * len(data), aic, gof)
