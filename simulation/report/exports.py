"""Tables analysts can open: a CSV for Dutch Excel and one workbook (.xlsx) per notebook.

Dutch Excel reads a CSV with semicolons and decimal commas; both exports round each numeric
column to a precision that fits its size and carry Dutch headers and display names from
``labels.NAMES``. The workbook gets a sheet per table and a ``bron`` sheet with the provenance.
Nothing reads these files back: the notebooks keep their own frames, the stored runs in
``outputs/runs/`` stay machine-readable.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Iterable

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import openpyxl, openpyxl_utils

from simulation.report.labels import NAMES, name

WORKBOOK = "tabellen.xlsx"   # the runner renames it to <notebook>.xlsx
SOURCE_SHEET = "bron"
# columns whose values are code names with a display name of that kind
VALUE_KINDS = {"variant": "variant", "provider": "provider", "kpi": "kpi"}


def header(column: str) -> str:
    """The Dutch header of a column: its name in labels.NAMES (column, then KPI), with a statistic's suffix
    (``NAMES["suffix"]``).

    >>> header("wacht_dagen_gem_ci_hoog")
    'Wachttijd, gemiddeld (dagen) (95%-BI bovengrens)'
    >>> header("municipality")
    'Gemeente'
    """
    column = str(column)
    for kind in ("column", "kpi"):
        if column in NAMES.get(kind, {}):
            return name(kind, column)
    for suffix, label in sorted(NAMES["suffix"].items(), key=lambda s: -len(s[0])):
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{header(column[: -len(suffix)])} ({label})"
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def decimals_for(values: pd.Series) -> int:
    """Decimals that fit a column's size: 0 from 100 up, 1 from 10, 2 from 1, else 3 (shares, rates).

    >>> decimals_for(pd.Series([332.4800643928528, 120.5]))
    0
    >>> decimals_for(pd.Series([0.0481, 0.12]))
    3
    """
    finite = values[np.isfinite(values.astype(float))].abs()
    if finite.empty or (finite == finite.round()).all():
        return 0
    size = float(finite.median())
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3


def dutch_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The table as a reader sees it: rounded numbers, display names, Dutch headers (and decimals per header)."""
    out = frame.reset_index(drop=True).copy()
    decimals = {}
    for col in out.columns:
        series = out[col]
        if str(col) in VALUE_KINDS and not pd.api.types.is_numeric_dtype(series):
            out[col] = series.astype(object).map(lambda v, k=VALUE_KINDS[str(col)]: name(k, v) if isinstance(v, str)
                                                 else v)
        elif pd.api.types.is_float_dtype(series):
            decimals[col] = decimals_for(series)
            rounded = series.round(decimals[col])
            whole = decimals[col] == 0 and bool((rounded.dropna().abs() < 2 ** 53).all())
            out[col] = rounded.astype("Int64") if whole else rounded
        elif pd.api.types.is_bool_dtype(series):
            out[col] = series.map({True: "ja", False: "nee"})
    headers = _unique([header(c) for c in out.columns])
    decimals = {headers[list(out.columns).index(c)]: d for c, d in decimals.items()}
    out.columns = headers
    return out, decimals


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """The table as a CSV that Dutch Excel opens as it is: ';', decimal comma, UTF-8 with BOM."""
    table, _ = dutch_table(frame)
    table.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    return path


def add_sheet(frame: pd.DataFrame, path: Path, table_name: str) -> Path:
    """Add (or replace) the table as a sheet of the workbook at ``path``; the workbook keeps a ``bron`` sheet."""
    table, decimals = dutch_table(frame)
    wb = openpyxl.load_workbook(path) if path.exists() else _new_workbook()
    title = _sheet_title(table_name, [s for s in wb.sheetnames if s != table_name[:31]])
    position = len(wb.sheetnames) - 1   # before 'bron'
    if title in wb.sheetnames:   # saved again: replaced in its place
        position = wb.sheetnames.index(title)
        del wb[title]
    ws = wb.create_sheet(title, index=position)
    ws.append(list(table.columns))
    for row in table.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for i, col in enumerate(table.columns, start=1):
        letter = openpyxl_utils.get_column_letter(i)
        ws.column_dimensions[letter].width = min(45, max(10, len(str(col)) + 2))
        if col in decimals:
            fmt = "#,##0" + ("." + "0" * decimals[col] if decimals[col] else "")
            for cell in ws[letter][1:]:
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def write_source_sheet(path: Path, rows: Iterable[tuple[str, str]]) -> None:
    """Replace the workbook's ``bron`` sheet with these (field, value) rows."""
    wb = openpyxl.load_workbook(path)
    if SOURCE_SHEET in wb.sheetnames:
        del wb[SOURCE_SHEET]
    ws = wb.create_sheet(SOURCE_SHEET)
    ws.append(["Gegeven", "Waarde"])
    for key, value in rows:
        ws.append([key, value])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 90
    wb.save(path)


def _new_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SOURCE_SHEET
    ws.append(["Gegeven", "Waarde"])
    ws.append(["Herkomst", "notebook buiten het rapport uitgevoerd; zie de notebook voor de parameters"])
    return wb


def _sheet_title(table_name: str, taken: list[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", table_name)[:31] or "tabel"
    base, n = title, 2
    while title in taken or title == SOURCE_SHEET:
        title = f"{base[:28]}_{n}"
        n += 1
    return title


def _cell(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None   # Excel has no NaN or infinity
    if isinstance(value, (pd.Timestamp,)):
        return value.to_pydatetime()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (int, str, bool)):
        return value
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):   # e.g. a maatregel's list of segments
        return str(value)
    return str(value) if not pd.isna(value) else None


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out
