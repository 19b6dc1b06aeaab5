"""Every region scenario runs end to end (small horizon), its money is conserved, and the Achterhoek
perverse-incentive overlay makes the lump-sum providers refuse heavy clients."""
from pathlib import Path

import numpy as np
import pytest

from simulation import simulate
from simulation.analysis.kpis import kpis
from simulation.experiment.compare import load_variant
from simulation.funding.payments import compute_payments

PARAMS = Path(__file__).resolve().parents[2] / "params"


@pytest.mark.parametrize("region", ["achterhoek", "meierij", "zwolle"])
def test_region_runs_and_conserves_money(region):
    res = simulate(PARAMS / f"{region}.yaml", seed=3, replications=1, overrides={"horizon_years": 1})
    k = kpis(res.events, res.scenario, by=("segment",), period="quarter")
    assert set(k["segment"]) == set(res.scenario.segments)
    assert (k.groupby("segment", observed=True)["unieke_clienten"].max() > 0).all()
    pay = compute_payments(res.scenario, events=res.events)
    t = pay.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], rtol=0, atol=1e-6)
    assert t["final"].sum() > 0


def test_achterhoek_refusal_overlay_refuses_heavy_clients():
    over = load_variant(PARAMS / "behaviour" / "achterhoek-weigering.yaml") | {"horizon_years": 1}
    res = simulate(PARAMS / "achterhoek.yaml", seed=3, replications=1, overrides=over)
    refused = res.events[(res.events["event"] == "toewijzing") & (res.events["reden"] == "weigering")]
    assert len(refused) > 0
    assert set(refused["segment"].astype(str)) <= {"IAJ", "IO"}
    assert set(refused["traject_type"].astype(str)) <= {"intensief", "beschermd_thuis"}
