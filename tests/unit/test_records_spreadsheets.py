"""Records saved from Dutch Excel (semicolon CSV, decimal comma, D-M-YYYY) and as .xlsx import like the
ISO file they were made from; files that can be read two ways stop with one clear message, never a traceback.

Every file is written by the test from the shipped records (tests/data/records_2022.csv)."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from simulation.data.records import DATE_COLUMNS, RecordsError, load_table, read_records
from simulation.data.records.spreadsheet import normalise

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SCENARIO = DATA / "records_scenario.yaml"
PERIOD = ("2022-01-01", "2022-12-31")
VOLUMES = {0: "2.5", 1: "1234.5", 2: "0.25"}     # decimals the shipped file lacks (all its volumes are 1.0)


@pytest.fixture(scope="module")
def iso() -> pd.DataFrame:
    """The first 40 shipped records as strings, some with decimal volumes: the reference file."""
    frame, _ = load_table(DATA / "records_2022.csv")
    frame = frame.head(40).copy()
    for row, volume in VOLUMES.items():
        frame.loc[row, "volume"] = volume
    return frame


@pytest.fixture(scope="module")
def expected(iso) -> pd.DataFrame:
    return read_records(iso, scenario=SCENARIO, study_period=PERIOD)


def _dutch(frame: pd.DataFrame) -> pd.DataFrame:
    """As Dutch Excel writes it: d-m-yyyy, decimal comma (with a thousands point), codes without their zero."""
    out = frame.copy()
    for col in DATE_COLUMNS:
        out[col] = out[col].map(lambda v: v if pd.isna(v) else
                                "{2}-{1}-{0}".format(*[int(x) for x in v.split("-")]))
    out["volume"] = out["volume"].map(lambda v: f"{float(v):,}".replace(",", "_").replace(".", ",").replace("_", "."))
    out["eenheid"] = out["eenheid"].str.lstrip("0")
    return out


def _write_excel_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Semicolon-separated, Windows-1252, CRLF: Excel's "CSV (gescheiden door lijstscheidingsteken)"."""
    frame.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return path


def _check_records(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", "check-records", *map(str, args),
                           "--scenario", str(SCENARIO), "--period", *PERIOD],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def test_dutch_excel_csv_reads_as_the_iso_file(iso, expected, tmp_path):
    dutch = _dutch(iso)
    assert dutch.loc[1, "volume"] == "1.234,5" and dutch.loc[0, "eenheid"] == "82"
    assert any(int(d.split("-")[0]) > 12 for d in dutch["datum_toewijzing"]), "the file must say its date order"
    path = _write_excel_csv(dutch, tmp_path / "records.csv")
    assert b";" in path.read_bytes().splitlines()[0] and b"\r\n" in path.read_bytes()
    got = read_records(path, scenario=SCENARIO, study_period=PERIOD)
    _same(got, expected)
    assert got.loc[1, "volume"] == 1234.5 and got.loc[0, "volume"] == 2.5


def test_check_records_accepts_dutch_excel_csv_and_xlsx(iso, tmp_path):
    csv_path = _write_excel_csv(_dutch(iso), tmp_path / "export uit Excel.csv")
    xlsx_path = _write_xlsx(iso, tmp_path / "records.xlsx")
    for path in (csv_path, xlsx_path):
        proc = _check_records(path)
        assert proc.returncode == 0, proc.stderr
        assert f"{len(iso)} geldige registraties" in proc.stdout


def _write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """An explanation sheet first, then the records with date cells, number cells and codes typed as numbers."""
    book = openpyxl.Workbook()
    book.active.title = "toelichting"
    book.active.append(["Trajecten 2022, gepseudonimiseerd"])
    sheet = book.create_sheet("trajecten")
    sheet.append(list(frame.columns))
    for _, row in frame.iterrows():
        cells = []
        for col, value in row.items():
            if pd.isna(value):
                cells.append(None)
            elif col in DATE_COLUMNS:
                cells.append(dt.datetime.fromisoformat(value))
            elif col in ("volume", "eenheid", "productcategorie", "reden_beeindiging"):
                cells.append(float(value) if col == "volume" else int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    sheet.append([None] * len(frame.columns))     # an empty formatted row, as spreadsheets keep
    book.save(path)
    return path


def test_xlsx_reads_as_the_iso_file(iso, expected, tmp_path):
    got = read_records(_write_xlsx(iso, tmp_path / "records.xlsx"), scenario=SCENARIO, study_period=PERIOD)
    _same(got, expected)


def _with_dates(frame: pd.DataFrame, day_month: list[tuple[int, int]]) -> pd.DataFrame:
    """Every date of row i on day/month ``day_month[i]`` of 2022 (toewijzing = begin; end in December)."""
    out = frame.head(len(day_month)).copy()
    for i, (day, month) in enumerate(day_month):
        text = f"{day:02d}-{month:02d}-2022"
        out.loc[i, "datum_toewijzing"] = out.loc[i, "begindatum"] = text
        if not pd.isna(out.loc[i, "einddatum"]):
            out.loc[i, "einddatum"] = f"{day:02d}-12-2022"
    return out


def test_dates_with_both_readings_stop_with_a_message_and_date_order_settles_them(iso, tmp_path):
    frame = _with_dates(iso, [(3, 4), (5, 6), (7, 8), (2, 9), (11, 10), (1, 2)])
    path = _write_excel_csv(frame, tmp_path / "records.csv")
    with pytest.raises(RecordsError, match=r"'03-04-2022' \(kolom datum_toewijzing, rij 1\) zijn te lezen als "
                                           r"DD-MM-JJJJ of MM-DD-JJJJ"):
        read_records(path, study_period=PERIOD)
    proc = _check_records(path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "--date-order dmy" in proc.stderr and "Er is niets ingelezen" in proc.stderr
    got = read_records(path, study_period=PERIOD, date_order="dmy")
    assert got.loc[0, "datum_toewijzing"] == pd.Timestamp("2022-04-03")
    got = read_records(path, study_period=PERIOD, date_order="mdy")
    assert got.loc[0, "datum_toewijzing"] == pd.Timestamp("2022-03-04")


def test_one_date_with_a_day_above_12_tells_the_order(iso):
    frame = _with_dates(iso, [(3, 4), (5, 6), (13, 8)])
    got = read_records(frame, study_period=PERIOD)
    assert list(got["datum_toewijzing"].dt.strftime("%Y-%m-%d")) == ["2022-04-03", "2022-06-05", "2022-08-13"]


@pytest.mark.parametrize("values,words", [
    ({"datum_toewijzing": ["13-04-2022", "04-13-2022"]}, r"de datums mengen twee volgordes: '13-04-2022'.*alleen MM-DD-JJJJ"),
    ({"datum_toewijzing": ["04-13-2022", "04-12-2022"]}, r"'04-13-2022' .* heeft de maand eerst .*--date-order mdy"),
    ({"begindatum": ["2022-04-13", "14-04-2022"]}, r"kolom begindatum, waarde '14-04-2022': de kolom mengt "
                                                   r"datumnotaties: '2022-04-13' .* is JJJJ-MM-DD"),
    ({"volume": ["1,5", "2.5"]}, r"mengt een decimale komma, '1,5' .*en een decimale punt, '2.5'"),
    ({"volume": ["1.500", "2"]}, r"'1.500' \(kolom volume, rij 1\) is te lezen als decimaal getal of met een scheidingsteken "
                                 r"voor duizendtallen.*--decimal"),
])
def test_ambiguous_files_name_the_value_row_and_way_out(values, words):
    frame = pd.DataFrame({"datum_toewijzing": ["2022-01-05", "2022-01-06"], "volume": ["1", "2"], **values})
    _, problems = normalise(frame)
    assert len(problems) == 1 and problems[0].row is None
    assert re.search(words, str(problems[0])), str(problems[0])


def test_decimal_option_settles_a_thousands_point():
    frame = pd.DataFrame({"volume": ["1.500", "2", None]})
    out, problems = normalise(frame, decimal=",")
    assert not problems and out["volume"].tolist()[:2] == ["1500", "2"]
    out, problems = normalise(frame, decimal=".")
    assert not problems and out["volume"].tolist()[:2] == ["1.500", "2"]


def test_unreadable_files_give_one_message_not_a_traceback(iso, tmp_path):
    broken = tmp_path / "broken.csv"
    text = _dutch(iso).head(3).to_csv(sep=";", index=False)
    lines = text.splitlines()
    lines[2] += ";extra;velden"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    not_a_book = tmp_path / "records.xlsx"
    not_a_book.write_text("dit is geen werkmap", encoding="utf-8")
    old = tmp_path / "records.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    for path, words in [(broken, r"scheidingsteken: puntkomma\) kan niet worden gelezen: Expected 16 fields in line 3, saw 18"),
                        (not_a_book, "geen leesbare .xlsx-werkmap"), (old, "oude Excel-formaat"),
                        (tmp_path / "missing.csv", "bestand niet gevonden")]:
        with pytest.raises(RecordsError, match=words):
            read_records(path, study_period=PERIOD)
    proc = _check_records(broken)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "scheidingsteken: puntkomma" in proc.stderr   # the file cannot be used
