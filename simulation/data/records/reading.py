"""Reading records: a CSV (comma or semicolon), Excel (.xlsx) or Parquet file, or a frame of strings;
checked, then typed. Spreadsheet conventions (DD-MM-YYYY, decimal commas) are read by ``spreadsheet``."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Optional, Union

from simulation._lazy import openpyxl, openpyxl_exceptions
from simulation._lazy import pandas as pd
from simulation._lazy import pyarrow as pa
from simulation._lazy import pyarrow_parquet as pq

from simulation.config.scenario import Scenario, load_scenario, scenario_from_dict
from simulation.data.records.checks import PrivacyError, Problem, RecordsError, RecordsFileError, validate
from simulation.data.records.format import (COLUMN_NAMES, COLUMNS, DATE_COLUMNS, DEFAULT_STUDY_PERIOD,
                                            PERIOD_METADATA_KEY, parse_study_period)
from simulation.data.records.privacy import privacy_problems
from simulation.data.records.spreadsheet import normalise

CSV_SEPARATORS = (",", ";", "\t")


def load_table(path: Union[str, Path]) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    """Read a CSV, .xlsx or Parquet file as strings (codes keep their leading zeros) and its study period, if stored.

    A CSV may be comma-, semicolon- (Dutch Excel's default) or tab-separated, in UTF-8 or Windows-1252; the
    separator is the one that splits the header into the record format's column names. A file that is missing,
    a folder, unreadable or not a records table raises RecordsFileError naming it and what is wrong.
    """
    path = Path(path)
    if path.is_dir():
        raise RecordsFileError(str(path), [Problem(None, "(file)", str(path), "is een map; geef een .csv- of .parquet-"
                                                                           "bestand")])
    try:
        return _load_table(path)
    except RecordsError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, pa.ArrowException) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0][:200]
        raise RecordsFileError(str(path), [Problem(None, "(file)", path.name, f"kan niet als registratiebestand worden "
                                                   f"gelezen ({type(exc).__name__}: {why}); zie docs/records.md")]) from None


def _load_table(path: Path) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    period = None
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RecordsFileError(str(path), [Problem(None, "(file)", str(path), "bestand niet gevonden; controleer het pad")])
    if suffix in (".parquet", ".pq"):
        frame, period = _read_parquet(path)
    elif suffix in (".csv", ".txt"):
        frame = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path)
    else:
        rule = ("het oude Excel-formaat kan niet worden gelezen: sla het blad op als .xlsx of als CSV" if suffix == ".xls" else
                "verwacht een .csv-, .xlsx- of .parquet-bestand")
        raise RecordsError(str(path), [Problem(None, "(file)", path.suffix, rule)])
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.dropna(how="all")      # the empty rows a spreadsheet keeps at the end
    return frame.reset_index(drop=True), period


def _read_parquet(path: Path) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    period = None
    if PERIOD_METADATA_KEY in meta:
        a, b = meta[PERIOD_METADATA_KEY].decode().split("/")
        period = (dt.date.fromisoformat(a), dt.date.fromisoformat(b))
    frame = table.to_pandas()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        elif col != "volume":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
            frame[col] = frame[col].map(lambda v: v if v is None or isinstance(v, str) else
                                        (v.isoformat() if isinstance(v, dt.date) else str(v)))
    return frame, period


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")    # Excel's "CSV (gescheiden door lijstscheidingsteken)"
    header = next((line for line in text.splitlines() if line.strip()), "")
    sep = max(CSV_SEPARATORS, key=lambda s: (_known_columns(header, s), len(next(csv.reader([header], delimiter=s)))))
    if not _known_columns(header, sep):
        raise RecordsFileError(str(path), [Problem(None, "(file)", path.name, (
            "kan niet als registratiebestand worden gelezen: de eerste regel noemt geen van de kolommen van "
            "het registratieformaat (zie docs/records.md)"))])
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, csv.Error) as exc:
        name = {";": "puntkomma", ",": "komma", "\t": "tab"}[sep]
        detail = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        raise RecordsFileError(str(path), [Problem(None, "(file)", "", (
            f"de CSV (scheidingsteken: {name}) kan niet worden gelezen: {detail}; zet een waarde met het "
            "scheidingsteken erin tussen dubbele aanhalingstekens"))]) from None


def _known_columns(header: str, sep: str) -> int:
    return sum(field.strip() in COLUMN_NAMES for field in next(csv.reader([header], delimiter=sep)))


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet whose header holds record columns (else the first sheet), cells as the format's strings."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (openpyxl_exceptions.InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise RecordsFileError(str(path), [Problem(None, "(file)", path.name, f"geen leesbare .xlsx-werkmap ({exc})")]
                           ) from None
    try:
        sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    finally:
        book.close()
    sheets = [rows for rows in sheets if rows] or [[()]]
    rows = next((r for r in sheets if sum(_cell(v) in COLUMN_NAMES for v in r[0]) >= 2), sheets[0])
    header = [_cell(v) or f"(column {i + 1})" for i, v in enumerate(rows[0])]
    body = [[_cell(v) for v in row] + [None] * (len(header) - len(row)) for row in rows[1:]]
    return pd.DataFrame([row[:len(header)] for row in body], columns=header, dtype=object)


def _cell(value) -> Optional[str]:
    """A cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_records(path: Union[str, Path, pd.DataFrame], scenario=None, study_period=None,
                 drop_invalid: bool = False, report_path: Union[str, Path, None] = None,
                 date_order: Optional[str] = None, decimal: Optional[str] = None) -> pd.DataFrame:
    """Read, check and type realised records (CSV, .xlsx or Parquet, or a DataFrame of strings).

    ``scenario`` (a Scenario, dict or YAML path) adds the checks against its municipalities,
    segments, traject types and providers. ``study_period`` = (first day, last day), inclusive;
    by default the one stored in the Parquet file, else the 2022 learning year.

    Raises ``PrivacyError`` when the records are not pseudonymous and ``RecordsError`` listing
    every problem. With ``drop_invalid`` the rows with problems are dropped instead and a report
    (CSV: row, column, value, rule) is written to ``report_path`` (default: next to the input,
    ``<name>.dropped.csv``). The returned frame has typed dates, ``attrs['study_period']`` and
    ``attrs['dropped']`` (the problems of dropped rows).

    Dates may be YYYY-MM-DD or DD-MM-YYYY, numbers may have a decimal comma (``spreadsheet.normalise``);
    when the file can be read in two ways a ``RecordsError`` says so, unless ``date_order`` ('dmy' or 'mdy')
    or ``decimal`` (',' or '.') settles it.
    """
    if isinstance(path, pd.DataFrame):
        frame, stored, source = path.copy().reset_index(drop=True), None, "<DataFrame>"
        for col in frame.columns:
            if col in DATE_COLUMNS and pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    else:
        frame, stored = load_table(path)
        source = str(path)
    period = parse_study_period(study_period or stored or DEFAULT_STUDY_PERIOD)
    scenario = as_scenario(scenario)
    frame, ambiguous = normalise(frame, date_order=date_order, decimal=decimal)

    privacy = privacy_problems(frame, period[0])
    if privacy:
        raise PrivacyError(source, privacy, hint=(
            "Er is niets ingelezen. Registraties moeten gepseudonimiseerd zijn (AVG): pseudonimiseer de cliëntsleutels "
            "met een gezouten hash en verwijder namen, geboortedata, adressen en contactgegevens voor het inlezen."))
    if ambiguous:
        raise RecordsError(source, ambiguous, hint=(
            "Er is niets ingelezen: het bestand is op meer dan één manier te lezen. Schrijf het op één manier, of zeg hoe "
            "het gelezen moet worden (date_order / --date-order, decimal / --decimal)."))
    problems = validate(frame, scenario, period)
    file_level = [p for p in problems if p.row is None]
    if file_level or (problems and not drop_invalid):
        raise RecordsError(source, problems, hint=(
            "Er is niets ingelezen. Herstel de rijen, of geef drop_invalid=True (--drop-invalid) om de geldige "
            "rijen in te lezen en een verslag van de weggelaten rijen te schrijven." if not file_level else
            "Er is niets ingelezen; het bestand mist verplichte kolommen."))
    dropped: list[Problem] = []
    if problems:
        bad = sorted({p.row for p in problems})
        dropped = problems
        if report_path is None:
            report_path = (Path(path).with_name(Path(path).stem + ".dropped.csv")
                           if not isinstance(path, pd.DataFrame) else None)
        if report_path is not None:
            report = pd.DataFrame([p.__dict__ for p in problems])
            report_path = Path(report_path)
            report_path.parent.mkdir(parents=True, exist_ok=True)
            report.to_csv(report_path, index=False)
        frame = frame.drop(index=[r - 1 for r in bad])
        if frame.empty:
            raise RecordsError(source, problems, hint="Elke rij heeft een probleem; er is niets in te lezen.")
    out = _typed(frame)
    out.attrs["study_period"] = period
    out.attrs["dropped"] = dropped
    out.attrs["report_path"] = str(report_path) if dropped and report_path is not None else None
    out.attrs["source"] = source
    return out


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for c in COLUMNS:
        values = frame[c.name]
        if c.kind == "date":
            out[c.name] = pd.to_datetime(values, format="%Y-%m-%d")
        elif c.kind == "number":
            out[c.name] = pd.to_numeric(values).astype(float)
        else:
            out[c.name] = values.fillna("").astype(str).str.strip().replace("", None).astype(object)
    out["row"] = frame.index.to_numpy() + 1
    return out.reset_index(drop=True)


def as_scenario(scenario):
    """A Scenario from a Scenario, a dict or a YAML path; None stays None."""
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return scenario_from_dict(scenario)
    return load_scenario(scenario)
