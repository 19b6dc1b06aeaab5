"""Notebook 09: the same clients (Noord-Limburg's, common random numbers) under each region's funding design.

A design is a funding overlay in ``params/designs/*.yaml`` (``funding: {contracts: [...]}``, the format of
params/variants/*.yaml) that applies a region's design to Noord-Limburg's clients. Every design, and
Noord-Limburg's own funding as the reference, runs on the same scenario cut to the chosen segments, with
one provider cost model for all (so margins compare), through ``experiment.compare``.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import yaml

from simulation.analysis.tables import traject_table
from simulation.config.sources import ASSUMPTION_RE  # noqa: F401  (re-exported)
from simulation.core.calendar import year_bounds
from simulation.experiment.compare import compare, load_variant
from simulation.report.helpers import scenario_tariffs
from simulation.report.labels import name as display_name
from simulation.report.notebooks import ROOT

REFERENCE = "noord-limburg (eigen bekostiging)"
SOURCE_RE = re.compile(r"\b00[0-4]\b|par\. ?\d|annex|bijlage|the default's", re.I)
NUMBER_RE = re.compile(r":\s*\{?\s*-?\d")


def design_files(folder) -> dict[str, Path]:
    """name (file stem) -> path of every ``*.yaml`` design overlay in ``folder``, sorted by name."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.yaml"))}


def fit_overlay(overlay: dict, base: dict) -> dict:
    """The overlay's contracts that fit the (cut) base scenario: known segment, municipalities and a provider
    serving the segment; provider_costs of providers in the base. Other override keys are kept."""
    out = {k: v for k, v in overlay.items() if k != "funding"}
    funding = overlay.get("funding") or {}
    muns = set(base["municipalities"])
    serves = {(p, s) for p, v in base["providers"].items() for s in v["segments"]}

    def fits(c: dict) -> bool:
        covered = c.get("municipalities")
        covered = muns if covered == "all" else set(covered or [c["municipality"]])
        return c["segment"] in base["segments"] and covered <= muns and (c["provider"], c["segment"]) in serves

    out["funding"] = {"contracts": [c for c in funding.get("contracts", []) if fits(c)],
                      "provider_costs": {p: v for p, v in (funding.get("provider_costs") or {}).items()
                                         if p in base["providers"]}}
    return out


def provider_costs(sc, cost_share: float) -> dict:
    """One cost model for every design: ``cost_share`` x the segment's rate per unit of care (the default's
    tariffs per planned unit, params/derive_funding.py) per delivered unit, per provider and segment."""
    rates = {}
    for s, seg in sc.segments.items():
        tariffs = scenario_tariffs(sc, s)
        name, t = next(iter(seg.traject_types.items()))
        rates[s] = tariffs[name] / (t.weight * t.planned_doorlooptijd / 7)
    return {p: {"cost_per_unit": {s: round(cost_share * rates[s], 2) for s in v.segments}}
            for p, v in sc.providers.items()}


def _variants(contracts: list) -> str:
    """The variants of ``contracts`` by their display names, sorted."""
    return ", ".join(sorted({display_name("variant", c["variant"]) for c in contracts}))


def _project_file(path) -> str:
    """``path`` as a reader finds it in the project (params/designs/zwolle.yaml), not this machine's folder."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(path)


def design_overlays(base: dict, designs: dict[str, Path], costs: dict) -> tuple[dict, pd.DataFrame]:
    """Overlays for ``compare``: the reference (the base's own contracts) first, then every design that keeps at
    least one contract on the cut scenario; and a table of what each design covers (contracts and variants)."""
    own = base.get("funding") or {}
    overlays = {REFERENCE: {"funding": {"contracts": own.get("contracts", []), "provider_costs": costs}}}
    rows = [{"ontwerp": REFERENCE, "bestand": "params/noord-limburg.yaml", "contracten": len(own.get("contracts", [])),
             "varianten": _variants(own.get("contracts", []))}]
    for name, path in designs.items():
        fitted = fit_overlay(load_variant(path), base)
        contracts = fitted["funding"]["contracts"]
        rows.append({"ontwerp": name, "bestand": _project_file(path), "contracten": len(contracts),
                     "varianten": _variants(contracts)})
        if contracts:
            fitted["funding"]["provider_costs"] = costs
            overlays[name] = fitted
    return overlays, pd.DataFrame(rows)


def run_designs(base: dict, overlays: dict, replications: int, seed: int, workers: int = 1):
    """``compare`` over the overlays on common random numbers, keeping every design's event log."""
    return compare(base, overlays, replications=replications, seed=seed, reference=REFERENCE, workers=workers,
                   keep_events=True)


def _flow(cmp, name: str) -> pd.DataFrame:
    """Per replication x year x segment: mean wait of new trajecten, closed trajecten and afschalingen."""
    sc = cmp.scenarios[name]
    tr = traject_table(cmp.events[name])
    tr["segment"] = tr["segment"].astype(str)
    reden = tr["reden"].astype(str)
    frames = []
    for year, lo, hi in year_bounds(sc):
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"].astype(bool) & ~tr["beginstand"].astype(bool)]
        closed = tr[(tr["stop"] >= lo) & (tr["stop"] < hi) & (reden != "einde_horizon")]
        g = pd.concat([new.groupby(["replication", "segment"])["wacht_dagen"].agg(wacht_som="sum", nieuw="size"),
                       closed.groupby(["replication", "segment"]).size().rename("afgesloten"),
                       closed[reden[closed.index] == "afschaling"].groupby(["replication", "segment"]).size()
                       .rename("afschalingen")], axis=1).fillna(0.0)
        frames.append(g.reset_index().assign(year=year))
    return pd.concat(frames, ignore_index=True)


def _spend(cmp, name: str) -> pd.DataFrame:
    pay = cmp.payments[name]
    return (pay.assign(segment=pay["segment"].astype(str)).groupby(["replication", "year", "segment"], as_index=False)
            ["amount"].sum().rename(columns={"amount": "uitgaven"}))


def per_segment(cmp) -> pd.DataFrame:
    """Per design x replication x year x segment: spend, new trajecten and their wait, closed trajecten and
    afschalingen to the voorliggend veld."""
    out = []
    for name in cmp.payments:
        f = _flow(cmp, name).merge(_spend(cmp, name), on=["replication", "year", "segment"], how="outer")
        out.append(f.fillna(0.0).assign(ontwerp=name))
    return pd.concat(out, ignore_index=True)


def region_summary(cmp, seg: pd.DataFrame) -> pd.DataFrame:
    """Per design x year for the region: spend (mean, sd, cv), P(spend > budget) with the budget = the
    reference's mean spend, provider margin (mean, sd, P(< 0)), mean wait, bezetting, afschaling share."""
    pr = cmp.per_replication
    reg = pr.groupby(["variant", "replication", "year"]).agg(
        marge=("marge_aanbieders", lambda x: x.sum(min_count=1)), bezetting=("bezettingsgraad", "mean")).reset_index()
    s = seg.groupby(["ontwerp", "replication", "year"])[["uitgaven", "wacht_som", "nieuw", "afgesloten",
                                                         "afschalingen"]].sum().reset_index()
    s = s.merge(reg.rename(columns={"variant": "ontwerp"}), on=["ontwerp", "replication", "year"], how="left")
    s["wacht_dagen_gem"] = s["wacht_som"] / s["nieuw"].replace(0, np.nan)
    s["aandeel_afschaling"] = s["afschalingen"] / s["afgesloten"].replace(0, np.nan)
    budget = s[s["ontwerp"] == REFERENCE].groupby("year")["uitgaven"].mean()
    s["boven_budget"] = s["uitgaven"] > s["year"].map(budget)
    agg = s.groupby(["ontwerp", "year"], sort=False).agg(
        uitgaven_gem=("uitgaven", "mean"), uitgaven_sd=("uitgaven", "std"), kans_boven_budget=("boven_budget", "mean"),
        marge_gem=("marge", "mean"), marge_sd=("marge", "std"), p_marge_negatief=("marge", lambda x: (x < 0).mean()),
        wacht_dagen_gem=("wacht_dagen_gem", "mean"), bezettingsgraad=("bezetting", "mean"),
        aandeel_afschaling=("aandeel_afschaling", "mean"), afschalingen=("afschalingen", "mean")).reset_index()
    agg["uitgaven_cv"] = agg["uitgaven_sd"] / agg["uitgaven_gem"]
    agg["budget"] = agg["year"].map(budget)
    return agg


def segment_summary(seg: pd.DataFrame) -> pd.DataFrame:
    """Per design x segment over all replication-years: spend (mean, cv), mean wait, afschaling share."""
    g = seg.groupby(["ontwerp", "segment"], sort=False)
    out = g.agg(uitgaven_gem=("uitgaven", "mean"), uitgaven_sd=("uitgaven", "std"), wacht_som=("wacht_som", "sum"),
                nieuw=("nieuw", "sum"), afgesloten=("afgesloten", "sum"), afschalingen=("afschalingen", "sum")).reset_index()
    out["uitgaven_cv"] = out["uitgaven_sd"] / out["uitgaven_gem"].replace(0, np.nan)
    out["wacht_dagen_gem"] = out["wacht_som"] / out["nieuw"].replace(0, np.nan)
    out["aandeel_afschaling"] = out["afschalingen"] / out["afgesloten"].replace(0, np.nan)
    return out.drop(columns=["wacht_som"])


def suits(segments: pd.DataFrame, wait_slack_days: float = 5.0, wait_slack_share: float = 0.10) -> pd.DataFrame:
    """Per segment the design that suits it: the lowest spread of spend (cv) among the designs whose mean wait
    is within max(``wait_slack_days``, ``wait_slack_share`` x best) of the shortest, then the lowest spend."""
    rows = []
    for s, g in segments.groupby("segment", sort=False):
        wait = g["wacht_dagen_gem"].fillna(0.0)
        ok = g[wait <= wait.min() + max(wait_slack_days, wait_slack_share * wait.min())]
        best = ok.sort_values(["uitgaven_cv", "uitgaven_gem"], na_position="last").iloc[0]
        rows.append({"segment": s, "ontwerp": best["ontwerp"], "uitgaven_cv": best["uitgaven_cv"],
                     "wacht_dagen_gem": best["wacht_dagen_gem"], "uitgaven_gem": best["uitgaven_gem"],
                     "kortste_wacht": g.loc[wait.idxmin(), "ontwerp"], "laagste_uitgaven": g.loc[g["uitgaven_gem"].idxmin(), "ontwerp"]})
    return pd.DataFrame(rows)


def source_audit(files: dict[str, Path]) -> pd.DataFrame:
    """Per file: lines with a number that name a document source (004 par. ..., annex, the default's derived
    price), that are labelled an assumption, or that carry neither."""
    rows = []
    for name, path in files.items():
        text = Path(path).read_text(encoding="utf-8")
        yaml.safe_load(text)   # a file that does not parse fails here, with its name in the traceback
        counts = {"bron": 0, "aanname": 0, "geen": 0}
        for line in text.splitlines():
            if line.lstrip().startswith("#") or not NUMBER_RE.search(line):
                continue
            counts["aanname" if ASSUMPTION_RE.search(line) else "bron" if SOURCE_RE.search(line) else "geen"] += 1
        total = sum(counts.values())
        rows.append({"ontwerp": name, "regels_met_getal": total, **counts,
                     "aandeel_aanname": counts["aanname"] / total if total else np.nan})
    return pd.DataFrame(rows)
