"""Doorlooptijd distributions with the model's uitval mechanism, and Kaplan-Meier.

A traject lasts D (exponential, gamma or lognormal with a mean and cv); an uitval stops at a
uniform fraction of D. The functions give the likelihood terms of the censored, left-truncated
fit and the survival curves to compare it with.
"""
from __future__ import annotations

import math

import numpy as np
from simulation._lazy import scipy_special as special

from simulation import portable_math as pm

FAMILIES = ("exponential", "gamma", "lognormal")
_TINY = 1e-300


def _params(family: str, mean, cv):
    if family == "lognormal":
        s2 = pm.log1p(cv**2)
        return pm.log(mean) - 0.5 * s2, np.sqrt(s2)
    k = np.ones_like(mean) if family == "exponential" else 1.0 / cv**2
    return k, mean / k


def _parts(family: str, t, mean, cv):
    """log f(t), S(t), and h(t) = E[1/D; D > t] (density of D x U) of the family with that mean and cv."""
    t = np.maximum(t, 1e-9)
    if family == "lognormal":
        mu, s = _params(family, mean, cv)
        z = (pm.log(t) - mu) / s
        logf = -0.5 * z * z - 0.5 * math.log(2 * math.pi) - pm.log(s) - pm.log(t)
        surv = special.ndtr(-z)
        h = pm.exp(-mu + 0.5 * s * s) * special.ndtr(-(z + s))
        return logf, surv, h
    k, theta = _params(family, mean, cv)
    x = t / theta
    logf = (k - 1) * pm.log(t) - x - special.gammaln(k) - k * pm.log(theta)
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
            h[below] = (surv[below] - pm.exp((kb - 1) * pm.log(xb) - xb - special.gammaln(kb))) / ((kb - 1) * theta[below])
    return logf, surv, np.maximum(np.nan_to_num(h, nan=0.0, posinf=0.0), 0.0)


def _loglik_terms(family, d, entry, status, mean, cv, q):
    """Per-record log-likelihood. status: 0 censored, 1 closed non-uitval, 2 closed uitval."""
    logf, surv, h = _parts(family, d, mean, cv)
    surv_u = np.maximum(surv - np.maximum(d, 1e-9) * h, 0.0)
    out = np.where(status == 1, pm.log1p(-q) + logf,
                   np.where(status == 2, pm.log(np.maximum(q * h, _TINY)),
                            pm.log(np.maximum((1 - q) * surv + q * surv_u, _TINY))))
    has_entry = entry > 0
    if has_entry.any():
        a, qa = entry[has_entry], q[has_entry]
        _, s_a, h_a = _parts(family, a, mean[has_entry], cv[has_entry])
        su_a = np.maximum(s_a - a * h_a, 0.0)
        out[has_entry] -= pm.log(np.maximum((1 - qa) * s_a + qa * su_a, _TINY))
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
