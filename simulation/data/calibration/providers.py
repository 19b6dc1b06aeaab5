"""Providers: perceel, choice weights and maatwerk factors per segment, and the plekken bought."""
from __future__ import annotations

from typing import Any

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.calibration.inputs import CalibrationInputs


def provider_choice_weights(counts: pd.DataFrame) -> dict[str, float]:
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


def _provider_order(inputs: CalibrationInputs) -> list[str]:
    names = sorted(inputs.records["provider"].dropna().unique())
    base = inputs.base
    if base is not None:
        names = [p for p in base.providers if p in set(names)] + [p for p in names if p not in base.providers]
    return names


def estimate_providers(inputs: CalibrationInputs, factors: dict[str, dict[str, float]]) -> dict[str, dict]:
    """Every provider with its perceel and, per segment, its choice weight and maatwerk factor."""
    comments, base = inputs.comments, inputs.base
    names = _provider_order(inputs)
    serves = inputs.records.groupby("provider")["municipality"].agg(lambda s: sorted(set(s))).to_dict()
    providers: dict[str, dict] = {}
    for provider in names:
        base_provider = base.providers.get(provider) if base is not None else None
        municipalities = serves.get(provider, [])
        entry: dict[str, Any] = {}
        if base_provider:
            entry["perceel"] = base_provider.perceel
            if base_provider.municipalities is not None:
                entry["municipalities"] = list(base_provider.municipalities)
            comments[("providers", provider, "perceel")] = "from the base scenario"
        elif set(municipalities) != set(inputs.municipalities):
            entry["perceel"] = "lokaal"
            entry["municipalities"] = municipalities
            comments[("providers", provider, "perceel")] = "serves only some municipalities in the records"
        entry["segments"] = {}
        providers[provider] = entry
    rows = []
    new = inputs.new
    for segment in inputs.segments:
        counts = new[new["segment"] == segment].groupby(["municipality", "provider"]).size().rename("n").reset_index()
        weights = provider_choice_weights(counts) if len(counts) else {}
        for provider in names:
            if provider not in weights and provider not in factors.get(segment, {}):
                continue
            n_new = int(counts.loc[counts["provider"] == provider, "n"].sum())
            factor = factors[segment].get(provider, 1.0)
            settings = {"weight": round(max(weights.get(provider, 0.0), 1e-4), 4), "maatwerk_factor": round(factor, 4)}
            providers[provider]["segments"][segment] = settings
            path = ("providers", provider, "segments", segment)
            comments[path + ("weight",)] = (f"choice weight (share) from {n_new} new trajecten, allowing for who "
                                            "serves which municipality")
            comments[path + ("maatwerk_factor",)] = (
                "reference provider of the segment (most trajecten)" if factor == 1.0 else
                "exp(provider effect) of the censored doorlooptijd fit, relative to the reference provider")
            rows.append({"provider": provider, "segment": segment, "new_trajecten": n_new,
                         "weight": settings["weight"], "maatwerk_factor": settings["maatwerk_factor"]})
    inputs.report.providers = pd.DataFrame(rows)
    return providers


def estimate_plekken(inputs: CalibrationInputs, started: pd.DataFrame, providers: dict[str, dict]) -> None:
    """Plekken per municipality x provider x segment with bekostiging plek, added to ``providers``.

    From the base scenario when it has them, else the most trajecten in care at once (a lower
    bound of the plekken bought); the report shows the occupancy either way.
    """
    comments, base, days, year = inputs.comments, inputs.base, inputs.days, inputs.start.year
    rows = []
    with_plek = started[started["bekostiging"] == "plek"]
    for (municipality, provider, segment), grp in with_plek.groupby(["municipality", "provider", "segment"]):
        first = np.clip(grp["start"].to_numpy(), 0, days).astype(int)
        after = np.clip(np.where(grp["closed"], grp["stop"], days), 0, days).astype(int)
        diff = np.zeros(days + 1)
        np.add.at(diff, first, 1)
        np.add.at(diff, after, -1)
        in_care = np.cumsum(diff)[:days]
        peak = int(in_care.max())
        base_plekken = (base.plekken_in_year(provider, municipality, segment, year)
                        if base is not None and provider in base.providers
                        and segment in base.providers[provider].segments else None)
        plekken = base_plekken if base_plekken is not None else peak
        rows.append({"municipality": municipality, "provider": provider, "segment": segment, "plekken": plekken,
                     "max_in_zorg": peak, "mean_in_zorg": float(in_care.mean()),
                     "bezettingsgraad": float(in_care.mean() / plekken) if plekken else float("nan")})
        if provider in providers and segment in providers[provider]["segments"] and plekken > 0:
            providers[provider].setdefault("plekken", {}).setdefault(municipality, {})[segment] = int(plekken)
            comments[("providers", provider, "plekken", municipality, segment)] = (
                f"from the base scenario; occupancy {in_care.mean() / plekken:.1%}" if base_plekken is not None else
                f"max trajecten in care at once with bekostiging plek ({len(grp)} trajecten; a lower bound of "
                f"plekken bought); mean occupancy {in_care.mean() / max(peak, 1):.1%}")
    inputs.report.plekken = pd.DataFrame(rows)
