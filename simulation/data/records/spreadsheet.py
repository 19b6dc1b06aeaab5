"""Records as spreadsheets write them: DD-MM-YYYY dates, decimal commas and codes without their zero.

``normalise`` turns such values, read as strings, into the record format's own (YYYY-MM-DD,
a decimal point, two-digit codes) when the file says unambiguously how to read them, and
returns a file-level ``Problem`` for each thing that can be read in two ways:

- dates: YYYY-MM-DD, or day-month-year with ``-``, ``/`` or ``.`` and a four-digit year (Dutch
  Excel writes ``3-4-2022``). A date such as 03-04-2022 is 3 April in the Dutch order and
  4 March in the American one: the order is taken from the file only when some date has a day
  above 12 and none contradicts it; otherwise the caller names it (``date_order``). A column
  that mixes YYYY-MM-DD with day-month-year is refused;
- numbers: ``1,5`` (decimal comma) and ``1.5``; ``1.500`` or ``1,500`` alone could be 1.5 or
  1500, so the separator is taken from the values that can be read one way only, else from
  ``decimal``. A file that uses both a decimal comma and a decimal point is refused;
- the two-digit codes (product category, reason for ending, unit) lose their leading zero when
  a spreadsheet reads them as numbers: ``4`` is read as ``04``.

Values that fit no form are left as they are, for ``validate`` to report per row.
"""
from __future__ import annotations

import re
from typing import Optional

from simulation._lazy import pandas as pd

from simulation.data.records.checks import Problem
from simulation.data.records.format import COLUMNS, DATE_COLUMNS

DATE_ORDERS = ("dmy", "mdy")
DECIMALS = (",", ".")
TWO_DIGIT_CODES = ("productcategorie", "reden_beeindiging", "eenheid")
NUMBER_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "number")

_MIDNIGHT = r"(?:[ T]0?0:00(?::00(?:\.0+)?)?)?"
_ISO = re.compile(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_MIDNIGHT}")
_DAY_MONTH = re.compile(rf"(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}){_MIDNIGHT}")
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")      # 1.500, 1.234.567: thousands or a decimal
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_COMMA_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")    # 1,5  1.234,5
_POINT_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+")    # 1.5  1,234.5


def normalise(frame: pd.DataFrame, date_order: Optional[str] = None,
              decimal: Optional[str] = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The frame with ISO dates, decimal points and two-digit codes, and the problems that stop reading it."""
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    if decimal is not None and decimal not in DECIMALS:
        raise ValueError(f"decimal must be one of {DECIMALS}, not {decimal!r}")
    out = frame.copy()
    problems = _dates(out, date_order) + _numbers(out, decimal)
    for col in TWO_DIGIT_CODES:
        if col in out.columns:
            text = out[col].where(out[col].isna(), out[col].astype(str).str.strip())
            out[col] = text.where(~text.fillna("").str.fullmatch(r"\d"), "0" + text.fillna(""))
    return out, problems


def _where(col: str, row: int, value: str) -> str:
    return f"{value!r} (kolom {col}, rij {row})"


def _first(mask: pd.Series, text: pd.Series, col: str) -> Optional[tuple[str, int, str]]:
    """(column, 1-based row, value) of the first row where ``mask`` holds, or None."""
    hits = mask.to_numpy(dtype=bool).nonzero()[0]
    return (col, int(hits[0]) + 1, text.iloc[hits[0]]) if len(hits) else None


def _full(pattern: re.Pattern) -> str:
    return "^" + pattern.pattern + "$"


def _dates(frame: pd.DataFrame, date_order: Optional[str]) -> list[Problem]:
    """Rewrite day-month-year dates as YYYY-MM-DD in place; the ambiguities found."""
    problems: list[Problem] = []
    parts: dict[str, pd.DataFrame] = {}
    dmy_only = mdy_only = both = None
    for col in (c for c in DATE_COLUMNS if c in frame.columns):
        text = frame[col].fillna("").astype(str).str.strip()
        iso = text.str.extract(_full(_ISO))
        is_iso = iso[0].notna()
        if is_iso.any():
            padded = iso[0] + "-" + iso[1].str.zfill(2) + "-" + iso[2].str.zfill(2)
            frame[col] = frame[col].where(~is_iso, padded)
        dm = text.str.extract(_full(_DAY_MONTH))
        is_dm = dm[0].notna()
        if not is_dm.any():
            continue
        a, b = pd.to_numeric(dm[0]), pd.to_numeric(dm[2])
        as_dmy, as_mdy = is_dm & _valid(a, b), is_dm & _valid(b, a)
        dmy_only = dmy_only or _first(as_dmy & ~as_mdy, text, col)
        mdy_only = mdy_only or _first(as_mdy & ~as_dmy, text, col)
        both = both or _first(as_dmy & as_mdy & (a != b), text, col)
        parts[col] = dm.assign(a=a, b=b, is_dm=is_dm)
        iso_at, dm_at = _first(is_iso, text, col), _first(is_dm, text, col)
        if iso_at:
            problems.append(Problem(None, col, dm_at[2], (
                f"de kolom mengt datumnotaties: {_where(*iso_at)} is JJJJ-MM-DD, {_where(*dm_at)} "
                "dag-maand-jaar; schrijf elke datum op één manier")))
    if date_order is None and dmy_only and mdy_only:
        problems.append(Problem(None, dmy_only[0], dmy_only[2], (
            f"de datums mengen twee volgordes: {_where(*dmy_only)} kan alleen DD-MM-JJJJ zijn, {_where(*mdy_only)} alleen "
            "MM-DD-JJJJ; schrijf elke datum op één manier")))
        return problems
    if date_order is None and mdy_only:
        problems.append(Problem(None, mdy_only[0], mdy_only[2], (
            f"{_where(*mdy_only)} heeft de maand eerst (MM-DD-JJJJ), niet het Nederlandse DD-MM-JJJJ: als elke datum van "
            "het bestand zo geschreven is, geef date_order='mdy' (--date-order mdy)")))
        return problems
    if date_order is None and both and not dmy_only:
        problems.append(Problem(None, both[0], both[2], (
            f"datums zoals {_where(*both)} zijn te lezen als DD-MM-JJJJ of MM-DD-JJJJ en geen datum in het bestand heeft "
            "een dag boven 12 die het beslist: geef date_order='dmy' of 'mdy' (--date-order dmy voor de Nederlandse "
            "volgorde)")))
        return problems
    for col, dm in parts.items():
        day, month = (dm["a"], dm["b"]) if date_order in (None, "dmy") else (dm["b"], dm["a"])
        ok = dm["is_dm"] & _valid(day, month)
        iso = dm[3] + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2) + "-" + \
            day.fillna(0).astype(int).astype(str).str.zfill(2)
        frame[col] = frame[col].where(~ok, iso)
    return problems


def _valid(day: pd.Series, month: pd.Series) -> pd.Series:
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)


def _numbers(frame: pd.DataFrame, decimal: Optional[str]) -> list[Problem]:
    """Rewrite numbers with a decimal comma (or thousands separators) with a decimal point; the ambiguities."""
    problems: list[Problem] = []
    for col in (c for c in NUMBER_COLUMNS if c in frame.columns):
        text = frame[col].fillna("").astype(str).str.strip()
        grouped_point, grouped_comma = text.str.fullmatch(_GROUPED_POINT.pattern), text.str.fullmatch(
            _GROUPED_COMMA.pattern)
        comma = (text.str.fullmatch(_COMMA_DECIMAL.pattern) & ~grouped_comma) | (
            grouped_point & (text.str.count(r"\.") > 1))
        point = (text.str.fullmatch(_POINT_DECIMAL.pattern) & ~grouped_point) | (
            grouped_comma & (text.str.count(",") > 1))
        comma_at, point_at = _first(comma, text, col), _first(point, text, col)
        grouped_at = _first((grouped_point | grouped_comma) & ~comma & ~point, text, col)
        sep = decimal
        if sep is None and comma_at and point_at:
            problems.append(Problem(None, col, comma_at[2], (
                f"de kolom mengt een decimale komma, {_where(*comma_at)}, en een decimale punt, {_where(*point_at)}; "
                "schrijf elk getal op één manier")))
            continue
        if sep is None:
            sep = "," if comma_at else "." if point_at else None
        if sep is None and grouped_at:
            problems.append(Problem(None, col, grouped_at[2], (
                f"{_where(*grouped_at)} is te lezen als decimaal getal of met een scheidingsteken voor duizendtallen en geen "
                "andere waarde beslist het: geef decimal=',' of '.' (--decimal), of schrijf getallen zonder "
                "scheidingsteken voor duizendtallen")))
            continue
        if sep is None:
            continue
        thousands = "." if sep == "," else ","
        numeric = (r"[+-]?(?:\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+|\d+)(?:" + re.escape(sep) + r"\d+)?")
        fits = text.str.fullmatch(numeric) & (text != "")
        rewritten = text.str.replace(thousands, "", regex=False).str.replace(sep, ".", regex=False)
        frame[col] = frame[col].where(~fits, rewritten)
    return problems
