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
SHORT = {"horizon_years": 1, "warmup": {"initial_caseload": True, "days": 0}}   # an equilibrium caseload at the start, no warm-up run


@pytest.mark.parametrize("region", ["achterhoek", "meierij", "zwolle"])
def test_region_runs_and_conserves_money(region):
    res = simulate(PARAMS / f"{region}.yaml", seed=3, replications=1, overrides=SHORT)
    k = kpis(res.events, res.scenario, by=("segment",), period="quarter")
    assert set(k["segment"]) == set(res.scenario.segments)
    assert (k.groupby("segment", observed=True)["unieke_clienten"].max() > 0).all()
    pay = compute_payments(res.scenario, events=res.events)
    t = pay.per_contract_year()
    np.testing.assert_allclose(t["paid"], t["final"], rtol=0, atol=1e-6)
    assert t["final"].sum() > 0


def test_achterhoek_refusal_overlay_refuses_heavy_clients():
    over = load_variant(PARAMS / "behaviour" / "achterhoek-weigering.yaml") | SHORT
    res = simulate(PARAMS / "achterhoek.yaml", seed=3, replications=1, overrides=over)
    refused = res.events[(res.events["event"] == "toewijzing") & (res.events["reden"] == "weigering")]
    assert len(refused) > 0
    assert set(refused["segment"].astype(str)) <= {"IAJ", "IO"}
    assert set(refused["traject_type"].astype(str)) <= {"intensief", "beschermd_thuis"}


def test_the_design_overlays_compare_on_noord_limburgs_clients():
    import yaml

    from simulation.experiment.compare import compare
    base = yaml.safe_load((PARAMS / "noord-limburg.yaml").read_text(encoding="utf-8")) | SHORT
    designs = {name: PARAMS / "designs" / f"{name}.yaml" for name in ("achterhoek", "meierij", "zwolle")}
    cmp = compare(base, {"noord-limburg": None, **designs}, replications=1, seed=1)
    spend = cmp.predictability.groupby("variant")["uitgaven_gem"].sum()
    assert set(spend.index) == {"noord-limburg", *designs} and (spend > 0).all()
    # common random numbers: none of the three designs acts on the flow (no plekken, ceilings or refusals),
    # so they serve exactly the same clients; Noord-Limburg's own plekken and ceilings may change who waits
    clients = cmp.per_replication[cmp.per_replication["variant"].isin(list(designs))]
    clients = clients.groupby(["variant", "replication", "municipality", "year"])["unieke_clienten"].sum()
    assert (clients.unstack("variant").nunique(axis=1) == 1).all()
