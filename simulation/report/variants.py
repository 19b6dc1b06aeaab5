"""Funding variants priced from a pilot run (notebooks 03, 04, 07): contracts at the same expected volume."""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.kpis import traject_table, year_bounds
from simulation.analysis.stats import t_interval
from simulation.config.scenario import scenario_from_dict
from simulation.funding.commitments import plafond_commitments
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
    """Per variant and year for ``municipality``: spend (mean, its 95% interval from ``cmp.summary``, sd, cv),
    P(over budget), settlement, provider margin and its risk, wait and clients, over the replications of a
    ``compare`` result."""
    pr = cmp.per_replication[cmp.per_replication["municipality"] == municipality]
    pred = cmp.predictability[cmp.predictability["municipality"] == municipality]
    agg = pr.groupby(["variant", "year"]).agg(
        uitgaven_gem=("uitgaven", "mean"), uitgaven_sd=("uitgaven", "std"),
        verrekening_gem=("verrekening", "mean"), verrekening_abs_max=("verrekening", lambda x: x.abs().max()),
        marge_gem=("marge_aanbieders", "mean"), marge_sd=("marge_aanbieders", "std"),
        marge_min=("marge_aanbieders", "min"), p_marge_negatief=("marge_aanbieders", lambda x: (x < 0).mean()),
        wacht_dagen_gem=("wacht_dagen_gem", "mean"), unieke_clienten=("unieke_clienten", "mean")).reset_index()
    agg = agg.merge(pred[["variant", "year", "budget", "kans_boven_budget"]], on=["variant", "year"])
    s = cmp.summary
    ci = s[(s["municipality"] == municipality) & (s["measure"] == "uitgaven")]
    agg = agg.merge(ci[["variant", "year", "ci_laag", "ci_hoog"]].rename(
        columns={"ci_laag": "uitgaven_ci_laag", "ci_hoog": "uitgaven_ci_hoog"}), on=["variant", "year"], how="left")
    agg["uitgaven_cv_pct"] = 100 * agg["uitgaven_sd"] / agg["uitgaven_gem"]
    agg["variant"] = pd.Categorical(agg["variant"], categories=variants)
    return agg.sort_values(["year", "variant"], ignore_index=True)


# The payment conventions of a traject tariff (docs/funding.md, "traject"): name -> contract fields.
CONVENTIONS = {
    "standaard: verlenging inbegrepen, step-down lichter tarief, uitval alleen start, beginstand niet": {},
    "verlenging betaald als nieuw traject": {"verlenging": "nieuw_traject"},
    "step-down inbegrepen in het eerste tarief": {"step_down": "inbegrepen"},
    "uitval naar rato van de doorlooptijd": {"uitval": "naar_rato"},
    "uitval volledig betaald": {"uitval": "volledig"},
    "beginstand naar rato betaald (overgang van PxQ)": {"beginstand": "naar_rato"},
    "beginstand volledig betaald": {"beginstand": "volledig"},
    "regels tot december 2026 (verlenging nieuw traject, uitval volledig)":
        {"verlenging": "nieuw_traject", "uitval": "volledig"},
}


def _spend(scenario, events: pd.DataFrame, year: int) -> pd.DataFrame:
    pay = compute_payments(scenario, events=events).payments
    pay = pay[pay["year"] == year].assign(municipality=lambda d: d["municipality"].astype(str))
    return pay.groupby(["replication", "municipality"], as_index=False)["amount"].sum()


def convention_effects(cmp, year: int, reference: str = "trajecten", variant: str = "plekken",
                       conventions: dict = CONVENTIONS) -> pd.DataFrame:
    """``variant`` minus ``reference`` spend in ``year`` with the reference's traject contracts paid under each
    payment convention, per municipality and for the region (``regio``): mean and 95% CI, paired by replication.

    Payments are pure functions of the event log and the traject conventions do not act on the flow, so
    the reference's log (``compare(keep_events=True)``) is paid again under each convention: the same clients.
    """
    other = _spend(cmp.scenarios[variant], cmp.events[variant], year)
    base = cmp.scenarios[reference].model_dump(mode="json", exclude_none=True)
    rows = []
    for name, fields in conventions.items():
        data = {**base, "funding": {**base["funding"], "contracts": [
            {**c, **fields} if c["variant"] == "traject" else c for c in base["funding"]["contracts"]]}}
        ref = _spend(scenario_from_dict(data, source=f"{reference}, {name}"), cmp.events[reference], year)
        both = ref.merge(other, on=["replication", "municipality"], how="outer", suffixes=("_ref", "_var")).fillna(0.0)
        both["verschil"] = both["amount_var"] - both["amount_ref"]
        region = both.groupby("replication", as_index=False)[["amount_ref", "verschil"]].sum().assign(municipality="regio")
        for m, g in pd.concat([both, region], ignore_index=True).groupby("municipality"):
            mean, lo, hi = t_interval(g["verschil"].to_numpy())
            rows.append({"conventie": name, "municipality": m, f"uitgaven_{reference}": g["amount_ref"].mean(),
                         "verschil_gem": mean, "verschil_ci_laag": lo, "verschil_ci_hoog": hi,
                         "oordeel": spend_verdict(lo, hi)})
    out = pd.DataFrame(rows)
    out["conventie"] = pd.Categorical(out["conventie"], categories=list(conventions))
    return out.sort_values(["conventie", "municipality"], ignore_index=True)


def driving_convention(effects: pd.DataFrame, municipality: str = "regio") -> tuple[str, float, bool]:
    """The convention (of those acting every year: not the beginstand ones, which move only the first
    year) that moves ``municipality``'s difference most from the standard one, by how much, and whether
    it turns the sign of the difference."""
    e = effects[effects["municipality"] == municipality].set_index("conventie")["verschil_gem"]
    shift = (e - e.iloc[0]).iloc[1:]
    shift = shift[~shift.index.astype(str).str.startswith("beginstand")]
    name = shift.abs().idxmax()
    return str(name), float(shift[name]), bool(np.sign(e[name]) != np.sign(e.iloc[0]))


def commitments_per_month(cmp, municipality: str, year: int, variant: str = "plafond") -> pd.DataFrame:
    """Per month of ``year``, summed over ``municipality``'s budgetplafond contracts of ``variant`` and averaged
    over the replications: commitments entered so far in the year (planned values at toewijzing), the ceiling,
    the room left and the invoices paid so far (``funding.commitments``; needs ``compare(keep_events=True)``)."""
    com = plafond_commitments(cmp.scenarios[variant], cmp.events[variant])
    com = com[(com["municipality"] == municipality) & (com["year"] == year)]
    per_rep = com.groupby(["replication", "month"], as_index=False)[["committed_cum", "ceiling", "room", "spent_cum"]].sum()
    return per_rep.groupby("month", as_index=False)[["committed_cum", "ceiling", "room", "spent_cum"]].mean()
