"""Records: format, every validation rule, privacy, export and the shipped synthetic dataset."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from simulation import simulate
from simulation.data.records import (JZ588, MODEL_TO_REDEN, WMO588, PrivacyError, RecordsError, export_records,
                                load_table, passes_elfproef, pseudonymous_key, read_records)

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIO = DATA / "records_scenario.yaml"
PERIOD = ("2022-01-01", "2022-12-31")


@pytest.fixture(scope="module")
def valid() -> pd.DataFrame:
    """The first 30 shipped records as strings (a valid file)."""
    frame, _ = load_table(DATA / "records_2022.csv")
    return frame.head(30).copy()


def _first(frame, column, condition=None):
    idx = frame.index[condition] if condition is not None else frame.index
    return int(idx[0])


def _check(frame, row_index, column, value, rule_words, scenario=SCENARIO):
    with pytest.raises(RecordsError) as info:
        read_records(frame, scenario=scenario, study_period=PERIOD)
    text = str(info.value)
    row = row_index + 1
    hits = [p for p in info.value.problems if p.row == row and p.column == column]
    assert hits, f"no problem reported for row {row}, column {column}:\n{text}"
    assert any(p.value == str(value) for p in hits), text
    assert any(re.search(rule_words, p.rule) for p in hits), text
    assert f"rij {row}, kolom {column}, waarde {str(value)!r}" in text
    return info.value


def test_shipped_dataset_is_valid_and_csv_equals_parquet():
    csv = read_records(DATA / "records_2022.csv", scenario=SCENARIO, study_period=PERIOD)
    pq = read_records(DATA / "records_2022.parquet", scenario=SCENARIO)   # period from the Parquet metadata
    assert pq.attrs["study_period"] == csv.attrs["study_period"]
    pd.testing.assert_frame_equal(csv, pq)
    open_share = csv["einddatum"].isna().mean()
    assert 0.15 < open_share < 0.6
    assert set(csv["reden_beeindiging"].dropna()) <= set(JZ588)


def test_shipped_dataset_is_reproducible_from_its_script(tmp_path):
    result = simulate(SCENARIO, seed=7)
    export_records(result.events, result.scenario, tmp_path / "r.csv", study_period=PERIOD)
    assert (tmp_path / "r.csv").read_bytes() == (DATA / "records_2022.csv").read_bytes()


# -- one failing input per rule ------------------------------------------------------------------------

def _mutate(valid, column, value, where=None):
    frame = valid.copy()
    i = _first(frame, column, where(frame) if where else None)
    frame.loc[i, column] = value
    return frame, i


@pytest.mark.parametrize("column", ["client_key", "municipality", "provider", "toewijzingnummer", "segment",
                                    "traject_type", "datum_toewijzing", "eenheid", "volume", "bekostiging"])
def test_required_value_missing(valid, column):
    frame, i = _mutate(valid, column, None)
    _check(frame, i, column, "", "verplichte waarde ontbreekt")


@pytest.mark.parametrize("column,value", [("datum_toewijzing", "2022-13-01"), ("begindatum", "1-2-22"),
                                          ("einddatum", "gisteren")])
def test_not_a_date(valid, column, value):
    frame, i = _mutate(valid, column, value, lambda f: f["einddatum"].notna())
    _check(frame, i, column, value, "geen datum")


def test_stop_before_start(valid):
    frame, i = _mutate(valid, "einddatum", "2022-01-02", lambda f: f["einddatum"].notna())
    frame.loc[i, "begindatum"] = "2022-03-01"
    _check(frame, i, "einddatum", "2022-01-02", "einde voor het begin \\(begindatum 2022-03-01\\)")


def test_start_before_toewijzing(valid):
    frame, i = _mutate(valid, "begindatum", "2010-01-01", lambda f: f["einddatum"].notna())
    _check(frame, i, "begindatum", "2010-01-01", "voor de toewijzing")


def test_missing_start_with_stop(valid):
    frame, i = _mutate(valid, "begindatum", None, lambda f: f["einddatum"].notna())
    _check(frame, i, "begindatum", "", "begin van de zorg ontbreekt")


@pytest.mark.parametrize("column,value,words", [
    ("datum_toewijzing", "2023-02-01", "toewijzing na het einde van de onderzoeksperiode"),
    ("begindatum", "2023-02-01", "begin van de zorg na het einde"),
    ("einddatum", "2023-02-01", "einde na het einde"),
    ("einddatum", "2021-12-31", "eindigde voor de onderzoeksperiode")])
def test_dates_outside_the_study_period(valid, column, value, words):
    frame, i = _mutate(valid, column, value, lambda f: f["einddatum"].notna() & (f["begindatum"] < "2021-12-01"))
    _check(frame, i, column, value, words)


@pytest.mark.parametrize("column,value,words", [
    ("domain", "zorg", "onbekend domein"),
    ("productcategorie", "12", "JZ020"),
    ("productcode", "45-1", "5 letters of cijfers"),
    ("reden_beeindiging", "19", "JZ588"),
    ("eenheid", "99", "WJ756"),
    ("volume", "-1", "0 of meer"),
    ("bekostiging", "lumpsum", "onbekende bekostiging"),
    ("municipality", "Atlantis", "onbekende gemeente"),
    ("segment", "S9", "onbekend segment"),
    ("provider", "Onbekend", "onbekende aanbieder"),
    ("traject_type", "middel", "onbekend trajecttype")])
def test_unknown_codes_and_names(valid, column, value, words):
    frame, i = _mutate(valid, column, value, lambda f: f["einddatum"].notna())
    _check(frame, i, column, value, words)


def test_wmo_reason_list_is_not_the_youth_list(valid):
    frame = valid.copy()
    frame["domain"] = "wmo"
    frame["productcategorie"] = "02"
    i = _first(frame, "reden_beeindiging", frame["einddatum"].notna())
    frame.loc[i, "reden_beeindiging"] = "32"  # a JZ588 code that is not in WMO588
    _check(frame, i, "reden_beeindiging", "32", "WMO588", scenario=None)
    j = _first(frame, "domain")
    _check(frame, j, "domain", "wmo", "segment .* hoort bij domein jeugd")


def test_reason_and_stop_go_together(valid):
    frame, i = _mutate(valid, "reden_beeindiging", None, lambda f: f["einddatum"].notna())
    _check(frame, i, "reden_beeindiging", "", "reden van beëindiging ontbreekt")
    frame, i = _mutate(valid, "reden_beeindiging", "31", lambda f: f["einddatum"].isna())
    _check(frame, i, "reden_beeindiging", "31", "de einddatum is leeg")


def test_duplicates(valid):
    frame = valid.copy()
    later = valid.index[(valid.index > 2) & (valid["municipality"] == valid.loc[2, "municipality"])][0]
    frame.loc[later, "toewijzingnummer"] = frame.loc[2, "toewijzingnummer"]   # numbers are per municipality
    _check(frame, later, "toewijzingnummer", frame.loc[2, "toewijzingnummer"], "dubbele toewijzing.*rij 3")
    closed = valid.index[valid["einddatum"].notna()][0]
    frame = pd.concat([valid, valid.loc[[closed]].assign(toewijzingnummer="TW99999999")], ignore_index=True)
    _check(frame, len(frame) - 1, "toewijzingnummer", "TW99999999", f"dubbel traject.*rij {closed + 1}")


def test_missing_column_is_a_file_problem(valid):
    with pytest.raises(RecordsError, match="kolom einddatum, waarde '\\(missing\\)': verplichte kolom ontbreekt"):
        read_records(valid.drop(columns="einddatum"), study_period=PERIOD)


def test_all_problems_reported_at_once_and_nothing_imported(valid):
    frame = valid.copy()
    frame.loc[1, "volume"] = "veel"
    frame.loc[4, "eenheid"] = "77"
    frame.loc[9, "municipality"] = None
    with pytest.raises(RecordsError) as info:
        read_records(frame, scenario=SCENARIO, study_period=PERIOD)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "volume"), (5, "eenheid"), (10, "municipality")} <= rows
    assert "Er is niets ingelezen" in str(info.value)


def test_drop_invalid_writes_a_report(valid, tmp_path):
    frame = valid.copy()
    frame.loc[1, "volume"] = "veel"
    frame.loc[4, "eenheid"] = "77"
    path = tmp_path / "r.csv"
    frame.to_csv(path, index=False)
    out = read_records(path, scenario=SCENARIO, study_period=PERIOD, drop_invalid=True)
    assert len(out) == len(frame) - 2
    assert sorted(out["row"])[:3] == [1, 3, 4]
    report = pd.read_csv(tmp_path / "r.dropped.csv", dtype=str)
    assert list(report.columns) == ["row", "column", "value", "rule"]
    assert set(zip(report["row"], report["column"])) == {("2", "volume"), ("5", "eenheid")}


# -- privacy --------------------------------------------------------------------------------------------

def test_elfproef():
    assert passes_elfproef("111222333")
    assert passes_elfproef("11222333") is False or passes_elfproef("011222333") == passes_elfproef("11222333")
    assert not passes_elfproef("111222334")
    assert not passes_elfproef("C111222333")
    assert not any(passes_elfproef(pseudonymous_key(i, "s")) for i in range(2000))


def test_bsn_key_stops_the_import_even_with_drop_invalid(valid):
    frame = valid.copy()
    frame.loc[3, "client_key"] = "111222333"
    with pytest.raises(PrivacyError) as info:
        read_records(frame, scenario=SCENARIO, study_period=PERIOD, drop_invalid=True)
    text = str(info.value)
    assert "rij 4, kolom client_key" in text and "elfproef" in text
    assert "111222333" not in text          # the possible BSN itself is never echoed


@pytest.mark.parametrize("column,values,words", [
    ("achternaam", "Jansen", "kolomnaam lijkt op een naam"),
    ("geb", "2010-05-17", "kan een geboortedatum zijn"),
    ("pc", "5911 AB", "een postcode"),
    ("contact", "ouder@example.nl", "e-mail"),
    ("woon", "Kerkstraat 12", "straatadres"),
    ("wie", "Jan Jansen", "namen van personen")])
def test_identifying_columns_stop_the_import(valid, column, values, words):
    frame = valid.assign(**{column: values})
    with pytest.raises(PrivacyError) as info:
        read_records(frame, scenario=SCENARIO, study_period=PERIOD)
    assert any(p.column == column and re.search(words, p.rule) for p in info.value.problems), str(info.value)


def test_name_as_client_key(valid):
    frame = valid.copy()
    frame.loc[0, "client_key"] = "Piet de Vries"
    with pytest.raises(PrivacyError, match="rij 1, kolom client_key.*naam van een persoon"):
        read_records(frame, study_period=PERIOD)


# -- export ---------------------------------------------------------------------------------------------

def test_reason_mapping_uses_the_domain_lists():
    assert set(MODEL_TO_REDEN["jeugd"].values()) <= set(JZ588)
    assert set(MODEL_TO_REDEN["wmo"].values()) <= set(WMO588)
    assert MODEL_TO_REDEN["jeugd"]["afschaling"] != MODEL_TO_REDEN["wmo"]["afschaling"]


def test_export_matches_the_event_log():
    result = simulate(SCENARIO, seed=7)
    rec = export_records(result.events, result.scenario, study_period=PERIOD)
    ev = result.events
    started = ev[(ev["event"] == "start_zorg")]
    assert rec["begindatum"].between("2022-01-01", "2022-12-31").sum() == len(started)
    stops = ev[(ev["event"] == "stop_zorg") & (ev["reden"] != "einde_horizon")]
    assert rec["einddatum"].notna().sum() == len(stops)
    assert (rec.loc[rec["bekostiging"] == "plek", "municipality"] == "Venlo").all()
    assert rec["client_key"].str.fullmatch(r"C[0-9a-f]{16}").all()
