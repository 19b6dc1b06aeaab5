"""Building blocks of the notebooks: tariffs from the 2019 figures, focus on a segment, contracts per pair."""
from pathlib import Path

import pandas as pd
import pytest

from simulation.report.helpers import (contracts_for, focus, plekken_for_load, scenario_tariffs, spend_verdict,
                                       with_lower_growth, without_plekken)
from simulation.config.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default():
    return load_scenario(ROOT / "params" / "noord-limburg.yaml")


def test_notebook_tariffs_are_the_scenarios_own(default):
    for segment in ("S3", "S4", "S1a"):
        tariffs = scenario_tariffs(default, segment)
        own = [c for c in default.funding.contracts if c.segment == segment and c.variant in ("traject", "plekken")]
        assert own and all(c.tariffs == tariffs for c in own)
    with pytest.raises(ValueError, match="derive_funding"):
        scenario_tariffs(scenario_from_dict({k: v for k, v in default.model_dump(mode="json", exclude_none=True).items()
                                             if k != "funding"}), "S3")


def test_focus_keeps_the_segments_clients_flow_into_and_contracts_cover_every_pair(default):
    raw = default.model_dump(mode="json", exclude_none=True)
    kept = focus(raw, ["S4"])
    assert "S4" in kept["segments"] and set(kept["segments"]) < set(raw["segments"])
    for seg in kept["segments"].values():
        for t in seg["traject_types"].values():
            if t.get("outcomes", {}).get("opschaling", 0) > 0:
                assert t["opschaling_to"]["segment"] in kept["segments"], "opschaling targets are kept"
    base = scenario_from_dict(without_plekken(kept, "S4"))
    assert all("S4" not in per_seg for p in base.providers.values() for per_seg in p.plekken.values())
    contracts = contracts_for(base, list(base.municipalities), "S4", "traject", tariffs={"x": 1})
    pairs = {(c["municipality"], c["provider"]) for c in contracts}
    assert pairs == {(m, p) for m in base.municipalities for p in base.providers_for(m, "S4")}


def test_plekken_for_load_rounds_up_and_buys_at_least_one():
    load = pd.DataFrame({"municipality": ["A", "A", "B"], "provider": ["p", "p", "q"], "year": [2022, 2023, 2022],
                         "load": [3.9, 0.1, 1.9]})
    assert plekken_for_load(load, 0.95) == {"p": {2022: 5, 2023: 1}, "q": {2022: 2}}
    assert plekken_for_load(load, 1.0, by=["municipality", "provider"])[("B", "q")] == {2022: 2}


def test_spend_verdict_reads_the_interval():
    assert spend_verdict(-5, -1).startswith("wint")
    assert spend_verdict(1, 5).startswith("verliest")
    assert spend_verdict(-1, 1) == "geen duidelijk verschil"


def test_with_lower_growth_keeps_the_first_year_and_lowers_growth(default):
    raw = default.model_dump(mode="json", exclude_none=True)
    first = default.years[0]
    out = with_lower_growth(raw, first, 0.015, 0.02)
    for name, seg in out["segments"].items():
        before = raw["segments"][name]["instroom"]
        cut = 0.015 if seg["domain"] == "jeugd" else 0.02
        assert seg["instroom"]["base_year"] == first
        assert seg["instroom"]["growth"] == pytest.approx(before.get("growth", 0.0) - cut)
    assert raw["segments"] != out["segments"], "the input is not changed in place"
