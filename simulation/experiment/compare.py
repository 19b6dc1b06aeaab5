"""Compare funding variants on the same clients: common random numbers and paired differences.

Every variant is the base scenario with an override set (e.g. a YAML overlay from
params/variants/). All variants run with the same seed and replication numbers; the random
streams are keyed by purpose and names (streams.py), so replication r of every variant sees the
same clients with the same needs and draws. Differences are taken per replication (paired) and
get a Student-t confidence interval.

Measures per variant x replication x municipality x year (care under the variant's contracts):
uitgaven (spend: what is finally paid), unique clients, cost per client, clients per plek (clienten_equivalent / plekken), wait (mean
wacht_dagen of new trajecten starting in the year), bezetting (occupied / bought plek-days),
paid-back plek-days, settlements (sum of verrekeningen), provider margin (revenue - cost; NaN, unknown,
where a provider lacks provider_costs), clienten_equivalent (clients served by the plekken:
analysis.plekken, as in the plek table).
Predictability per variant x municipality x year: the standard deviation of spend across
replications and the share of replications whose spend exceeds the budget (``budget`` per
municipality and year, default: the reference variant's mean spend).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import yaml

from simulation.experiment.runner import simulate
from simulation.analysis.kpis import kpis
from simulation.analysis.tables import traject_table
from simulation.core.calendar import year_bounds
from simulation.analysis.stats import (NON_NEGATIVE, bounded_interval, mean_sd_interval, paired_differences_frame,
                                      t_interval)
from simulation.config.scenario import Scenario
from simulation.experiment.design import ScenarioSpec, expand
from simulation.funding.costs import margins
from simulation.funding.payments import compute_payments
from simulation.funding.rows import PAYMENT_COLUMNS

MEASURES = ("uitgaven", "unieke_clienten", "kosten_per_client", "clienten_per_plek", "wacht_dagen_gem",
            "bezettingsgraad", "terugbetaalde_plekdagen", "verrekening", "marge_aanbieders", "clienten_equivalent")

# flow measures that cannot be negative: their confidence intervals are clipped at 0 (money can be negative)
NON_NEGATIVE_MEASURES = ("unieke_clienten", "clienten_per_plek", "wacht_dagen_gem", "bezettingsgraad",
                         "terugbetaalde_plekdagen", "clienten_equivalent")


@dataclass
class Comparison:
    per_replication: pd.DataFrame     # variant, replication, municipality, year, measures...
    summary: pd.DataFrame             # variant, municipality, year, measure, gem, sd, ci_laag/_hoog, verschil_gem + ci
    predictability: pd.DataFrame      # variant, municipality, year, uitgaven_gem/_sd, budget, kans_boven_budget
    assumptions: pd.DataFrame         # non-neutral behaviour values with their source or 'aanname'
    reference: str
    payments: dict[str, pd.DataFrame] = field(default_factory=dict)
    events: dict[str, pd.DataFrame] = field(default_factory=dict)   # per variant, with compare(keep_events=True)
    scenarios: dict[str, Scenario] = field(default_factory=dict)    # per variant, with compare(keep_events=True)


def load_variant(path: Union[str, Path]) -> dict[str, Any]:
    """A variant overlay file: a mapping of dotted override keys (or top-level fields) to values."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a variant overlay is a mapping of overrides, e.g. funding: {{contracts: [...]}}")
    return data


def behaviour_assumptions(scenario: Scenario) -> pd.DataFrame:
    """Every non-neutral behaviour value, with its source or labelled an assumption (aanname)."""
    rows = []
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    for i, c in enumerate(contracts):
        for name in ("doorlooptijd_factor", "intensity_factor", "refusal_probability"):
            value = getattr(c.behaviour, name)
            neutral = 0.0 if name == "refusal_probability" else 1.0
            if value != neutral:
                rows.append({"contract": i, "municipality": c.municipality, "provider": c.provider,
                             "segment": c.segment, "variant": c.variant, "parameter": name, "value": value,
                             "source": c.behaviour.source or "aanname (assumption, no source given)"})
    return pd.DataFrame(rows, columns=["contract", "municipality", "provider", "segment", "variant", "parameter",
                                       "value", "source"])


def measures(scenario: Scenario, events: pd.DataFrame, replications=None,
             pools: Optional[set] = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per replication x municipality x year: the MEASURES of one variant; also the payments.

    Under funding contracts the measures cover the care those contracts buy (their municipality x
    provider x segment pools). A scenario without contracts has no money measures (NaN: uitgaven,
    verrekening, kosten_per_client, marge_aanbieders, terugbetaalde_plekdagen) and its flow measures
    (unieke_clienten, wacht_dagen_gem, bezettingsgraad, clienten_per_plek, clienten_equivalent of the
    plekken in ``providers.*.plekken``) cover ``pools`` ((municipality, provider, segment) keys;
    default all care), with a row for every municipality x year in every replication
    (``replications``: their count or numbers; default those in the log).
    """
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    if not contracts:
        return _flow_measures(scenario, events, replications, pools), pd.DataFrame(columns=PAYMENT_COLUMNS)
    tr = traject_table(events)
    fund = compute_payments(scenario, events=events, trajecten=tr)
    keys = {k for c in contracts for k in c.keys()}
    for col in ("municipality", "provider", "segment"):
        tr[col] = tr[col].astype(str)
    covered = pd.Series([k in keys for k in zip(tr["municipality"], tr["provider"], tr["segment"])], index=tr.index,
                        dtype=bool)
    tr = tr[covered]
    by = ["replication", "municipality", "year"]
    fin = fund.finals_by_municipality(contracts)
    parts = [fin.groupby(by)["final"].sum().rename("uitgaven")]
    pay = fund.payments.assign(municipality=fund.payments["municipality"].astype(str))
    parts.append(pay[pay["kind"] == "settlement"].groupby(by)["amount"].sum().rename("verrekening"))
    pk = fund.plekken.assign(municipality=[contracts[i].municipality for i in fund.plekken["contract"]])
    if len(pk):
        g = pk.groupby(by)
        parts += [(g["occupied"].sum() / g["bought"].sum()).rename("bezettingsgraad"),
                  g["empty"].sum().rename("terugbetaalde_plekdagen"),
                  g["clienten_equivalent"].sum().rename("clienten_equivalent"),
                  (g["bought"].sum()).rename("_plekdagen")]
    for year, lo, hi in year_bounds(scenario):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)]
        n = in_year.drop_duplicates(["replication", "municipality", "client"]).groupby(["replication", "municipality"]).size()
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        w = new.groupby(["replication", "municipality"])["wacht_dagen"].mean()
        frame = pd.concat([n.rename("unieke_clienten"), w.rename("wacht_dagen_gem")], axis=1)
        frame["year"] = year
        frame["_dagen"] = hi - lo
        parts.append(frame.reset_index().set_index(by))
    yearly = [p for p in parts if "unieke_clienten" in getattr(p, "columns", [])]
    other = [p for p in parts if p is not None and not isinstance(p, pd.DataFrame)]
    out = pd.concat([pd.concat(yearly)] + other, axis=1).reset_index() if yearly else pd.DataFrame(columns=by)
    mg = margins(scenario, tr, fund)
    mg = mg[[k in keys for k in zip(mg["municipality"], mg["provider"], mg["segment"])]]
    g = mg.groupby(by)["margin"]
    # one provider without a cost model makes the municipality's margin unknown, not the sum of the others'
    marge = g.sum(min_count=1).where(g.count() == g.size()).rename("marge_aanbieders").reset_index()
    out = out.merge(marge, on=by, how="left")
    for col in MEASURES:
        if col not in out:
            out[col] = np.nan
    out["uitgaven"] = out["uitgaven"].fillna(0.0)
    out["verrekening"] = out["verrekening"].fillna(0.0)
    out["unieke_clienten"] = out["unieke_clienten"].fillna(0).astype(int)
    out["kosten_per_client"] = out["uitgaven"] / out["unieke_clienten"].replace(0, np.nan)
    if "_plekdagen" in out:
        plekken = out["_plekdagen"] / out["_dagen"]
        out["clienten_per_plek"] = out["clienten_equivalent"].fillna(0) / plekken.replace(0, np.nan)
    return out[by + list(MEASURES)], fund.payments


def _flow_measures(scenario: Scenario, events: pd.DataFrame, replications, pools: Optional[set]) -> pd.DataFrame:
    """``measures`` of a scenario without contracts: the flow measures from the KPI table (one
    definition), summed over the ``pools`` of each municipality; NaN for the money measures."""
    by = ["replication", "municipality", "year"]
    per_pool = kpis(events, scenario, replications=replications)
    for col in ("municipality", "provider", "segment"):
        per_pool[col] = per_pool[col].astype(str)
    if pools is not None:
        keep = [k in pools for k in zip(per_pool["municipality"], per_pool["provider"], per_pool["segment"])]
        per_pool = per_pool[np.asarray(keep, dtype=bool)]
    bought_days = per_pool["plekken"].fillna(0.0) * per_pool["dagen"]
    per_pool = per_pool.assign(_used=(per_pool["bezettingsgraad"] * bought_days).fillna(0.0), _bought=bought_days,
                               clienten_equivalent=(per_pool["clienten_per_plek"] * per_pool["plekken"]).fillna(0.0))
    g = per_pool.groupby(by)
    out = pd.DataFrame({"_used": g["_used"].sum(), "_bought": g["_bought"].sum(),
                        "clienten_equivalent": g["clienten_equivalent"].sum()})
    # clients and waits per municipality: distinct clients and new trajecten over its pools, not a sum
    tr = traject_table(events)
    tr = tr.assign(**{c: tr[c].astype(str) for c in ("municipality", "provider", "segment")})
    if pools is not None:
        tr = tr[np.asarray([k in pools for k in zip(tr["municipality"], tr["provider"], tr["segment"])], dtype=bool)]
    clients, waits = [], []
    for year, lo, hi in year_bounds(scenario):
        in_year = tr[(tr["start"] < hi) & (tr["stop"] > lo)].drop_duplicates(["replication", "municipality", "client"])
        clients.append(in_year.groupby(["replication", "municipality"]).size().rename("unieke_clienten")
                       .reset_index().assign(year=year))
        new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
        waits.append(new.groupby(["replication", "municipality"])["wacht_dagen"].mean().rename("wacht_dagen_gem")
                     .reset_index().assign(year=year))
    out = (out.join(pd.concat(clients).set_index(by), how="left").join(pd.concat(waits).set_index(by), how="left")
           .reset_index())
    out["unieke_clienten"] = out["unieke_clienten"].fillna(0).astype(int)
    has = out["_bought"] > 0
    out["bezettingsgraad"] = np.where(has, out["_used"] / out["_bought"].where(has, 1.0), np.nan)
    plekken = out["_bought"] / pd.Series([hi - lo for _, lo, hi in year_bounds(scenario)],
                                         index=scenario.years).reindex(out["year"]).to_numpy()
    out["clienten_per_plek"] = np.where(has, out["clienten_equivalent"] / plekken.where(has, 1.0), np.nan)
    out["clienten_equivalent"] = out["clienten_equivalent"].where(has)
    for col in MEASURES:
        if col not in out:
            out[col] = np.nan
    return out[by + list(MEASURES)]


def _contracts(scenario: Scenario) -> list:
    return scenario.funding.contracts if scenario.funding is not None else []


def _base_raw(scenario: Union[Scenario, str, dict]) -> dict:
    if isinstance(scenario, Scenario):
        return scenario.model_dump(mode="json", exclude_none=True)
    if isinstance(scenario, dict):
        return scenario
    return yaml.safe_load(Path(scenario).read_text(encoding="utf-8"))


def variant_specs(scenario: Union[Scenario, str, dict],
                  variants: Mapping[str, Union[dict, str, Path, None]]) -> list[ScenarioSpec]:
    """The resolved scenario of every variant (the base with its overrides); raises on an invalid one."""
    overlays = [(name, load_variant(ov) if isinstance(ov, (str, Path)) else (ov or {}))
                for name, ov in variants.items()]
    return expand(_base_raw(scenario), overlays, source=lambda name: f"variant {name}", rename=False,
                  keep_errors=False)


def summarise(per_rep: pd.DataFrame, reference: str, level: float = 0.95, columns=MEASURES) -> pd.DataFrame:
    """Per variant x municipality x year x measure (``columns`` of ``per_rep``): mean, sd, t-interval; the paired
    difference to the reference variant (per replication) and its t-interval."""
    by = ["municipality", "year"]
    diffs = paired_differences_frame(per_rep, reference, columns, ["replication"] + by, variant="variant",
                                     include_baseline=True)
    rows = []
    for ((variant, mun, year), g), (_, d) in zip(per_rep.groupby(["variant"] + by), diffs.groupby(["variant"] + by)):
        for col in columns:
            mean, sd, lo, hi = mean_sd_interval(g[col], level)
            if col in NON_NEGATIVE_MEASURES:   # counts, days, shares of plek-days: not below 0 (stats.bounded_interval)
                lo, hi = (float(x) for x in bounded_interval(mean, sd, g[col].count(), level, NON_NEGATIVE))
            diff, dlo, dhi = t_interval(d[col], level)
            rows.append({"variant": variant, "municipality": mun, "year": year, "measure": col, "gem": mean,
                         "sd": sd, "ci_laag": lo, "ci_hoog": hi, "verschil_gem": diff,
                         "verschil_ci_laag": dlo, "verschil_ci_hoog": dhi})
    return pd.DataFrame(rows)


def _predictability(per_rep: pd.DataFrame, reference: str, budget: Optional[Mapping[str, float]]) -> pd.DataFrame:
    """Per variant x municipality x year: sd of spend and the share of replications over the budget."""
    by = ["municipality", "year"]
    ref_mean = per_rep[per_rep["variant"] == reference].groupby(by)["uitgaven"].mean()
    pred = per_rep.groupby(["variant"] + by)["uitgaven"].agg(uitgaven_gem="mean", uitgaven_sd="std").reset_index()
    pred["budget"] = [budget[m] if budget and m in budget else ref_mean.get((m, y), np.nan)
                      for m, y in zip(pred["municipality"], pred["year"])]
    over = per_rep.merge(pred[["variant"] + by + ["budget"]], on=["variant"] + by)
    over_budget = (over["uitgaven"] > over["budget"]).where(over["uitgaven"].notna())   # NaN without money
    return pred.merge(over_budget.astype(float).groupby([over[c] for c in ["variant"] + by]).mean()
                      .rename("kans_boven_budget").reset_index(), on=["variant"] + by)


def compare(scenario: Union[Scenario, str, dict], variants: Mapping[str, Union[dict, str, Path, None]],
            replications: int = 10, seed: int = 1, reference: Optional[str] = None,
            budget: Optional[Mapping[str, float]] = None, level: float = 0.95, workers: int = 1,
            keep_events: bool = False) -> Comparison:
    """Run every variant on common random numbers; paired differences to ``reference`` (default: the first).

    ``variants`` maps a name to an override set ({"funding": {...}} or dotted keys), to the path of a
    YAML overlay, or to None (the base scenario as it is). With ``keep_events`` the Comparison keeps
    each variant's event log and resolved scenario (``events``, ``scenarios``), so they need not be
    simulated again.
    """
    names = list(variants)
    reference = reference or names[0]
    if reference not in variants:
        raise ValueError(f"reference {reference!r} is not one of the variants {names}")
    specs = variant_specs(scenario, variants)
    # a variant without contracts measures the care the other variants' contracts buy (all care if none has any)
    pools = {k for spec in specs for c in _contracts(spec.scenario) for k in c.keys()} or None
    frames, payments, assumptions, events, scenarios = [], {}, [], {}, {}
    for spec in specs:
        name, resolved = spec.name, spec.scenario
        res = simulate(resolved, seed=seed, replications=replications, workers=workers)
        m, pay = measures(resolved, res.events, replications=replications, pools=pools)
        frames.append(m.assign(variant=name))
        payments[name] = pay
        assumptions.append(behaviour_assumptions(resolved).assign(variant_name=name))
        if keep_events:
            events[name], scenarios[name] = res.events, resolved
    per_rep = pd.concat(frames, ignore_index=True)
    return Comparison(per_rep, summarise(per_rep, reference, level), _predictability(per_rep, reference, budget),
                      pd.concat(assumptions, ignore_index=True), reference, payments, events, scenarios)
