"""One notebook several times in the report: sections <stem>-<suffix> are its instances."""
from __future__ import annotations

import pytest

from simulation.report import notebooks as nbs
from simulation.report.instances import instance_names, instance_title, split

NB10 = "10_regio_scenario"


def test_instance_names_split_and_title():
    sections = {"all": {}, "01_quick_start": {}, f"{NB10}-meierij": {}, f"{NB10}-zwolle": {}}
    assert instance_names(NB10, sections) == [f"{NB10}-meierij", f"{NB10}-zwolle"]
    assert instance_names("01_quick_start", sections) == ["01_quick_start"]
    assert split(f"{NB10}-noord-limburg") == (NB10, "noord-limburg")
    assert split("01_quick_start") == ("01_quick_start", None)
    assert instance_title("10 Regio", f"{NB10}-zwolle") == "10 Regio (zwolle)"


def test_report_parameters_give_each_instance_its_own_section():
    nb = nbs.find_notebook("10")
    sections = {"all": {"seed": 4, "scenario": "params/noord-limburg.yaml"},
                f"{NB10}-meierij": {"region_file": "params/meierij.yaml", "replications": 3},
                f"{NB10}-zwolle": {"region_file": "params/zwolle.yaml"}}
    params = nbs.report_parameters([nb], sections, {"replications": 2})
    assert list(params) == [f"{NB10}-meierij", f"{NB10}-zwolle"]
    assert params[f"{NB10}-meierij"] == {"seed": 4, "region_file": "params/meierij.yaml", "replications": 2}
    assert params[f"{NB10}-zwolle"]["region_file"] == "params/zwolle.yaml"
    with pytest.raises(nbs.NotebookError, match=f"{NB10}-zwolle: onbekende parameter"):
        nbs.report_parameters([nb], {f"{NB10}-zwolle": {"municipality": "Venlo"}}, {})
    assert nbs.find_notebook(f"{NB10}-zwolle") == nb


def test_the_index_has_a_card_per_instance(tmp_path):
    manifest = {"notebooks": {"01_quick_start": {"parameters": {}, "status": "ok"},
                              f"{NB10}-meierij": {"parameters": {}, "status": "ok"},
                              f"{NB10}-zwolle": {"parameters": {}, "status": "ok"}}}
    page = nbs.write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert f'href="{NB10}-meierij/{NB10}-meierij.html"' in page and "(zwolle)" in page
    assert f'href="{NB10}-meierij/{NB10}-meierij.ipynb"' in page
    assert f'href="{NB10}/{NB10}.html"' not in page
    assert 'href="#01_quick_start"' in page   # a notebook without instances: one card, as before
