"""Notebook 06: spend per domain and year of scenario variants, on common random numbers."""
from __future__ import annotations

import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.summaries import band
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.runner import simulate


def fallback_spend(variants: dict, ref_2019: pd.DataFrame, seed: int, replications: int,
                   workers: int = 1) -> pd.DataFrame:
    """Spend and unique clients per variant, replication, year and domain (plus domain 'total'), with spend the
    documented fallback: unique clients per segment x the segment's 2019 cost per count (``ref_2019`` by segment)."""
    cost_per_count = ref_2019["cost_eur_2019"] / ref_2019["count_2019"]
    frames = []
    for name, raw in variants.items():
        scenario = scenario_from_dict(raw, source=name)
        res = simulate(scenario, seed=seed, replications=replications, workers=workers)
        k = kpis(res.events, scenario, by=["segment"])
        k["segment"] = k["segment"].astype(str)
        k["uitgaven"] = k["unieke_clienten"] * k["segment"].map(cost_per_count)
        k["domain"] = k["segment"].map(ref_2019["domain"])
        frames.append(k.assign(variant=name))
    k = pd.concat(frames, ignore_index=True)
    columns = ["uitgaven", "unieke_clienten"]
    per_rep = k.groupby(["variant", "replication", "year", "domain"], as_index=False)[columns].sum()
    total = per_rep.groupby(["variant", "replication", "year"], as_index=False)[columns].sum()
    total["domain"] = "total"
    return pd.concat([per_rep, total], ignore_index=True)


def projection_bands(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Spend per variant, domain and year: mean, 95% CI and range over replications."""
    return per_rep.groupby(["variant", "domain", "year"])["uitgaven"].apply(band).unstack().reset_index()


def paired_difference(per_rep: pd.DataFrame, variant: str, reference: str) -> pd.DataFrame:
    """Total spend of ``variant`` minus ``reference`` per year, paired per replication: mean, 95% CI, range."""
    w = per_rep[per_rep["domain"] == "total"].pivot_table(index=["replication", "year"], columns="variant",
                                                          values="uitgaven")
    return (w[variant] - w[reference]).groupby(level="year").apply(band).unstack().reset_index()
