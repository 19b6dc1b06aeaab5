"""The what-if page's downloads: the scenario YAML reproduces the page's numbers through the CLI, and
bad input gets the CLI's field message under the field it names, with nothing simulated."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("panel")

from simulation.app.engine import COLUMNS, WHATIF, Engine, measure_frame  # noqa: E402
from simulation.app.page import Page, answer_table, behaviour_text, display_table  # noqa: E402
from simulation.config.scenario import load_scenario  # noqa: E402
from simulation.report.texts import MARGIN_UNKNOWN, NO_BEHAVIOUR  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page():
    engine = Engine(ROOT / "params", workers=1)
    page = Page(engine)
    page.view()
    page.horizon.value, page.replications.value = 1, 2
    yield page
    engine.close()


def test_the_downloaded_yaml_reproduces_the_answer_through_the_cli(page, tmp_path):
    page.plekken["jeugd_regio_a"].value = 30
    answer = page.ask()
    assert not answer.errors, answer.errors
    path = tmp_path / "wat-als-scenario.yaml"
    path.write_bytes(page._yaml().getvalue())
    assert "python -m simulation run" in path.read_text(encoding="utf-8").splitlines()[1]
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "simulation", "run", str(path), "--seed", "1", "--replications", "2",
                           "--out", str(out), "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    events = pd.read_parquet(out / "events.parquet")
    again = measure_frame(load_scenario(path), events, answer.question.segment)   # the page's segment only
    again = again.sort_values(["replication", "year"]).reset_index(drop=True)
    shown = answer.per_replication[answer.per_replication["variant"] == WHATIF]
    shown = shown.sort_values(["replication", "year"]).reset_index(drop=True)
    assert len(shown) == 2
    np.testing.assert_array_equal(again[list(COLUMNS)].to_numpy(float), shown[list(COLUMNS)].to_numpy(float))
    base = answer.per_replication[answer.per_replication["variant"] != WHATIF]
    assert not np.allclose(base["uitgaven"].to_numpy(), shown["uitgaven"].to_numpy())   # the plekken mattered
    # the measures count S3 only: the S2a care that S3 sends its clients to is simulated but not counted
    every = measure_frame(load_scenario(path), events).sort_values(["replication", "year"]).reset_index(drop=True)
    assert (every["uitgaven"] > again["uitgaven"]).all() and "alleen de zorg in S3" in answer.notes[0]


def test_the_page_says_what_the_scenario_lacks_instead_of_a_number_or_an_empty_table(page):
    answer = page.answer or page.ask()
    shown = display_table(answer_table(answer))
    margin = shown[shown["Maat"] == "Marge aanbieders"]
    assert len(margin) and (margin["Basis"] == MARGIN_UNKNOWN).all()   # no provider_costs: not the revenue
    assert (margin["Wat-als"] == "niet bekend").all()
    assert behaviour_text(answer.assumptions[answer.assumptions["value"] != ""]) == NO_BEHAVIOUR


def test_tariff_fields_show_and_read_dutch_numbers_and_refuse_a_decimal_point(page):
    shown = {t: w.value for t, w in page.tariffs.items()}
    assert shown.get("dagbehandeling") == "11.205,65", shown   # Venlo S3 in the scenario: 11205.65
    assert all(v is None for v in page._question().tariffs.values())   # left as shown: no override
    before = page.answer
    page.tariffs["dagbehandeling"].value = "12.345,6"
    assert page._question().tariffs["dagbehandeling"] == 12345.6
    page.tariffs["dagbehandeling"].value = "12345.6"
    answer = page.ask()
    message = answer.errors["tariffs"]
    assert "geen getal in Nederlandse notatie" in message and "'12345,6'" in message and "dagbehandeling" in message
    assert page.errors["tariffs"].visible and page.errors["tariffs"].object == message
    assert answer.per_replication is None and page.answer is before
    page.tariffs["dagbehandeling"].value = shown["dagbehandeling"]


def test_a_negative_plek_count_gets_the_clis_message_in_the_readers_words_under_its_field_and_nothing_runs(page):
    before = page.answer
    page.plekken["jeugd_regio_a"].value = -3
    answer = page.ask()
    message = answer.errors["plekken:jeugd_regio_a"]
    assert "funding.contracts" not in message and "Plekken per jaar" in message and "-3" in message   # reader's words
    assert page.errors["plekken:jeugd_regio_a"].visible and page.errors["plekken:jeugd_regio_a"].object == message
    assert answer.per_replication is None and page.answer is before


def test_a_band_above_one_gets_the_cli_message_under_the_band_field_and_nothing_runs(page):
    before = page.answer
    page.plekken["jeugd_regio_a"].value = page.defaults["providers"]["jeugd_regio_a"]["plekken"]
    page.variant.value = "budget"
    page.shared["budget"].value, page.shared["band"].value = "1.000.000", "1,5"   # typed the Dutch way
    try:
        assert (page._question().budget, page._question().band) == (1e6, 1.5)
        answer = page.ask()
    finally:
        page.variant.value, page.shared["band"].value, page.shared["budget"].value = "as_is", "", ""
    assert set(answer.errors) == {"band"}, answer.errors
    assert "tussen 0 en 1" in answer.errors["band"] and "(gevonden: 1.5)" in answer.errors["band"]
    assert page.errors["band"].visible and page.errors["band"].object == answer.errors["band"]
    assert answer.per_replication is None and page.answer is before


def test_band_budget_and_behaviour_fields_read_dutch_numbers_and_say_so_under_the_field(page):
    assert page.behaviour["doorlooptijd_factor"].value == "1" and page.behaviour["refusal_probability"].value == "0"
    assert all(page.shared[n].value == "" for n in ("band", "budget", "ceiling"))   # Venlo S3 has none: as is
    before = page.answer
    page.behaviour["doorlooptijd_factor"].value, page.shared["ceiling"].value = "0,95", "2.500.000,50"
    page.shared["band"].value = "oneindig"
    try:
        q = page._question()
        assert (q.doorlooptijd_factor, q.ceiling, q.band) == (0.95, 2500000.5, float("inf"))
        page.behaviour["doorlooptijd_factor"].value, page.shared["ceiling"].value = "0.95", "veel"
        answer = page.ask()
    finally:
        page.behaviour["doorlooptijd_factor"].value = "1"
        page.shared["ceiling"].value = page.shared["band"].value = ""
    assert set(answer.errors) == {"doorlooptijd_factor", "ceiling"}, answer.errors
    factor = answer.errors["doorlooptijd_factor"]
    assert "geen getal in Nederlandse notatie" in factor and "'0,95'" in factor, factor
    assert "'veel' is geen getal" in answer.errors["ceiling"]
    for key in ("doorlooptijd_factor", "ceiling"):
        assert page.errors[key].visible and page.errors[key].object == answer.errors[key]
    assert answer.per_replication is None and page.answer is before
