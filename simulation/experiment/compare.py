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

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
from simulation._lazy import pandas as pd
from simulation.config.files import load_yaml

from simulation.analysis.stats import (interval_not_below_zero, mean_sd_interval, paired_differences_frame,
                                      t_interval)
from simulation.config.scenario import Scenario
from simulation.experiment.compare_cache import replication_cache
from simulation.experiment.compare_runs import flow_groups, measure_variants
from simulation.experiment.design import ScenarioSpec, expand
from simulation.experiment.runner import NothingHappened, activity_notes_of
from simulation.experiment.size import check_sweep_size
from simulation.experiment.measures import (MEASURES, NON_NEGATIVE_MEASURES, SPEND_MEASURES, measures,  # noqa: F401
                                            measures_of, needs_events, wanted_measures)


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
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
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


def _contracts(scenario: Scenario) -> list:
    return scenario.funding.contracts if scenario.funding is not None else []


def _base_raw(scenario: Union[Scenario, str, dict]) -> dict:
    if isinstance(scenario, Scenario):
        return scenario.model_dump(mode="json", exclude_none=True)
    if isinstance(scenario, dict):
        return scenario
    return load_yaml(Path(scenario).read_text(encoding="utf-8"))


def variant_specs(scenario: Union[Scenario, str, dict],
                  variants: Mapping[str, Union[dict, str, Path, None]]) -> list[ScenarioSpec]:
    """The resolved scenario of every variant (the base with its overrides); raises on an invalid one."""
    overlays = [(name, load_variant(ov) if isinstance(ov, (str, Path)) else (ov or {}))
                for name, ov in variants.items()]
    return expand(_base_raw(scenario), overlays, source=lambda name: f"variant {name}", rename=False,
                  keep_errors=False)


def summarise(per_rep: pd.DataFrame, reference: str, level: float = 0.95, columns=MEASURES) -> pd.DataFrame:
    """Per variant x municipality x year x measure (``columns`` of ``per_rep``): mean, sd, t-interval; the paired
    difference to the reference variant (per replication) and its plain t-interval.

    The interval of a measure that cannot be negative is clipped at 0 (``stats.interval_not_below_zero``): the
    flow measures always, spend and cost per client (``SPEND_MEASURES``) where no replication is below 0."""
    by = ["municipality", "year"]
    diffs = paired_differences_frame(per_rep, reference, columns, ["replication"] + by, variant="variant",
                                     include_baseline=True)
    rows = []
    for ((variant, mun, year), g), (_, d) in zip(per_rep.groupby(["variant"] + by), diffs.groupby(["variant"] + by)):
        for col in columns:
            # counts, days, shares of plek-days, and spend where no replication paid below 0: not below 0
            bounded = col in NON_NEGATIVE_MEASURES or col in SPEND_MEASURES
            mean, sd, lo, hi = (interval_not_below_zero if bounded else mean_sd_interval)(g[col], level)
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
            keep_events: bool = False, measures: Optional[Sequence[str]] = None,
            cache: Union[bool, str, Path, None] = True) -> Comparison:
    """Run every variant on common random numbers; paired differences to ``reference`` (default: the first).

    ``variants`` maps a name to an override set ({"funding": {...}} or dotted keys), to the path of a
    YAML overlay, or to None (the base scenario as it is). With ``keep_events`` the Comparison keeps
    each variant's event log and resolved scenario (``events``, ``scenarios``), so they need not be
    simulated again. ``measures``: the names of MEASURES to compute (default all); without a money
    measure no payments are computed (``payments`` empty), without ``uitgaven`` no predictability.
    ``cache``: True keeps the measured replications in memory, so asking again (or changing one
    variant) simulates only what changed; a folder keeps them there too; False keeps none
    (``compare_cache``).
    """
    names = list(variants)
    reference = reference or names[0]
    if reference not in variants:
        raise ValueError(f"reference {reference!r} is not one of the variants {names}")
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    wanted = wanted_measures(measures)
    specs = variant_specs(scenario, variants)
    # a variant without contracts measures the care the other variants' contracts buy (all care if none has any)
    pools = {k for spec in specs for c in _contracts(spec.scenario) for k in c.keys()} or None
    groups = flow_groups([spec.scenario for spec in specs])
    check_sweep_size([specs[group[0]].scenario for group in groups], min(workers, len(groups) * replications))
    measured = measure_variants(specs, groups, seed, replications, wanted, pools, workers, keep_events,
                                replication_cache(cache))
    frames, payments, assumptions = [], {}, []
    for spec, result in zip(specs, measured):
        for note in activity_notes_of(spec.scenario, result.with_events):
            warnings.warn(note, NothingHappened, stacklevel=2)
        frames.append(result.measures.assign(variant=spec.name))
        payments[spec.name] = result.payments
        assumptions.append(behaviour_assumptions(spec.scenario).assign(variant_name=spec.name))
    events = {spec.name: result.log for spec, result in zip(specs, measured)} if keep_events else {}
    scenarios = {spec.name: spec.scenario for spec in specs} if keep_events else {}
    per_rep = pd.concat(frames, ignore_index=True)
    if "uitgaven" in wanted:
        pred = _predictability(per_rep, reference, budget)
    else:
        pred = pd.DataFrame(columns=["variant", "municipality", "year", "uitgaven_gem", "uitgaven_sd", "budget",
                                     "kans_boven_budget"])
    return Comparison(per_rep, summarise(per_rep, reference, level, wanted), pred,
                      pd.concat(assumptions, ignore_index=True), reference, payments, events, scenarios)
