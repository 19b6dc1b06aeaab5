"""report/texts.py: source lines name documents, banners, Dutch column names; report/figures.py's day ticks."""
import doctest
import re
import tempfile
from pathlib import Path

import pandas as pd

from simulation.report import texts
from simulation.report.figures import day_ticks
from simulation.report.notebooks import save_table


def test_doctests():
    assert doctest.testmod(texts).failed == 0


def test_a_source_line_names_the_document_and_paragraph_not_a_folder():
    line = texts.simulation_source("noord-limburg", 1, 7, [("004", "par. 7.2"), ("001", "")])
    assert line == ("Bron: simulatie van scenario 'noord-limburg' (1 replicatie, seed 7); 004 Inkoopnota Noord-Limburg, "
                    "par. 7.2; 001 Raadsinformatiebrief Zwolle (resultaatgericht contracteren)")
    assert set(texts.DOCUMENTS) == {"000", "001", "002", "003", "004"}


def test_columns_and_values_get_their_dutch_display_names():
    assert texts.column_name("municipality") == "Gemeente"
    assert texts.column_name("wacht_dagen_gem_ci_laag") == "Wachttijd, gemiddeld (dagen): 95%-BI ondergrens"
    assert texts.column_name("iets_anders") == "iets_anders"
    t = texts.dutch_table(pd.DataFrame({"provider": ["jeugd_regio_a"], "variant": ["output_monthly"], "x": [1]}))
    assert list(t.columns) == ["Aanbieder", "Bekostigingsvariant", "X"]   # no display name: the code name, readable
    assert t.iloc[0].tolist() == ["Jeugd regionaal A", "Outputgericht maandtarief", "1"]


def test_whole_numbers_in_a_page_table_are_dutch_but_years_are_not():
    frame = pd.DataFrame({"year": [2022, 2023], "uitgaven": [2252314.4, 2873058.0], "clienten": [12633, 279]},
                         index=[14, 3])   # positions after a sort: not a column on the page
    t = texts.dutch_table(frame)
    assert list(t.columns) == ["Jaar", "Uitgaven", "Clienten"]
    assert t["Jaar"].tolist() == [2022, 2023]
    assert t["Uitgaven"].tolist() == ["2.252.314", "2.873.058"] and t["Clienten"].tolist() == ["12.633", "279"]
    assert texts.dutch_table(pd.DataFrame({"factor": [0.778, float("nan")]}))["Factor"].tolist() == ["0,778", "–"]


def test_a_banner_is_the_first_line_of_the_answer():
    answer = texts.with_banner(texts.SYNTHETIC_BANNER, "2022: Venlo ...")
    assert answer.splitlines()[0] == texts.SYNTHETIC_BANNER and "synthetische gegevens" in answer


def test_day_ticks_are_round_and_reach_the_end():
    assert list(day_ticks(100)) == [0, 30, 60, 90, 120]
    assert list(day_ticks(1411)) == [0, 365, 730, 1095, 1460]
    assert day_ticks(567)[-1] >= 567


def test_a_run_on_part_of_the_segments_is_marked_as_a_demonstration():
    assert "demonstratie" in texts.subset_banner(["S1", "S1a"], ["S1", "S1a", "S2"])
    assert texts.subset_banner(["S1", "S2"], ["S2", "S1"]) == ""


def test_a_page_table_shows_no_row_numbers_but_keeps_a_meaningful_index():
    html = texts.dutch_table(pd.DataFrame({"year": [2022, 2023], "factor": [0.5, 0.75]}))._repr_html_()
    assert "<th>Jaar</th>" in html and "<td>2022</td>" in html
    assert "<th>0</th>" not in html and "<th>1</th>" not in html   # pandas' row numbers
    pivot = pd.DataFrame({"x": [1.5]}, index=pd.Index(["Venlo"], name="municipality"))
    html = texts.dutch_table(pivot)._repr_html_()
    assert "<th>Gemeente</th>" in html and "<td>Venlo</td>" in html and "<th>0</th>" not in html


def test_a_table_save_table_returns_for_the_page_shows_no_row_numbers(tmp_path):
    html = save_table(pd.DataFrame({"segment": ["S1", "S2"], "uitgaven": [1.5, 2.0]}), tmp_path, "t")._repr_html_()
    assert "<td>S1</td>" in html and "<th>0</th>" not in html


def test_a_page_table_aligns_its_text_columns_left_and_its_numbers_right():
    frame = pd.DataFrame({"year": [2022, 2023], "omschrijving": ["Individuele begeleiding", "Dagbesteding"],
                          "uitgaven": ["€ 10.185.616", "€ 413.364"], "interval": ["€ 1 - € 2", "–"],
                          "instroom": [12633.2, 56.0]})
    html = texts.dutch_table(frame)._repr_html_()
    rule = re.search(r"<style>(.*?) \{ text-align: left; \}</style>", html).group(1)
    table_id = re.search(r'<table id="([^"]+)"', html).group(1)
    assert rule == f"#{table_id} th:nth-child(2), #{table_id} td:nth-child(2)"   # only Omschrijving
    assert re.search(r"<style>", save_table(frame, Path(tempfile.mkdtemp()), "t")._repr_html_())
