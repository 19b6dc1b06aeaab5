"""Notebook 06: spend per domain and year of scenario variants through the payment rules, on common
random numbers; the measures' doorlooptijd factors calibrated on the note's lower growth; the
reconciliation with note 004's 2025 totals."""
from __future__ import annotations

from typing import Callable

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.summaries import band
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.runner import simulate
from simulation.funding.payments import compute_payments
from simulation.report.labels import euro, number

# 004 par. 6: total cost of youth, Wmo and participatie in 2025 ("ruim": a little more than), and footnote 3:
# by 2025 costs rise 2 points less fast for Wmo and 1.5 for youth
NOTE_2025 = {"without measures": 140e6, "with measures": 134e6}
NOTE_GROWTH = {"jeugd": 0.05, "wmo": 0.03}          # 004 par. 6 footnote 2 (mean 2017-2019)
NOTE_REDUCTION = {"jeugd": 0.015, "wmo": 0.02}      # 004 par. 6 footnote 3
NOTE_SCOPE = ("maatwerkvoorzieningen jeugd, Wmo en participatie, incl. PGB en algemene voorzieningen, "
              "excl. Beschermd Wonen (004 par. 6)")
NOTE_ROW, RATES_ROW, MODEL_ROW = "nota 004 par. 6", "tarieven van de nota op de segmenten van het model", "model"


class ProjectionError(ValueError):
    """A scenario the projection cannot price; the message says what to add."""


def payment_spend(variants: dict, seed: int, replications: int, workers: int = 1) -> pd.DataFrame:
    """Spend and unique clients per variant, replication, year and domain (plus domain 'total').

    Spend is what the scenario's funding contracts pay for the year (``compute_payments``: the final
    amount per contract-year, nominal: the contract prices of each year), by the domain of the
    contract's segment. A scenario without contracts is refused (no fallback)."""
    frames = []
    for name, raw in variants.items():
        scenario = scenario_from_dict(raw, source=name)
        if scenario.funding is None or not scenario.funding.contracts:
            raise ProjectionError(
                f"{name}: the scenario has no funding contracts, so no spend comes from the payment rules; add a "
                "`funding:` section with contracts for the simulated segments (see docs/funding.md)")
        res = simulate(scenario, seed=seed, replications=replications, workers=workers)
        fund = compute_payments(scenario, events=res.events)
        fin = fund.finals
        segment = [scenario.funding.contracts[i].segment for i in fin["contract"]]
        spend = fin.assign(domain=[scenario.segments[s].domain for s in segment]).groupby(
            ["replication", "year", "domain"], as_index=False)["final"].sum().rename(columns={"final": "uitgaven"})
        k = kpis(res.events, scenario, by=["segment"])
        k["domain"] = k["segment"].astype(str).map({s: v.domain for s, v in scenario.segments.items()})
        clients = k.groupby(["replication", "year", "domain"], as_index=False)["unieke_clienten"].sum()
        frames.append(clients.merge(spend, on=["replication", "year", "domain"], how="left").fillna(
            {"uitgaven": 0.0}).assign(variant=name))
    per_rep = pd.concat(frames, ignore_index=True)
    columns = ["uitgaven", "unieke_clienten"]
    total = per_rep.groupby(["variant", "replication", "year"], as_index=False)[columns].sum()
    return pd.concat([per_rep, total.assign(domain="total")], ignore_index=True)


def unpaid_segments(raw: dict) -> list[str]:
    """The scenario's segments that no funding contract pays (their spend is missing from the totals)."""
    paid = {c["segment"] for c in (raw.get("funding") or {}).get("contracts", [])}
    return [s for s in raw["segments"] if s not in paid]


def projection_bands(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Spend per variant, domain and year: mean, 95% CI and range over replications."""
    return per_rep.groupby(["variant", "domain", "year"])["uitgaven"].apply(band).unstack().reset_index()


def paired_difference(per_rep: pd.DataFrame, variant: str, reference: str) -> pd.DataFrame:
    """Total spend of ``variant`` minus ``reference`` per year, paired per replication: mean, 95% CI, range."""
    w = per_rep[per_rep["domain"] == "total"].pivot_table(index=["replication", "year"], columns="variant",
                                                          values="uitgaven")
    return (w[variant] - w[reference]).groupby(level="year").apply(band).unstack().reset_index()


def growth_reduction(per_rep: pd.DataFrame, variant: str, reference: str, first: int, last: int) -> pd.DataFrame:
    """Per domain: the mean annual spend growth ``first``..``last`` of both variants and how many points
    lower it is with ``variant``, paired per replication (mean, 95% CI), nominal."""
    w = per_rep.pivot_table(index=["domain", "replication"], columns=["variant", "year"], values="uitgaven")
    n = last - first
    growth = {v: (w[(v, last)] / w[(v, first)]) ** (1 / n) - 1 for v in (reference, variant)}
    rows = []
    for domain, g in pd.DataFrame(growth).groupby(level="domain"):
        d = band(g[reference] - g[variant])
        rows.append({"domain": domain, f"growth_{reference}": g[reference].mean(),
                     f"growth_{variant}": g[variant].mean(), "reduction_points": 100 * d["gem"],
                     "reduction_ci_low": 100 * d["ci_laag"], "reduction_ci_high": 100 * d["ci_hoog"]})
    return pd.DataFrame(rows)


def yearly_growth(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Nominal spend growth on the year before, per variant, domain and year (of the mean over replications)."""
    m = per_rep.groupby(["variant", "domain", "year"])["uitgaven"].mean()
    return (m / m.groupby(level=["variant", "domain"]).shift(1) - 1).dropna().rename("growth").reset_index()


def calibrate_measures(base: dict, build: Callable[[dict], dict], targets: dict, seed: int, replications: int,
                       workers: int = 1, *, first: int, last: int, tol: float = 0.1, max_iter: int = 5,
                       bounds: tuple[float, float] = (0.5, 1.0)) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Doorlooptijd factors per domain for which the spend growth ``first``..``last`` with the measures is
    ``targets[domain]`` (a share, e.g. 0.015) lower a year than without them, by secant steps.

    ``build(factors)`` returns the scenario with the measures at those factors. Returns the factors,
    the per-replication spend of both variants at them, and the history of the steps (factor and
    measured reduction per domain). A factor stuck at a bound means the target cannot be reached by
    shorter doorlooptijden under these payment rules (e.g. a fixed tariff per traject or a fixed budget
    does not pay less for a shorter traject): the history shows it."""
    auto = payment_spend({"autonomous": base}, seed, replications, workers)
    factors = {d: 1.0 for d in targets}
    last_step: dict = {}
    history = []
    for step in range(max_iter):
        per_rep = pd.concat([auto, payment_spend({"with measures": build(factors)}, seed, replications, workers)],
                            ignore_index=True)
        red = growth_reduction(per_rep, "with measures", "autonomous", first, last).set_index("domain")
        got = {d: float(red.loc[d, "reduction_points"]) if d in red.index else np.nan for d in targets}
        history += [{"step": step, "domain": d, "doorlooptijd_factor": factors[d], "reduction_points": got[d],
                     "target_points": 100 * targets[d]} for d in targets]
        if all(abs(got[d] - 100 * targets[d]) <= tol for d in targets if not np.isnan(got[d])):
            break
        new = {}
        for d in targets:
            f, r = factors[d], got[d]
            if np.isnan(r):
                new[d] = f
                continue
            f0, r0 = last_step.get(d, (None, None))
            slope = (r - r0) / (f - f0) if f0 is not None and f != f0 else -40.0   # first guess: -0.4 point per 1%
            new[d] = f if slope >= 0 else float(np.clip(f + (100 * targets[d] - r) / slope, *bounds))
            last_step[d] = (f, r)
        if new == factors:
            break
        factors = new
    return factors, per_rep, pd.DataFrame(history)


def scope_2019(ref_2019: pd.DataFrame, segments) -> pd.DataFrame:
    """2019 spend per domain of the given segments (004 par. 6), and the note's rates grown to 2025."""
    ref = ref_2019.set_index("segment").loc[list(segments)]
    out = ref.groupby("domain")["cost_eur_2019"].sum().rename("spend_2019").to_frame()
    return out


def reconciliation(per_rep: pd.DataFrame, ref_2019: pd.DataFrame, segments, year: int) -> pd.DataFrame:
    """The model's ``year`` totals with and without the measures next to the note's > EUR 140 M / ~134 M,
    with what each covers and the part of the note's scope the model's segments make up."""
    m = per_rep[per_rep["domain"] == "total"].groupby(["variant", "year"])["uitgaven"].mean()
    spend19 = scope_2019(ref_2019, segments)["spend_2019"]
    n = year - 2019
    # the note's own arithmetic on the model's segments: 2019 spend x its rates; with measures the
    # reductions from 2023 (004 par. 6 footnotes 2 and 3), without lag
    rate_only = sum(v * (1 + NOTE_GROWTH[d]) ** n for d, v in spend19.items())
    rate_measures = sum(v * (1 + NOTE_GROWTH[d]) ** min(n, 2023 - 2019)
                        * (1 + NOTE_GROWTH[d] - NOTE_REDUCTION[d]) ** max(0, year - 2023) for d, v in spend19.items())
    total19 = float(spend19.sum())
    # the note gives no 2019 total for its wider scope: the range implied by its 2025 figure, grown at
    # Wmo's 3% (largest base) or youth's 5% (smallest base) from 2019
    implied = [NOTE_2025["without measures"] / (1 + g) ** (2025 - 2019) for g in (0.03, 0.05)]
    cover = (f"2019: {euro(total19, million=True)} in de segmenten van het model (004 par. 6); de reikwijdte van de "
             f"nota is voor 2019 niet gegeven; haar cijfer voor 2025, teruggerekend met 3-5% per jaar, geeft "
             f"{euro(implied[1], million=True, decimals=0)} tot {euro(implied[0], million=True, decimals=0)}, dus de "
             f"segmenten van het model zijn ongeveer {number(100 * total19 / implied[0])}-"
             f"{number(100 * total19 / implied[1])}% daarvan")
    rows = [
        {"source": NOTE_ROW, "covers": NOTE_SCOPE, "year": 2025,
         "without_measures": NOTE_2025["without measures"], "with_measures": NOTE_2025["with measures"],
         "basis": "de raming van de nota (beide cijfers 'ruim')"},
        {"source": RATES_ROW, "covers": "maatwerk in natura, gesimuleerde segmenten jeugd en Wmo "
         "(uitgaven 2019, 004 par. 6)", "year": year, "without_measures": rate_only,
         "with_measures": rate_measures, "basis": "uitgaven 2019 x 5% / 3% per jaar; met maatregelen 1,5 / 2 "
                                                  "procentpunt minder vanaf 2023; zonder vertraging"},
        {"source": MODEL_ROW, "covers": "maatwerk in natura, gesimuleerde segmenten jeugd en Wmo, betaald door de "
         "bekostigingscontracten", "year": year, "without_measures": m.get(("autonomous", year), np.nan),
         "with_measures": m.get(("with measures", year), np.nan),
         "basis": "betaalregels (compute_payments), gemiddelde over replicaties, nominaal"},
    ]
    table = pd.DataFrame(rows)
    table["difference"] = table["with_measures"] - table["without_measures"]
    table["difference_pct"] = 100 * table["difference"] / table["without_measures"]
    table.attrs["coverage"] = cover
    return table
