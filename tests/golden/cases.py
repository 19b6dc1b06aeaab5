"""The golden cases: what the tool computes today, for the scenarios the tests and the report use.

Each case is a scenario (and seeds) whose event log, KPI table and payment tables are recorded
in ``tests/golden/`` by ``python tests/golden/record.py`` and compared by ``tests/backtest/test_golden.py``.
A refactor keeps them identical; an intended change of results re-records them in a commit of
its own that says why.

Event logs are stored as SHA-256 hashes (in the order written and in a canonical row order);
KPI and payment tables are stored whole (Parquet), so a difference can be shown cell by cell.
"""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SEEDS = (1, 2)


def _yaml(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def _overlay(base: str, overlay: str) -> dict:
    raw = _yaml(base)
    raw.update(_yaml(overlay))
    return raw


def _private_rich() -> dict:
    """tests/functional/test_private_clocks.py's scenario with every flow rule for Venlo in S3 (plafond with
    refusal and a doorlooptijd factor, extra capacity), long lives and stacking."""
    raw = {
        "name": "klein-rich", "start_date": "2022-01-01", "horizon_years": 2,
        "warmup": {"initial_caseload": True, "days": 365},
        "municipalities": {"Venlo": {"population": 101797}, "Beesel": {"population": 13483}},
        "segments": {
            "S3": {"domain": "jeugd", "instroom": {"per_year": 600, "base_year": 2021, "growth": 0.05},
                   "voorliggend_veld_share": 0.2, "stacking_probability": 0.3, "max_wait_days": 30,
                   "toegang_doorlooptijd": {"kind": "exponential", "mean": 10},
                   "recidive": {"probability": 0.8, "delay": {"kind": "exponential", "mean": 20}},
                   "traject_types": {
                       "licht": {"share": 0.7, "planned_doorlooptijd": 90, "weight": 6,
                                 "doorlooptijd": {"kind": "lognormal", "mean": 90, "cv": 0.5},
                                 "outcomes": {"afschaling": 0.3, "verlenging": 0.6, "opschaling": 0.1},
                                 "opschaling_to": {"segment": "S4", "traject_type": "verblijf"}},
                       "zwaar": {"share": 0.3, "planned_doorlooptijd": 180,
                                 "doorlooptijd": {"kind": "gamma", "mean": 180, "cv": 0.7},
                                 "outcomes": {"afschaling": 0.8, "step_down": 0.2}, "step_down_to": "licht"}}},
            "S4": {"domain": "jeugd", "instroom": {"per_year": 40, "base_year": 2022},
                   "traject_types": {"verblijf": {"share": 1, "planned_doorlooptijd": 300,
                                                  "doorlooptijd": {"kind": "lognormal", "mean": 300, "cv": 0.4}}}}},
        "providers": {
            "Aanbieder A": {"segments": {"S3": {}, "S4": {}}},
            "Aanbieder B": {"segments": {"S3": {"weight": 0.5, "maatwerk_factor": 1.3}}},
            "Aanbieder C": {"segments": {"S3": {"weight": 0.5}}}},
    }
    tariffs = {"licht": 2000, "zwaar": 2000}
    venlo = {"municipality": "Venlo", "segment": "S3"}
    raw["funding"] = {"contracts": [
        {**venlo, "provider": "Aanbieder A", "variant": "plafond", "ceiling": 40_000,
         "realisation": {"basis": "traject", "tariffs": tariffs},
         "behaviour": {"refusal_probability": 0.5, "doorlooptijd_factor": 1.2, "source": "test"}},
        {**venlo, "provider": "Aanbieder B", "variant": "traject", "tariffs": tariffs, "extra_capacity": True}]}
    return raw


def _every_variant() -> dict:
    """Eight municipalities, one contract variant each (with conversions, bonus-malus, a band,
    behaviour factors, extra capacity and provider costs): every payment rule on a simulated log."""
    muns = ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"]
    raw = {
        "name": "every-variant", "start_date": "2022-01-01", "horizon_years": 2,
        "warmup": {"initial_caseload": True, "days": 365},
        "municipalities": {m: {"population": 20_000 + 1000 * i} for i, m in enumerate(muns)},
        "segments": {"S3": {
            "domain": "jeugd", "instroom": {"per_year": 800, "base_year": 2022}, "max_wait_days": 42,
            "traject_types": {
                "standaard": {"share": 0.8, "weight": 9, "planned_doorlooptijd": 180,
                              "doorlooptijd": {"kind": "lognormal", "mean": 180, "cv": 0.5},
                              "outcomes": {"afschaling": 0.8, "verlenging": 0.1, "uitval": 0.1}},
                "zwaar": {"share": 0.2, "weight": 14, "planned_doorlooptijd": 270,
                          "doorlooptijd": {"kind": "gamma", "mean": 270, "cv": 0.6},
                          "outcomes": {"afschaling": 0.7, "step_down": 0.3}, "step_down_to": "standaard"}}}},
        "providers": {"P1": {"segments": {"S3": {"weight": 3}}},
                      "P2": {"perceel": "lokaal", "municipalities": [m for m in muns if m != "M6"],
                             "segments": {"S3": {}}},
                      "P3": {"segments": {"S3": {"weight": 0.2}}}},
    }
    tariffs = {"standaard": 8646.0, "zwaar": 14000.0}
    real = {"basis": "traject", "tariffs": tariffs}

    def c(mun, variant, provider="P1", **kw):
        return {"municipality": mun, "provider": provider, "segment": "S3", "variant": variant, **kw}

    raw["funding"] = {
        "contracts": [
            c("M1", "pxq", unit_price={"standaard": 80.0, "zwaar": 95.0},
              behaviour={"intensity_factor": 1.1, "source": "test"}),
            c("M2", "traject", tariffs=tariffs, share_at_start=0.6,
              conversions=[{"date": "2023-01-01", "to": "plekken", "plekken": 12}],
              bonus_malus={"measure": "doorlooptijd", "target": 200, "rate": 5.0}),
            c("M3", "output_monthly", monthly_tariffs={"licht": 1400.0, "zwaar": 2100.0},
              categories={"standaard": "licht", "zwaar": "zwaar"}),
            c("M4", "plekken", plekken={2022: 10, 2023: 8}, tariffs=tariffs,
              conversions=[{"date": "2023-07-01", "to": "traject"}]),
            c("M5", "budget", budget=400_000, band=0.05, settlement="outside_band", realisation=real,
              bonus_malus={"measure": "kosten_per_client", "target": 9000, "rate": 0.5, "symmetric": False}),
            c("M6", "plafond", ceiling={2022: 150_000, 2023: 180_000}, realisation=real,
              behaviour={"refusal_probability": 0.3, "doorlooptijd_factor": 0.9, "source": "test"}),
            c("M6", "traject", provider="P3", tariffs=tariffs, extra_capacity=True),
            c("M7", "lumpsum", amount=350_000),
            c("M8", "population", per_client=9000.0, expected_clients={2022: 40, 2023: 45}, band=0.1),
        ],
        "provider_costs": {"P1": {"cost_per_unit": 60.0, "fixed_per_plek_year": 1500.0},
                           "P2": {"cost_per_unit": 55.0}},
    }
    return raw


def scenario_cases() -> dict[str, tuple[dict, int]]:
    """name -> (raw scenario, replications)."""
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    from scenarios import RICH, mginf_scenario, mmc_scenario   # noqa: E402

    rich0 = copy.deepcopy(RICH)
    rich0["warmup"] = {"initial_caseload": False, "days": 0}
    demo = "params/variants/funding-demo.base.yaml"
    cases = {
        "noord-limburg": (_yaml("params/noord-limburg.yaml"), 1),
        "smoke": (_yaml("tests/data/smoke.yaml"), 2),
        "records-scenario": (_yaml("tests/data/records_scenario.yaml"), 1),
        "rich": (copy.deepcopy(RICH), 2),
        "rich-empty-start": (rich0, 1),
        "mmc-5": (mmc_scenario(5, 0.8, 10.0, 100.0).model_dump(mode="json", exclude_none=True), 2),
        "mginf": (mginf_scenario({"kind": "lognormal", "mean": 60, "cv": 1.2}, 3, 200.0, 30.0)
                  .model_dump(mode="json", exclude_none=True), 1),
        "private-rich": (_private_rich(), 1),
        "every-variant": (_every_variant(), 2),
    }
    for variant in ("plekken", "budget", "lumpsum", "trajecten"):
        cases[f"demo-{variant}"] = (_overlay(demo, f"params/variants/{variant}-venlo.yaml"), 2)
    return cases


def compare_cases() -> dict[str, tuple[dict, dict, int]]:
    """name -> (base scenario, variants, replications) for ``compare``."""
    demo = "params/variants/funding-demo.base.yaml"
    variants = {v: str(ROOT / f"params/variants/{v}-venlo.yaml") for v in ("trajecten", "plekken", "budget")}
    return {"compare-demo": (_yaml(demo), variants, 3)}


# -- what is recorded -------------------------------------------------------------------------------

def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's columns, dtypes and values (floats by their bits)."""
    h = hashlib.sha256()
    h.update(repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def outputs(name: str, raw: dict, replications: int, seed: int) -> dict:
    """Event-log hashes and the KPI and payment tables of one case at one seed."""
    from simulation import simulate
    from simulation.funding.payments import compute_payments
    from simulation.analysis.kpis import kpis
    from simulation.config.scenario import scenario_from_dict

    scenario = scenario_from_dict(copy.deepcopy(raw), source=name)
    result = simulate(scenario, seed=seed, replications=replications)
    events = result.events
    fund = compute_payments(scenario, events=events)
    return {
        "events_rows": int(len(events)),
        "events_sha256": frame_hash(events.reset_index(drop=True)),
        "events_canonical_sha256": frame_hash(canonical(events)),
        "tables": {
            "kpis": kpis(events, scenario).reset_index(drop=True),
            "payments": fund.payments.reset_index(drop=True),
            "finals": fund.finals.reset_index(drop=True),
            "plekken": fund.plekken.reset_index(drop=True),
        },
    }


def compare_outputs(raw: dict, variants: dict, replications: int, seed: int) -> dict:
    from simulation.experiment.compare import compare

    cmp = compare(copy.deepcopy(raw), variants, replications=replications, seed=seed)
    return {"tables": {"per_replication": cmp.per_replication.reset_index(drop=True),
                       "summary": cmp.summary.reset_index(drop=True),
                       "predictability": cmp.predictability.reset_index(drop=True)}}


def table_path(case: str, seed: int, table: str) -> Path:
    return GOLDEN / "tables" / f"{case}.seed{seed}.{table}.parquet"


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as strings (Parquet keeps the values; the categories' order is not a result)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


np.seterr(all="ignore")
