"""Plek occupancy against the number of plekken bought (notebook 05), with Erlang C as the benchmark."""
from __future__ import annotations

import copy

import numpy as np
from simulation._lazy import pandas as pd

from simulation.analysis.tables import traject_table
from simulation.analysis.queueing import erlang_c, erlang_wait
from simulation.analysis.stats import t_interval
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.runner import simulate


def occupancy_run(base: dict, municipality: str, provider: str, segment: str, n: int, bounds: tuple[float, float],
                  seed: int, replications: int, workers: int = 1) -> pd.DataFrame:
    """Simulate with ``n`` plekken for municipality x provider x segment; per replication the plekken busy,
    new claims, their mean and total wait and the share that waited, within ``bounds`` (model days)."""
    lo, hi = bounds
    days = hi - lo
    raw = copy.deepcopy(base)
    raw["providers"][provider].setdefault("plekken", {}).setdefault(municipality, {})[segment] = int(n)
    if raw.get("funding"):   # the n plekken replace a plekken contract the scenario has for the pair
        raw["funding"]["contracts"] = [c for c in raw["funding"]["contracts"] if not (
            c.get("variant") == "plekken" and (c["municipality"], c["provider"], c["segment"]) ==
            (municipality, provider, segment))]
    s = scenario_from_dict(raw, source=f"{n} plekken")
    res = simulate(s, seed=seed, replications=replications, workers=workers)
    tr = traject_table(res.events)
    tr = tr[(tr["municipality"].astype(str) == municipality) & (tr["provider"].astype(str) == provider)
            & (tr["segment"].astype(str) == segment)]
    in_care = (np.minimum(tr["stop"], hi) - np.maximum(tr["start"], lo)).clip(lower=0)
    busy = in_care.groupby(tr["replication"]).sum() / days
    new = tr[(tr["start"] >= lo) & (tr["start"] < hi) & ~tr["voortzetting"] & ~tr["beginstand"]]
    g = new.groupby("replication")["wacht_dagen"]
    return pd.DataFrame({"busy": busy, "claims": g.size(), "wait_mean": g.mean(), "wait_days_total": g.sum(),
                         "share_waited": (new["wacht_dagen"] > 0).groupby(new["replication"]).mean()}).reset_index()


def occupancy_table(per_rep: pd.DataFrame, a: float, mean_service: float) -> pd.DataFrame:
    """Per number of plekken: bezetting and wait (mean over replications) next to Erlang C (NaN where N <= a)."""
    per_rep = per_rep.assign(bezetting=per_rep["busy"] / per_rep["plekken"])
    res = per_rep.groupby("plekken").agg(bezetting=("bezetting", "mean"), wait_mean=("wait_mean", "mean"),
                                         wait_sd=("wait_mean", "std"), wait_min=("wait_mean", "min"),
                                         wait_max=("wait_mean", "max"), share_waited=("share_waited", "mean"),
                                         wait_days_total=("wait_days_total", "mean"),
                                         busy=("busy", "mean")).reset_index()
    res["erlang_bezetting"] = a / res["plekken"]
    res["erlang_p_wait"] = [erlang_c(n, a) if n > a else np.nan for n in res["plekken"]]
    res["erlang_wait_mean"] = [erlang_wait(n, a, mean_service) if n > a else np.nan for n in res["plekken"]]
    return res


def plek_day_price(types: dict, tariffs: dict) -> float:
    """EUR per plek-day: share-weighted tariff / share-weighted planned doorlooptijd."""
    return sum(t.share * tariffs[k] for k, t in types.items()) / sum(t.share * t.planned_doorlooptijd
                                                                    for t in types.values())


def mmc_scenario(a: float, mean_service: float, n: int, pools: int, start_date) -> dict:
    """Where M/M/c applies: ``pools`` identical municipalities (each its own random streams), Poisson claims
    at rate a / E[S] straight to one traject type with exponential doorlooptijd E[S], n plekken each, no
    toegang, voorliggend veld, chains or recidive; the log starts on the steady-state initial state."""
    names = [f"M{i:02d}" for i in range(pools)]
    per_year = a / mean_service * 365.0
    return {
        "name": f"mmc-{n}", "start_date": str(start_date), "horizon_years": 1,
        "warmup": {"initial_caseload": True, "days": 0},
        "municipalities": {m: {"population": 1} for m in names},
        "segments": {"S": {"domain": "jeugd", "instroom": {"per_year": {m: per_year for m in names},
                                                           "base_year": start_date.year},
                           "voorliggend_veld_share": 0.0, "stacking_probability": 0.0,
                           "toegang_doorlooptijd": {"kind": "fixed", "value": 0}, "recidive": {"probability": 0.0},
                           "traject_types": {"T": {"share": 1, "planned_doorlooptijd": mean_service,
                                                   "doorlooptijd": {"kind": "exponential", "mean": mean_service},
                                                   "outcomes": {"afschaling": 1.0}}}}},
        "providers": {"P": {"segments": {"S": {}}, "plekken": {m: {"S": int(n)} for m in names}}},
    }


def mmc_check(a: float, mean_service: float, plekken, replications: int, seed: int, start_date, pools: int = 10,
              workers: int = 1, family_alpha: float = 0.01) -> pd.DataFrame:
    """Per N > a: the model's first-year mean wait and share of claims that wait, from day 0 (no warm-up: the
    steady-state start places the queue), with 95% CIs over pools x replications, next to Erlang C.

    Both are estimated per pool as a total over the year divided by the expected number of claims lambda T
    (in a stationary system E[sum of the waits of the year's starts] = lambda T E[W], and by PASTA E[claims
    that find every plek taken] = lambda T C). The mean of per-pool mean waits would be biased low: a pool
    with a queue has every plek busy, so more starts (N mu T > lambda T) over which its waits are spread.

    ``binnen_ci`` / ``kans_binnen_ci``: Erlang C inside the 95% CI. ``binnen_familie``: both inside the
    CIs at the family-wise level ``family_alpha`` over all 2 x k comparisons (Bonferroni, as in
    tests/validation): the values of N share their random numbers, so one unlucky set of systems moves
    every N the same way, and k CIs at 95% miss together more often than one in twenty.
    """
    days = float((start_date.replace(year=start_date.year + 1) - start_date).days)
    expected_claims = a / mean_service * days
    checked = [int(n) for n in plekken if n > a]
    family_level = 1.0 - family_alpha / max(2 * len(checked), 1)
    every_pool = pd.MultiIndex.from_product([range(replications), [f"M{i:02d}" for i in range(pools)]])
    per_pool = ["replication", "municipality"]
    rows = []
    for n in checked:
        ev = simulate(mmc_scenario(a, mean_service, n, pools, start_date), seed=seed, replications=replications,
                      workers=workers).events
        total_wait = (ev[ev["event"] == "start_zorg"].groupby(per_pool, observed=True)["wacht_dagen"].sum()
                      .reindex(every_pool, fill_value=0).to_numpy(dtype=float) / expected_claims)
        waited = (ev[ev["event"] == "wachtlijst"].groupby(per_pool, observed=True).size()
                  .reindex(every_pool, fill_value=0).to_numpy(dtype=float) / expected_claims)
        theory, p_theory = erlang_wait(n, a, mean_service), erlang_c(n, a)
        mean, lo, hi = t_interval(total_wait)
        p_mean, p_lo, p_hi = t_interval(waited)
        _, f_lo, f_hi = t_interval(total_wait, family_level)
        _, fp_lo, fp_hi = t_interval(waited, family_level)
        rows.append({"plekken": n, "wacht_gem_model": mean, "ci_laag": lo, "ci_hoog": hi,
                     "wacht_gem_erlang_c": theory, "binnen_ci": _inside(theory, lo, hi, 0.5),
                     "kans_wachten_model": p_mean, "kans_ci_laag": p_lo, "kans_ci_hoog": p_hi,
                     "kans_wachten_erlang_c": p_theory, "kans_binnen_ci": _inside(p_theory, p_lo, p_hi, 0.005),
                     "binnen_familie": _inside(theory, f_lo, f_hi, 0.5) and _inside(p_theory, fp_lo, fp_hi, 0.005)})
    return pd.DataFrame(rows)


def _inside(theory: float, lo: float, hi: float, negligible: float) -> bool:
    # when nobody waited the CI has no width: an Erlang C value that is negligible then agrees
    return bool(lo <= theory <= hi or (hi == lo and theory < negligible))
