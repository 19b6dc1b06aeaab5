"""Funding variants priced from a pilot run (notebooks 03, 04, 07): contracts at the same expected volume."""
from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.analysis.kpis import traject_table, year_bounds
from simulation.funding.payments import compute_payments
from simulation.report.helpers import concurrent_load, contracts_for

PILOT_REPLICATIONS = 5


def plekken_overlay(scenario, municipalities, segment: str, tariffs: dict, n_plekken: dict, default: dict,
                    factor: float = 1.0) -> dict:
    """Overlay with a plekken contract per municipality x provider (``n_plekken[(m, p)]``, else ``default``);
    ``factor`` != 1 adds the behaviour doorlooptijd_factor (an assumption)."""
    behaviour = {"doorlooptijd_factor": factor, "source": "aanname: doorlooptijd sweep (note 004 par. 8 example)"}
    return {"funding": {"contracts": contracts_for(
        scenario, municipalities, segment, "plekken", tariffs=tariffs,
        plekken=lambda m, p: n_plekken.get((m, p), default),
        **({"behaviour": behaviour} if factor != 1 else {}))}}


def pilot_volumes(pilot_sc, pilot_events: pd.DataFrame, base_sc, municipality: str, segment: str):
    """From a pilot run of the traject variant: spend per (provider, year), unique clients per (provider, year)
    (mean over the pilot replications) and the concurrent load of ``municipality`` per provider and year."""
    fund = compute_payments(pilot_sc, events=pilot_events)
    fin = fund.finals.assign(provider=[pilot_sc.funding.contracts[i].provider for i in fund.finals["contract"]])
    spend_pp = fin.groupby(["provider", "year"])["final"].mean()           # EUR per provider per year
    tr = traject_table(pilot_events)
    tr = tr[(tr["municipality"].astype(str) == municipality) & (tr["segment"].astype(str) == segment)]
    clients_pp = {}
    for year, lo, hi in year_bounds(base_sc):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)]
        n = in_year.drop_duplicates(["replication", "provider", "client"]).groupby(
            in_year["provider"].astype(str)).size()
        for p, v in (n / PILOT_REPLICATIONS).items():
            clients_pp[(p, year)] = float(v)
    load = concurrent_load(pilot_events, base_sc, segment)
    return spend_pp, clients_pp, load[load["municipality"] == municipality]


def variant_fields(types: dict, tariffs: dict, hourly: dict, years, spend_pp, clients_pp, load: pd.DataFrame,
                   target_bezetting: float, budget_band: float, population_band: float,
                   plafond_factor: float) -> dict:
    """Contract fields of each bekostiging variant, priced at the pilot volume (notebook 04's table)."""
    def per_year(frame_or_dict, p, f=lambda v: v):
        return {int(y): f(frame_or_dict[(p, y)]) for y in years if (p, y) in frame_or_dict}

    realisation = {"basis": "traject", "tariffs": tariffs}
    months = {n: t.planned_doorlooptijd / (365.25 / 12) for n, t in types.items()}
    return {
        "traject": dict(tariffs=tariffs),
        "pxq": dict(unit_price=hourly, unit="uur"),
        "output_monthly": dict(monthly_tariffs={n: tariffs[n] / months[n] for n in types}),
        "plekken": dict(tariffs=tariffs, plekken=lambda m, p: {
            int(y): max(1, int(np.ceil(v / target_bezetting)))
            for y, v in load[load["provider"] == p].set_index("year")["load"].items()} or 1),
        "budget": dict(budget=lambda m, p: per_year(spend_pp, p), band=budget_band,
                       settlement="whole", realisation=realisation),
        "plafond": dict(ceiling=lambda m, p: per_year(spend_pp, p, lambda v: v * plafond_factor),
                        realisation=realisation),
        "lumpsum": dict(amount=lambda m, p: per_year(spend_pp, p)),
        "population": dict(per_client=lambda m, p: float(np.mean([spend_pp[(p, y)] / clients_pp[(p, y)]
                                                                  for y in years])),
                           expected_clients=lambda m, p: per_year(clients_pp, p), band=population_band,
                           settlement="whole", realisation=realisation),
    }
