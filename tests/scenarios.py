"""Small scenarios, paths and statistics shared by the tests of every kind (unit, functional, validation).

Builders return plain dicts (the YAML format) so a test can change one field and
validate with ``scenario_from_dict``.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simulation.analysis import stats
from simulation.analysis.queueing import erlang_c
from simulation.config.scenario import Scenario, scenario_from_dict
from simulation.config.sources import ASSUMPTION_RE, DOCUMENT_RE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SMOKE = yaml.safe_load((DATA / "smoke.yaml").read_text(encoding="utf-8"))

# A year without 29 February: the model's Poisson rate per day is per_year / days in the year,
# so the whole horizon of the queueing scenarios has one constant rate per_year / 365.
START = "2025-01-01"


# -- queueing theory (Erlang C: simulation.analysis.queueing) --------------------------------------

def mmc_theory(c: int, rho: float, mean_service: float) -> dict[str, float]:
    """Textbook M/M/c values: P(wait>0), mean wait Wq, mean queue Lq = lambda Wq, busy servers a."""
    a = c * rho
    lam = a / mean_service
    p_wait = erlang_c(c, a)
    wq = p_wait * mean_service / (c - a)          # C / (c mu - lambda)
    return {"p_wait": p_wait, "wq": wq, "lq": lam * wq, "busy": a}


# -- confidence intervals over replications ----------------------------------------------------

def t_half_width(samples, level: float) -> float:
    """Half-width of the Student-t confidence interval of the mean of iid replication values."""
    x = np.asarray(samples, dtype=float)
    return float(stats.t_half_width(x.std(ddof=1), len(x), level))


def check_mean(samples, theory: float, name: str, max_rel_half_width: float, level: float) -> str:
    """Assert that the 95% CI is narrow (``max_rel_half_width`` of the theory value) and that the
    theory lies inside the ``level`` CI (a Bonferroni level for a family of comparisons).

    Returns a one-line summary for the test output.
    """
    x = np.asarray(samples, dtype=float)
    mean = float(x.mean())
    h95 = t_half_width(x, 0.95)
    h = t_half_width(x, level)
    summary = (f"{name}: simulated {mean:.5g} (95% CI +-{h95:.3g}, {level:.2%} CI +-{h:.3g}), "
               f"theory {theory:.5g}, n={len(x)}")
    assert h95 <= max_rel_half_width * abs(theory), (
        f"{summary}: the 95% CI is too wide for the comparison to mean anything "
        f"(> {max_rel_half_width:.0%} of the theory value)")
    assert abs(mean - theory) <= h, f"{summary}: theory outside the confidence interval"
    return summary


def bonferroni(family_alpha: float, comparisons: int) -> float:
    """Per-comparison confidence level that keeps the family-wise error at ``family_alpha``."""
    return 1.0 - family_alpha / comparisons


# -- scenarios ---------------------------------------------------------------------------------

def _mmc_segment(per_year, mean_service: float) -> dict:
    """One segment of Poisson arrivals straight to one exponential traject type (M/M/c with plekken)."""
    return {"domain": "jeugd", "instroom": {"per_year": per_year, "base_year": 2025},
            "voorliggend_veld_share": 0.0, "stacking_probability": 0.0,
            "toegang_doorlooptijd": {"kind": "fixed", "value": 0}, "recidive": {"probability": 0.0},
            "traject_types": {"T": {"share": 1, "planned_doorlooptijd": mean_service,
                                    "doorlooptijd": {"kind": "exponential", "mean": mean_service},
                                    "outcomes": {"afschaling": 1.0}}}}


def back_to_back(d, plekken=3, until=730):
    """Every plek refilled the moment a traject ends: trajecten of d days from day 0 (new clients), as
    ``traject_rows`` rows (004 par. 8's example)."""
    rows, client = [], 0
    for _ in range(plekken):
        t = 0.0
        while t < until:
            rows.append((client, t, min(t + d, until), "afschaling" if t + d <= until else "einde_horizon"))
            client += 1
            t += d
    return rows


def mmc_scenario(c: int, rho: float, mean_service: float, warmup_days: float) -> Scenario:
    """M/M/c: one municipality, segment and provider with c plekken; Poisson instroom straight to a
    toewijzing (no voorliggend veld, toegang time 0, no stacking, no recidive, afschaling only),
    exponential doorlooptijd. Starts empty (no initial caseload: its M/G/infinity draw is not the
    M/M/c equilibrium) and warms up for ``warmup_days``; horizon one year."""
    lam_per_day = c * rho / mean_service
    return scenario_from_dict({
        "name": f"mmc-{c}-{rho}", "start_date": START, "horizon_years": 1,
        "warmup": {"initial_caseload": False, "days": warmup_days},
        "municipalities": {"M": {"population": 1}},
        "segments": {"S": _mmc_segment(lam_per_day * 365, mean_service)},
        "providers": {"P": {"segments": {"S": {}}, "plekken": {"M": {"S": c}}}},
    })


def mmc_pools_scenario(c: int, rho: float, mean_service: float, pools: int, warmup_days: float = 0.0,
                       initial_caseload: bool = True) -> Scenario:
    """``pools`` independent M/M/c systems in one run: identical municipalities (each has its own
    random streams) with c plekken each at one provider, otherwise as ``mmc_scenario``. With the
    defaults the log starts on the initial state itself (in care and on the wachtlijst)."""
    per_year = c * rho / mean_service * 365
    names = [f"M{i:02d}" for i in range(pools)]
    return scenario_from_dict({
        "name": f"mmc-pools-{c}-{rho}", "start_date": START, "horizon_years": 1,
        "warmup": {"initial_caseload": initial_caseload, "days": warmup_days},
        "municipalities": {m: {"population": 1} for m in names},
        "segments": {"S": _mmc_segment({m: per_year for m in names}, mean_service)},
        "providers": {"P": {"segments": {"S": {}}, "plekken": {m: {"S": c} for m in names}}},
    })


def mginf_scenario(doorlooptijd: dict, municipalities: int, per_year: float, warmup_days: float = 0.0) -> Scenario:
    """M/G/infinity: ``municipalities`` identical, independent municipalities (each has its own
    random streams), one segment, one provider without plekken, no voorliggend veld, stacking or
    recidive. With ``warmup_days`` 0 the log starts on the initial caseload itself."""
    return scenario_from_dict({
        "name": "mginf", "start_date": START, "horizon_years": 1,
        "warmup": {"initial_caseload": True, "days": warmup_days},
        "municipalities": {f"G{i:02d}": {"population": 1000} for i in range(municipalities)},
        "segments": {"S": {
            "domain": "wmo",
            "instroom": {"per_year": {f"G{i:02d}": per_year for i in range(municipalities)}, "base_year": 2025},
            "traject_types": {"T": {"share": 1, "planned_doorlooptijd": doorlooptijd["mean"],
                                    "doorlooptijd": doorlooptijd, "outcomes": {"afschaling": 1.0}}}}},
        "providers": {"P": {"segments": {"S": {}}}},
    })


# Every flow feature at once: two municipalities, three segments (18- -> 18+ opschaling),
# toegang time, voorliggend veld, stacking, recidive, verlenging, step-down, uitval, growth,
# seasonality, plekken that change per year (up and down) at two providers, a local perceel,
# max_wait_days with overstap, a maatwerk factor.
RICH = {
    "name": "rich", "start_date": "2022-01-01", "horizon_years": 3,
    "warmup": {"initial_caseload": True, "days": 200},
    "municipalities": {"A": {"population": 30000}, "B": {"population": 70000}},
    "segments": {
        "J1": {
            "domain": "jeugd",
            "instroom": {"per_year": 260, "base_year": 2021, "growth": 0.06,
                         "seasonality": [1.2, 1.1, 1.1, 1.0, 1.0, 0.9, 0.6, 0.7, 1.1, 1.2, 1.1, 1.0]},
            "voorliggend_veld_share": 0.2, "stacking_probability": 0.15, "max_wait_days": 45,
            "toegang_doorlooptijd": {"kind": "exponential", "mean": 12},
            "recidive": {"probability": 0.35, "delay": {"kind": "lognormal", "mean": 150, "cv": 0.6}},
            "traject_types": {
                "licht": {"share": 0.6, "planned_doorlooptijd": 100,
                          "doorlooptijd": {"kind": "gamma", "mean": 100, "cv": 0.8},
                          "outcomes": {"afschaling": 0.6, "uitval": 0.1, "verlenging": 0.15, "opschaling": 0.15},
                          "opschaling_to": {"segment": "J2", "traject_type": "verblijf"}},
                "midden": {"share": 0.4, "planned_doorlooptijd": 180,
                           "doorlooptijd": {"kind": "lognormal", "mean": 180, "cv": 0.6},
                           "outcomes": {"afschaling": 0.55, "step_down": 0.3, "uitval": 0.15},
                           "step_down_to": "licht",
                           "verlenging_doorlooptijd": {"kind": "exponential", "mean": 60}}}},
        "J2": {
            "domain": "jeugd", "instroom": {"per_year": 40, "base_year": 2022},
            "max_wait_days": 30,
            "traject_types": {"verblijf": {
                "share": 1, "planned_doorlooptijd": 300,
                "doorlooptijd": {"kind": "lognormal", "mean": 300, "cv": 0.5},
                "outcomes": {"afschaling": 0.5, "opschaling": 0.3, "uitval": 0.1, "verlenging": 0.1},
                "opschaling_to": {"segment": "W", "traject_type": "begeleiding"}}}},
        "W": {
            "domain": "wmo", "instroom": {"per_year": {"A": 60, "B": 120}, "base_year": 2022, "growth": -0.02},
            "voorliggend_veld_share": 0.3,
            "recidive": {"probability": 0.2, "delay": {"kind": "fixed", "value": 90}},
            "traject_types": {"begeleiding": {
                "share": 1, "planned_doorlooptijd": 200,
                "doorlooptijd": {"kind": "exponential", "mean": 200},
                "outcomes": {"afschaling": 0.8, "uitval": 0.05, "verlenging": 0.15}}}},
    },
    "providers": {
        "P1": {"segments": {"J1": {"weight": 2}, "J2": {}, "W": {}},
               "plekken": {"B": {"J1": {2022: 30, 2023: 45, 2024: 25}, "J2": 12},
                           "A": {"J2": {2022: 4, 2023: 6}, "W": 20}}},
        "P2": {"perceel": "lokaal", "municipalities": ["A", "B"],
               "segments": {"J1": {"maatwerk_factor": 1.25}, "J2": {"weight": 0.5}},
               "plekken": {"B": {"J2": 3}}},
    },
}


def rich_scenario(**changes) -> Scenario:
    raw = copy.deepcopy(RICH)
    raw.update(changes)
    return scenario_from_dict(raw)


# Two municipalities, one segment with two traject types, plekken for Venlo (test_scenario_files,
# test_private_clocks, test_cli).
BASE = {
    "name": "klein", "start_date": "2022-01-01", "horizon_years": 1,
    "municipalities": {"Venlo": {"population": 101797}, "Beesel": {"population": 13483}},
    "segments": {
        "S3": {"domain": "jeugd", "instroom": {"per_year": 100, "base_year": 2022},
               "traject_types": {
                   "licht": {"share": 0.7, "planned_doorlooptijd": 90,
                             "doorlooptijd": {"kind": "lognormal", "mean": 90, "cv": 0.5}},
                   "zwaar": {"share": 0.3, "planned_doorlooptijd": 180,
                             "doorlooptijd": {"kind": "gamma", "mean": 180, "cv": 0.7},
                             "outcomes": {"afschaling": 0.8, "step_down": 0.2}, "step_down_to": "licht"}}}},
    "providers": {"Aanbieder A": {"segments": {"S3": {}}, "plekken": {"Venlo": {"S3": 10}}}},
}


def sweep_dict(**changes) -> dict:
    """Two variants (plekken for B in S1 or trajecten only), 1 year, short warm-up: ~0.2 s per run."""
    spec = {
        "name": "test-sweep", "scenario": copy.deepcopy(SMOKE), "seed": 7,
        "set": {"horizon_years": 1, "warmup": {"days": 90}},
        "variants": [{"name": "plekken"},
                     {"name": "trajecten", "set": {"providers.P1.plekken.B": {"S2": 30}}}],
        "replications": 2,
    }
    spec.update(changes)
    return spec


# -- funding: a one-segment micro scenario (hand-built traject tables) and a small flow scenario ------

def funding_base(contracts=(), horizon_years=1, planned=365.0, weight=2.0, population=1000, types=None, **funding):
    types = types or {"standaard": {"share": 1, "weight": weight, "planned_doorlooptijd": planned,
                                    "doorlooptijd": {"kind": "fixed", "value": planned}}}
    return {
        "name": "micro", "start_date": "2022-01-01", "horizon_years": horizon_years,
        "warmup": {"initial_caseload": False, "days": 0},
        "municipalities": {"Venlo": {"population": population}},
        "segments": {"S3": {"domain": "jeugd", "instroom": {"per_year": 0, "base_year": 2022},
                            "traject_types": types}},
        "providers": {"P1": {"segments": {"S3": {}}}, "P2": {"segments": {"S3": {}}}},
        "funding": {"contracts": list(contracts), **funding},
    }


def funding_contract(variant, provider="P1", **kw):
    return {"municipality": "Venlo", "provider": provider, "segment": "S3", "variant": variant, **kw}


def traject_rows(rows, provider="P1"):
    """rows: (client, start, stop[, reden[, extra]]) in model days; reden default afschaling; extra: True for a
    continuation (a verlenging of the traject before it), or a dict of columns, e.g.
    {"start_reden": "step_down", "traject_type": "licht"} (a start_reden makes it a continuation)."""
    out = []
    for n, r in enumerate(rows):
        client, start, stop = r[:3]
        reden = r[3] if len(r) > 3 else "afschaling"
        extra = r[4] if len(r) > 4 else {}
        extra = {"start_reden": "verlenging"} if extra is True else (extra or {})
        out.append({"replication": 0, "traject": client * 1000 + n, "client": client, "municipality": "Venlo",
                    "segment": "S3", "traject_type": "standaard", "provider": provider, "start": float(start),
                    "stop": float(stop), "wacht_dagen": 0.0, "voortzetting": False, "beginstand": start < 0,
                    "reden": reden, "doorlooptijd": float(stop) - max(float(start), 0.0),
                    "start_reden": extra.get("start_reden"), **extra})
        out[-1]["voortzetting"] = out[-1]["start_reden"] is not None
    return pd.DataFrame(out)


def event_log(rows, provider="P1", start_date="2022-01-01"):
    """A hand-built event log in the model's words: rows as ``traject_rows`` (plus an optional 6th
    element, the wait in days before start_zorg). A traject with start < 0 is a beginstand (in care
    since then); every traject gets its stop_zorg (reden einde_horizon for one open at the horizon)."""
    from simulation.core.events import EVENTS, REDENEN
    log = []
    for n, r in enumerate(rows):
        client, start, stop = r[:3]
        reden = r[3] if len(r) > 3 else "afschaling"
        cont = bool(r[4]) if len(r) > 4 else False
        wait = float(r[5]) if len(r) > 5 else 0.0
        tid = client * 1000 + n
        base = {"client": client, "traject": tid}
        if start < 0:
            log.append({**base, "day": 0.0, "event": "beginstand", "reden": "in_zorg", "sinds_dag": float(start)})
        else:
            if not cont:
                log.append({**base, "day": start - wait, "event": "toewijzing", "reden": None})
                if wait > 0:
                    log.append({**base, "day": start - wait, "event": "wachtlijst", "reden": None})
            log.append({**base, "day": float(start), "event": "start_zorg", "reden": "verlenging" if cont else None,
                        "wacht_dagen": wait})
        log.append({**base, "day": float(stop), "event": "stop_zorg", "reden": reden,
                    "doorlooptijd": float(stop) - float(start)})
    ev = pd.DataFrame(log).sort_values("day", kind="stable", ignore_index=True)
    for col in ("wacht_dagen", "doorlooptijd", "sinds_dag"):
        ev[col] = ev[col] if col in ev else np.nan
    ev.insert(0, "replication", np.int32(0))
    ev["date"] = (np.datetime64(start_date, "D") + np.floor(ev["day"]).astype("timedelta64[D]")).astype(
        "datetime64[s]")
    ev["event"] = pd.Categorical(ev["event"], categories=list(EVENTS))
    ev["reden"] = pd.Categorical(ev["reden"], categories=list(REDENEN))
    for col, value in (("municipality", "Venlo"), ("segment", "S3"), ("traject_type", "standaard"),
                       ("provider", provider)):
        ev[col] = pd.Categorical([value] * len(ev))
    return ev


def flow_scenario(contracts=(), d=365.0, per_year=50.0, providers=("P1",), horizon_years=2, warmup=365, planned=365.0,
             types=None):
    types = types or {"standaard": {"share": 1, "weight": 2, "planned_doorlooptijd": planned,
                                    "doorlooptijd": {"kind": "fixed", "value": d}}}
    return {
        "name": "flow", "start_date": "2022-01-01", "horizon_years": horizon_years,
        "warmup": {"initial_caseload": warmup > 0, "days": warmup},
        "municipalities": {"Venlo": {"population": 100_000}},
        "segments": {"S3": {"domain": "jeugd", "instroom": {"per_year": per_year, "base_year": 2022},
                            "traject_types": types}},
        "providers": {p: {"segments": {"S3": {}}} for p in providers},
        "funding": {"contracts": list(contracts)},
    }


# -- projection (notebook 06): a funded scenario with youth and Wmo and the note's measures -----------

def with_pxq_contracts(raw: dict, unit_price: float = 60.0) -> dict:
    """``raw`` with one pxq contract (EUR ``unit_price`` per hour of care) per municipality x provider x segment."""
    out = copy.deepcopy(raw)
    contracts = []
    for m in out["municipalities"]:
        for p, prov in out["providers"].items():
            if prov.get("municipalities") and m not in prov["municipalities"]:
                continue
            contracts += [{"municipality": m, "provider": p, "segment": s, "variant": "pxq", "unit_price": unit_price}
                          for s in prov["segments"]]
    out["funding"] = {"contracts": contracts}
    return out


def projection_scenario(horizon_years: int = 4) -> dict:
    """Youth S1 (verblijf, doorstroom to S2), S2, S4 (ambulant) and Wmo S1a, 2022-2025, growing instroom, pxq funding."""
    def types(mean, weight=2.0, **kw):
        return {"share": 1, "weight": weight, "planned_doorlooptijd": mean,
                "doorlooptijd": {"kind": "lognormal", "mean": mean, "cv": 0.5}, **kw}

    def segment(domain, per_year, growth, kinds):
        return {"domain": domain, "instroom": {"per_year": per_year, "base_year": 2022, "growth": growth},
                "traject_types": kinds}

    raw = {
        "name": "projectie", "start_date": "2022-01-01", "horizon_years": horizon_years,
        "warmup": {"initial_caseload": True, "days": 365},
        "municipalities": {"Venlo": {"population": 101797}, "Beesel": {"population": 13483}},
        "segments": {
            "S1": segment("jeugd", 60, 0.05, {"behandelgroep": types(
                300, weight=7, outcomes={"afschaling": 0.7, "opschaling": 0.3},
                opschaling_to={"segment": "S2", "traject_type": "woongroep"})}),
            "S2": segment("jeugd", 20, 0.05, {"woongroep": types(365, weight=7)}),
            "S4": segment("jeugd", 600, 0.05, {"intensief": types(200, weight=3)}),
            "S1a": segment("wmo", 300, 0.03, {"begeleiding": types(240, weight=2)}),
        },
        "providers": {"A": {"segments": {"S1": {}, "S2": {}, "S4": {}, "S1a": {}}},
                      "B": {"segments": {"S4": {"weight": 0.5}, "S1a": {}}}},
    }
    return with_pxq_contracts(raw)


# -- sources of the numbers in a shipped YAML file ------------------------------------------------

NUMBER = re.compile(r"[:\[,{]\s*-?\.?[0-9]")


def unlabelled_numbers(path, strict: bool) -> list[tuple[int, str]]:
    """(line number, line) of every line of a YAML file that sets a number without saying where it comes from.

    Loose (the Noord-Limburg file's rule): the line has a comment or a ``source:`` field. Strict: the comment
    or source names a document and its paragraph (``004 par. 6``, ``004 bijlage 1``, ``001 (Diah)``) or says
    ``assumption``/``aanname`` (the patterns of ``simulation.config.sources``).
    """
    bare = []
    for n, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        code, _, comment = text.partition("#")
        if text.lstrip().startswith("#") or not NUMBER.search(code):
            continue
        if not strict:
            ok = bool(comment.strip()) or "source:" in code
        else:
            label = comment + (code[code.index("source:"):] if "source:" in code else "")
            ok = bool(ASSUMPTION_RE.search(label) or DOCUMENT_RE.search(label))
        if not ok:
            bare.append((n, text.strip()))
    return bare
