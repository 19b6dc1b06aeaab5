"""Funding variants priced from a pilot run (notebooks 03, 04, 07): contracts at the same expected volume."""
from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.analysis.kpis import traject_table, year_bounds
from simulation.funding.payments import compute_payments
from simulation.report.helpers import concurrent_load, contracts_for, spend_verdict

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


PER_MUNICIPALITY = ["uitgaven", "kosten_per_client", "wacht_dagen_gem", "bezettingsgraad", "terugbetaalde_plekdagen",
                    "clienten_per_plek", "clienten_equivalent"]


def per_municipality(summary: pd.DataFrame, year: int, reference: str = "trajecten",
                     variant: str = "plekken") -> pd.DataFrame:
    """Per municipality in ``year``: each measure under both variants (columns measure_variant), the paired
    difference of spend, wait and cost per client with its 95% CI, and the spend verdict."""
    s = summary
    wide = s[(s["variant"].isin([reference, variant])) & (s["year"] == year) & s["measure"].isin(PER_MUNICIPALITY)]
    table = wide.pivot_table(index="municipality", columns=["measure", "variant"], values="gem")
    table.columns = [f"{m}_{v}" for m, v in table.columns]
    diff = s[(s["variant"] == variant) & (s["year"] == year)
             & s["measure"].isin(["uitgaven", "wacht_dagen_gem", "kosten_per_client"])]
    diff = diff.pivot_table(index="municipality", columns="measure",
                            values=["verschil_gem", "verschil_ci_laag", "verschil_ci_hoog"])
    diff.columns = [f"{m}_{v}" for v, m in diff.columns]
    table = table.join(diff).reset_index()
    table = table.dropna(axis=1, how="all")
    table["uitgaven_oordeel"] = [spend_verdict(lo, hi) for lo, hi in zip(table["uitgaven_verschil_ci_laag"],
                                                                       table["uitgaven_verschil_ci_hoog"])]
    return table


def variant_summary(cmp, municipality: str, variants: list[str]) -> pd.DataFrame:
    """Per variant and year for ``municipality``: spend (mean, sd, cv), P(over budget), settlement, provider
    margin and its risk, wait and clients, over the replications of a ``compare`` result."""
    pr = cmp.per_replication[cmp.per_replication["municipality"] == municipality]
    pred = cmp.predictability[cmp.predictability["municipality"] == municipality]
    agg = pr.groupby(["variant", "year"]).agg(
        uitgaven_gem=("uitgaven", "mean"), uitgaven_sd=("uitgaven", "std"),
        verrekening_gem=("verrekening", "mean"), verrekening_abs_max=("verrekening", lambda x: x.abs().max()),
        marge_gem=("marge_aanbieders", "mean"), marge_sd=("marge_aanbieders", "std"),
        marge_min=("marge_aanbieders", "min"), p_marge_negatief=("marge_aanbieders", lambda x: (x < 0).mean()),
        wacht_dagen_gem=("wacht_dagen_gem", "mean"), unieke_clienten=("unieke_clienten", "mean")).reset_index()
    agg = agg.merge(pred[["variant", "year", "budget", "kans_boven_budget"]], on=["variant", "year"])
    agg["uitgaven_cv_pct"] = 100 * agg["uitgaven_sd"] / agg["uitgaven_gem"]
    agg["variant"] = pd.Categorical(agg["variant"], categories=variants)
    return agg.sort_values(["year", "variant"])
