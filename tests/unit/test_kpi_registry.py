"""The KPI registry: kpis() computes exactly the registered KPIs, in registry order; adding one is one entry."""
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulation import simulate
from simulation.analysis import kpi_registry
from simulation.analysis.kpis import KPI_COLUMNS, kpis
from simulation.config.scenario import scenario_from_dict

SMOKE = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "smoke.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run():
    scenario = scenario_from_dict(SMOKE, overrides={"horizon_years": 1, "warmup": {"days": 90}})
    return scenario, simulate(scenario, seed=4, replications=2).events


def test_kpi_columns_are_the_registry_in_order():
    assert KPI_COLUMNS == tuple(kpi_registry.KPIS)
    assert KPI_COLUMNS[:3] == ("instroom", "uitstroom", "unieke_clienten") and KPI_COLUMNS[-1] == "doelrealisatie"
    counts = [k.name for k in kpi_registry.KPIS.values() if k.integer]
    assert counts == ["instroom", "uitstroom", "unieke_clienten", "caseload_1jan", "wachtlijst_eind",
                      "instroom_inwoners", "uitstroom_inwoners", "doorstroom_voorliggend_veld",
                      "afgesloten_trajecten"]


def test_a_registered_kpi_becomes_a_column(run, monkeypatch):
    scenario, events = run
    monkeypatch.setattr(kpi_registry, "KPIS", dict(kpi_registry.KPIS))
    monkeypatch.setattr("simulation.analysis.kpis.KPIS", kpi_registry.KPIS)

    @kpi_registry.kpi("starts_in_year", integer=True)
    def _starts(context):
        return context.count((context.run.start >= context.lo) & (context.run.start < context.hi))

    table = kpis(events, scenario, by=[])
    assert table["starts_in_year"].dtype == np.int64
    assert (table["starts_in_year"] >= table["instroom"]).all(), "instroom is the starts that are no continuation"
    with pytest.raises(ValueError, match="registered twice"):
        kpi_registry.kpi("instroom")(lambda context: None)


def test_kpis_by_group_add_up_to_the_region(run):
    scenario, events = run
    region = kpis(events, scenario, by=[]).set_index(["replication", "year"])
    groups = kpis(events, scenario).groupby(["replication", "year"])[["instroom", "uitstroom", "wachtlijst_eind"]].sum()
    assert (groups == region[["instroom", "uitstroom", "wachtlijst_eind"]]).all().all()
