"""Notebook 02: the first simulated year per segment against the 2019 figures grown to that year."""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import kpis
from simulation.analysis.stats import t_interval
from simulation.funding.payments import compute_payments


def segment_spend(scenario, events: pd.DataFrame, k: pd.DataFrame, cost_per_count: pd.Series,
                  year: int) -> tuple[pd.DataFrame, set]:
    """Spend per replication and segment in ``year``: the funding rules where contracts exist, else the
    fallback unique clients x 2019 cost per count; and the segments paid by the funding rules."""
    spend_rules = pd.DataFrame(columns=["replication", "segment", "spend"])
    contract_segments = set()
    if scenario.funding is not None and scenario.funding.contracts:
        fund = compute_payments(scenario, events=events)
        fin = fund.finals[fund.finals["year"] == year]
        fin = fin.assign(segment=[scenario.funding.contracts[i].segment for i in fin["contract"]])
        spend_rules = fin.groupby(["replication", "segment"], as_index=False)["final"].sum().rename(
            columns={"final": "spend"})
        contract_segments = set(spend_rules["segment"])
    per_rep = k[["replication", "segment", "unieke_clienten"]].copy()
    per_rep["segment"] = per_rep["segment"].astype(str)
    per_rep["fallback"] = per_rep["unieke_clienten"] * per_rep["segment"].map(cost_per_count)
    per_rep = per_rep.merge(spend_rules, on=["replication", "segment"], how="left")
    per_rep["spend"] = np.where(per_rep["segment"].isin(contract_segments), per_rep["spend"], per_rep["fallback"])
    return per_rep, contract_segments


def calibration_table(scenario, events: pd.DataFrame, ref_2019: pd.DataFrame) -> tuple[pd.DataFrame, set]:
    """Per segment: clients and spend of the first simulated year against the 2019 figures grown to it
    (by each segment's instroom growth), with the error in %; and the segments paid by the funding rules."""
    first_year = scenario.years[0]
    k = kpis(events, scenario, by=["segment"])
    k = k[k["year"] == first_year]
    ref = ref_2019.set_index("segment").loc[list(scenario.segments)]
    growth = pd.Series({s: seg.instroom.growth for s, seg in scenario.segments.items()})
    base_year = pd.Series({s: seg.instroom.base_year for s, seg in scenario.segments.items()})
    grown = (1 + growth) ** (first_year - base_year)
    clients = k.groupby("segment", observed=True)["unieke_clienten"].agg(["mean", "std"]).reindex(
        list(scenario.segments))
    cost_per_count = ref["cost_eur_2019"] / ref["count_2019"]          # EUR per client, 2019 prices
    per_rep, contract_segments = segment_spend(scenario, events, k, cost_per_count, first_year)
    spend = per_rep.groupby("segment")["spend"].agg(["mean", "std"]).reindex(list(scenario.segments))
    table = pd.DataFrame({
        "domain": ref["domain"],
        "description": ref["description"],
        "clients_2019": ref["count_2019"],
        f"clients_target_{first_year}": (ref["count_2019"] * grown).round(0),
        f"clients_model_{first_year}": clients["mean"].round(1),
        "clients_model_sd": clients["std"].round(1),
        "spend_2019_eur": ref["cost_eur_2019"],
        f"spend_target_{first_year}_eur": (ref["cost_eur_2019"] * grown).round(0),
        f"spend_model_{first_year}_eur": spend["mean"].round(0),
        "spend_basis": ["bekostigingsregels" if s in contract_segments
                        else "terugval: cliënten x kosten per telling 2019" for s in scenario.segments],
    })
    clients_model, clients_target = table[f"clients_model_{first_year}"], table[f"clients_target_{first_year}"]
    spend_model, spend_target = table[f"spend_model_{first_year}_eur"], table[f"spend_target_{first_year}_eur"]
    table["clients_error_pct"] = (100 * (clients_model / clients_target - 1)).round(1)
    table["spend_error_pct"] = (100 * (spend_model / spend_target - 1)).round(1)
    table = table.reset_index()
    # the total over segments per replication, for the answer's 95% interval
    table.attrs["spend_total_ci"] = t_interval(per_rep.groupby("replication")["spend"].sum())
    return table, contract_segments
