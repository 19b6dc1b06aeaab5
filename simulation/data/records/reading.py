"""Reading records: a CSV or Parquet file (or a frame of strings), checked, then typed."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional, Union

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.config.scenario import Scenario, load_scenario, scenario_from_dict
from simulation.data.records.checks import PrivacyError, Problem, RecordsError, RecordsFileError, validate
from simulation.data.records.format import (COLUMNS, DATE_COLUMNS, DEFAULT_STUDY_PERIOD, PERIOD_METADATA_KEY,
                                            parse_study_period)
from simulation.data.records.privacy import privacy_problems


def load_table(path: Union[str, Path]) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    """Read a CSV or Parquet file as strings (codes keep their leading zeros) and its study period, if stored.

    A file that is missing, a folder, unreadable or not a records table raises RecordsFileError naming it."""
    path = Path(path)
    if path.is_dir():
        raise RecordsFileError(str(path), [Problem(None, "(file)", str(path), "is a folder; give a .csv or .parquet "
                                                                           "file")])
    try:
        return _load_table(path)
    except RecordsError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, pa.ArrowException) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0][:200]
        raise RecordsFileError(str(path), [Problem(None, "(file)", path.name, f"cannot be read as a records file "
                                                   f"({type(exc).__name__}: {why}); see docs/records.md")]) from None


def _load_table(path: Path) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    period = None
    if path.suffix.lower() in (".parquet", ".pq"):
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
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
    elif path.suffix.lower() in (".csv", ".txt"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    else:
        raise RecordsError(str(path), [Problem(None, "(file)", path.suffix, "expected a .csv or .parquet file")])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True), period


def read_records(path: Union[str, Path, pd.DataFrame], scenario=None, study_period=None,
                 drop_invalid: bool = False, report_path: Union[str, Path, None] = None) -> pd.DataFrame:
    """Read, check and type realised records (CSV or Parquet, or a DataFrame of strings).

    ``scenario`` (a Scenario, dict or YAML path) adds the checks against its municipalities,
    segments, traject types and providers. ``study_period`` = (first day, last day), inclusive;
    by default the one stored in the Parquet file, else the 2022 learning year.

    Raises ``PrivacyError`` when the records are not pseudonymous and ``RecordsError`` listing
    every problem. With ``drop_invalid`` the rows with problems are dropped instead and a report
    (CSV: row, column, value, rule) is written to ``report_path`` (default: next to the input,
    ``<name>.dropped.csv``). The returned frame has typed dates, ``attrs['study_period']`` and
    ``attrs['dropped']`` (the problems of dropped rows).
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

    privacy = privacy_problems(frame, period[0])
    if privacy:
        raise PrivacyError(source, privacy, hint=(
            "Nothing was imported. Records must be pseudonymous (AVG/GDPR): pseudonymise client keys with a "
            "salted hash and remove names, birth dates, addresses and contact details before the import."))
    problems = validate(frame, scenario, period)
    file_level = [p for p in problems if p.row is None]
    if file_level or (problems and not drop_invalid):
        raise RecordsError(source, problems, hint=(
            "Nothing was imported. Fix the rows, or pass drop_invalid=True (--drop-invalid) to import the "
            "valid rows and write a report of the dropped ones." if not file_level else
            "Nothing was imported; the file lacks required columns."))
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
            raise RecordsError(source, problems, hint="Every row has a problem; nothing to import.")
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
