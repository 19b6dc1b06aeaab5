"""The Achterhoek lump-sum start budget (000 par. 3.3, steps 3-7), computed by hand."""
import pytest

from simulation.funding.startbudget import StartBudgetInput, indexed, per_provider, start_budget


def example():
    # EUR 1,000,000 last period for 100 clients: 10,000 per client (step 4); municipality A expects
    # 10% fewer clients (a stronger voorliggend veld), B 5% more (step 5); step 7: +2% indexering,
    # 3% efficiency, -1% through ketenafspraken
    return StartBudgetInput(spend_previous=1_000_000, clients_previous={"A": 60, "B": 40},
                            development={"A": -0.10, "B": 0.05}, indexering=0.02, efficiency=0.03,
                            ketenafspraken=-0.01)


def test_every_step_by_hand():
    t = start_budget(example()).set_index("gemeente")
    assert t.loc["A", "uitgaven_per_client"] == pytest.approx(10_000)
    assert t.loc["A", "clienten_verwacht"] == pytest.approx(54)           # 60 x 0.90
    assert t.loc["B", "clienten_verwacht"] == pytest.approx(42)           # 40 x 1.05
    assert t.loc["A", "eerste_raming"] == pytest.approx(540_000)
    assert t.loc["B", "eerste_raming"] == pytest.approx(420_000)
    assert t.loc["regio", "eerste_raming"] == pytest.approx(960_000)      # step 6: the sum
    # step 7: 1.02 x 0.97 x 0.99 = 0.979506
    assert t.loc["A", "startbudget"] == pytest.approx(528_933.24)
    assert t.loc["B", "startbudget"] == pytest.approx(411_392.52)
    assert t.loc["regio", "startbudget"] == pytest.approx(940_325.76)
    assert t.loc["regio", "ontwikkeling"] == pytest.approx(0.96)          # 96 of 100 clients
    # each amount is the one before it times the step's factor
    for _, r in t.iterrows():
        assert r.startbudget == pytest.approx(r.eerste_raming * r.indexering * r.efficiency * r.ketenafspraken)


def test_lump_sum_per_organisation_and_indexation():
    lumps = per_provider(start_budget(example()), {"groot": 3, "klein": 1}).set_index(["gemeente", "aanbieder"])
    assert lumps.loc[("A", "groot"), "lumpsum"] == pytest.approx(396_699.93)
    assert lumps.loc[("A", "klein"), "lumpsum"] == pytest.approx(132_233.31)
    assert lumps["lumpsum"].sum() == pytest.approx(940_325.76)
    assert indexed(100_000, 2022, 3, 0.02) == {2022: 100_000.0, 2023: 102_000.0, 2024: 104_040.0}


@pytest.mark.parametrize("kw, message", [
    ({"clients_previous": {}}, "clients_previous"),
    ({"development": {"C": 0.1}}, "development names"),
    ({"efficiency": 1.0}, "efficiency"),
])
def test_bad_input_is_refused_with_the_field_named(kw, message):
    args = dict(spend_previous=1.0, clients_previous={"A": 1}) | kw
    with pytest.raises(ValueError, match=message):
        StartBudgetInput(**args)
