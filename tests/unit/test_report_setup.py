"""The notebooks' shared set-up (report/setup.py): parameters checked with clear messages, output folder made."""
import pytest

from simulation.report.setup import notebook_context

SCENARIO = "params/noord-limburg.yaml"


def test_context_loads_the_scenario_makes_out_dir_and_reads_2019(tmp_path):
    ctx = notebook_context(tmp_path / "out", SCENARIO, seed=3, replications=2, horizon_years=1,
                           municipality="Venlo", segment="S3", data_2019="params/data/noord_limburg_2019_segments.csv",
                           target_bezetting=0.95)
    assert ctx.out_dir.is_dir()
    assert ctx.scenario.horizon_years == 1 and ctx.first_year == ctx.scenario.years[0]
    assert "2 replicaties, seed 3" in ctx.source and "004 Inkoopnota Noord-Limburg, par." in ctx.source
    assert "shared/seeds" not in ctx.source
    assert "S3" in set(ctx.data_2019["segment"])


@pytest.mark.parametrize("params, message", [
    ({"municipality": "Venloo"}, r"parameter municipality='Venloo': onbekend; toegestaan: \[.*'Venlo'"),
    ({"segment": "S9"}, r"parameter segment='S9': onbekend"),
    ({"replications": 1, "min_replications": 2, "why": "paired differences"},
     r"parameter replications=1: moet een geheel getal van 2 of meer zijn \(paired differences\)"),
    ({"target_bezetting": 1.5}, r"parameter target_bezetting=1.5: moet in \(0, 1\] liggen"),
    ({"variants": ["pxq"]}, r"moet 'traject' bevatten"),
    ({"variants": ["traject", "nope"]}, r"onbekende variant\(en\) \['nope'\]"),
    ({"segments": ["S3", "X"]}, r"onbekend\(e\) segment\(en\) \['X'\]"),
    ({"data_2019": "params/data/none.csv"}, r"parameter data_2019='params/data/none.csv': bestand niet gevonden"),
    ({"municipality": "Venlo", "segment": "S3", "provider": "nobody"}, r"provider='nobody': bedient Venlo niet"),
])
def test_bad_parameters_are_refused_with_the_parameter_named(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        notebook_context(tmp_path, SCENARIO, **params)


def test_segments_all_means_every_segment(tmp_path):
    ctx = notebook_context(tmp_path, SCENARIO, segments="all")
    assert ctx.segments == list(ctx.scenario.segments)


def test_a_parameter_without_a_rule_is_a_programming_error(tmp_path):
    with pytest.raises(TypeError, match="no rule for parameter 'target'"):
        notebook_context(tmp_path, target=1)
