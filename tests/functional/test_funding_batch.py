"""The batched payment rules (``Variant.pay_many`` overrides, ``funding.batch``) give exactly the frames of
paying phase by phase (the default ``pay_many``: ``pay`` per phase), bit for bit and row for row, on the
region scenarios and design overlays (many contracts of many variants) and on conversions."""
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scenarios import funding_base, funding_contract, traject_rows
from simulation import simulate
from simulation.config.scenario import scenario_from_dict
from simulation.experiment.compare import variant_specs
from simulation.funding import VARIANTS, Variant
from simulation.funding.payments import compute_payments

PARAMS = Path(__file__).resolve().parents[2] / "params"
SHORT = {"horizon_years": 2, "warmup": {"initial_caseload": True, "days": 0}}
CASES = {**{region: (region, None) for region in ("achterhoek", "meierij", "zwolle", "noord-limburg",
                                                   "noord-limburg-participatie")},
         **{f"design-{d}": ("noord-limburg", d) for d in ("achterhoek", "meierij", "zwolle", "noord-limburg-pxq")}}


def _phase_by_phase(monkeypatch):
    """Every registered rule pays by the default ``pay_many``; fails when no rule batches (a vacuous test)."""
    batched = [type(v) for v in VARIANTS.values() if type(v).pay_many is not Variant.pay_many]
    assert batched
    for cls in batched:
        monkeypatch.setattr(cls, "pay_many", Variant.pay_many)


def _assert_same(scenario, monkeypatch, **inputs):
    batched = compute_payments(scenario, **inputs)
    with monkeypatch.context() as m:
        _phase_by_phase(m)
        alone = compute_payments(scenario, **inputs)
    assert len(batched.payments) and len(batched.finals)
    for name in ("payments", "finals", "plekken"):
        pd.testing.assert_frame_equal(getattr(batched, name), getattr(alone, name), check_exact=True)


@pytest.mark.parametrize("case", list(CASES))
def test_batched_rules_pay_as_phase_by_phase(case, monkeypatch):
    base, design = CASES[case]
    raw = yaml.safe_load((PARAMS / f"{base}.yaml").read_text(encoding="utf-8")) | SHORT
    scenario = variant_specs(raw, {case: PARAMS / "designs" / f"{design}.yaml" if design else None})[0].scenario
    res = simulate(scenario, seed=2, replications=2)
    _assert_same(res.scenario, monkeypatch, events=res.events)


def test_batched_rules_pay_conversions_as_phase_by_phase(monkeypatch):
    """A traject contract that converts to plekken and back, next to a pxq contract followed by a budget contract: several
    phases of one contract, of one rule and of two, in one batch."""
    contracts = [funding_contract("traject", tariffs={"standaard": 3000.0}, share_at_start=0.4,
                                  conversions=[{"date": "2022-05-10", "to": "plekken", "plekken": 2},
                                               {"date": "2022-09-20", "to": "traject"}]),
                 funding_contract("pxq", provider="P2", unit="uur", unit_price=60.0, end="2023-01-01"),
                 funding_contract("budget", provider="P2", budget=20000.0, band=0.05, start="2023-01-01",
                                  realisation={"basis": "pxq", "unit": "uur", "unit_price": 55.0})]
    sc = scenario_from_dict(funding_base(contracts, horizon_years=2))
    rows = [(1, -30, 100), (2, 20, 140, "uitval"), (3, 120, 300), (4, 130, 200), (5, 250, 500, "einde_horizon"),
            (6, 400, 650), (7, 60, 400)]
    tr = pd.concat([traject_rows(rows), traject_rows(rows[2:], provider="P2")], ignore_index=True)
    tr = pd.concat([tr, tr.assign(replication=1, stop=tr["stop"] + 3.0)], ignore_index=True)
    _assert_same(sc, monkeypatch, trajecten=tr, replications=[0, 1])


def test_batched_agreed_amounts_pay_as_phase_by_phase(monkeypatch):
    """Lump sums with and without a tussenevaluatie (re-derived: paid phase by phase inside the batch), a
    population amount per client (counted clients, no valuation) after a budget settled outside a band."""
    real = {"basis": "pxq", "unit": "uur", "unit_price": 50.0}
    contracts = [funding_contract("lumpsum", amount={2022: 30000.0, 2023: 31000.0, 2024: 32000.0},
                                  tussenevaluatie={"jaar": 2022, "vanaf": 2023, "realisation": real}),
                 funding_contract("budget", provider="P2", budget=25000.0, band=0.1, settlement="outside_band",
                                  realisation=real, end="2023-01-01"),
                 funding_contract("population", provider="P2", per_client=900.0, expected_clients=12,
                                  start="2023-01-01", end="2024-01-01"),
                 funding_contract("lumpsum", provider="P2", amount=20000.0, start="2024-01-01")]
    sc = scenario_from_dict(funding_base(contracts, horizon_years=3))
    rows = [(1, -30, 100), (2, 20, 540, "uitval"), (3, 320, 700), (4, 130, 900), (5, 250, 1000, "einde_horizon"),
            (6, 400, 650), (7, 760, 1000, "einde_horizon")]
    tr = pd.concat([traject_rows(rows), traject_rows(rows[1:], provider="P2")], ignore_index=True)
    tr = pd.concat([tr, tr.assign(replication=1, stop=tr["stop"] - 5.0)], ignore_index=True)
    _assert_same(sc, monkeypatch, trajecten=tr, replications=[0, 1])
