"""Realised trajecten as records: the format, its import checks and the simulation's own export.

One record (row) is one traject = one toewijzing (iJw JW301 / iWmo WMO301) with what the
start-zorg and stop-zorg messages (JW305/JW307) added to it. The columns are listed in
``COLUMNS`` and documented in docs/records.md.

``read_records`` checks every row and reports every problem at once (row, column, value,
rule); a file with errors is only imported when the caller asks to drop the bad rows, and
then a report of the dropped rows is written. Records must be pseudonymous: a client key
that passes the BSN eleven-test, or a column that looks like a name, birth date, address,
postcode or e-mail address, stops the import whatever else is asked.

``export_records`` writes the simulation's event log in the same format, so a synthetic
dataset for any scenario is one call (or ``python -m simulation.data.records export ...``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd

from simulation.analysis.tables import traject_table, waiting_table

# -- the format ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str          # "str", "code", "date", "number"
    required: bool     # must be filled in every row (see the per-column rules for conditional ones)
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("client_key", "str", True,
           "pseudonymous client key, stable within the file; never a BSN or anything that passes the eleven-test"),
    Column("municipality", "str", True, "gemeente that issued the toewijzing (name as in the scenario)"),
    Column("provider", "str", True, "aanbieder (name or AGB code as in the scenario)"),
    Column("toewijzingnummer", "str", True, "ToewijzingNummer of the JW301/WMO301; unique within a municipality"),
    Column("domain", "code", True, "jeugd (Jeugdwet, iJw) or wmo (Wmo 2015, iWmo)"),
    Column("segment", "str", True, "segment of the regional purchase (e.g. S4 Ambulant/specialistisch)"),
    Column("productcategorie", "code", True, "2-digit product category: iJw list JZ020 for jeugd, iWmo WMO020 for wmo"),
    Column("productcode", "code", False, "5-character product code of the toewijzing"),
    Column("traject_type", "str", True, "traject type within the segment (weight x planned doorlooptijd)"),
    Column("datum_toewijzing", "date", True, "date of the toewijzing (JW301 Toewijzingsdatum), YYYY-MM-DD"),
    Column("begindatum", "date", False,
           "start of care (JW305); empty when care has not started at the extraction date (wachtlijst)"),
    Column("einddatum", "date", False,
           "stop of care (JW307); empty when care is still running at the end of the study period"),
    Column("reden_beeindiging", "code", False,
           "reason for ending, 2 digits: list JZ588 for jeugd, WMO588 for wmo; filled iff einddatum is"),
    Column("eenheid", "code", True, "unit of the volume (list WJ756): 01 minuut, 04 uur, 14 etmaal, 16 dagdeel, "
                                    "82 stuks (output), 83 euro's, 84 stuks (inspanning)"),
    Column("volume", "number", True, "volume of the toewijzing in that unit (>= 0)"),
    Column("bekostiging", "code", True, "funding of the traject: traject (tariff per traject) or plek "
                                        "(the municipality bought plekken at this provider)"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
DATE_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "date")

# Code lists (facts from ../shared/data/ijw_codes.md and the iWmo 3.2 list WMO588 on
# informatiemodel.istandaarden.nl; check against the current iStandaarden release).
JZ020 = {
    "40": "Persoonlijke verzorging", "41": "Dagbehandeling", "42": "Vervoerdiensten",
    "43": "Jeugdhulp verblijf (incl. behandeling)", "44": "Jeugdhulp verblijf (excl. behandeling)",
    "45": "Jeugdhulp ambulant", "46": "Jeugdhulp crisis", "47": "Jeugdreclassering", "48": "Jeugdbescherming",
    "49": "Activiteiten preventief justitieel kader", "50": "Maatwerkarrangementen jeugd",
    "51": "Generalistische basis-ggz", "52": "Specialistische ggz", "53": "Kindergeneeskunde", "54": "Jeugd-ggz",
    "55": "Landelijk ingekochte zorg",
}
JZ588 = {
    "02": "Overlijden", "20": "Levering tijdelijk beeindigd", "31": "Volgens plan beeindigd",
    "32": "Voortijdig: eenzijdig door client", "33": "Voortijdig: eenzijdig door aanbieder",
    "34": "Voortijdig: in overeenstemming", "35": "Voortijdig: externe omstandigheden",
    "36": "Geinitieerd door gemeente", "37": "In verband met wijzigingsverzoek",
    "38": "Overstap naar andere aanbieder", "39": "Uitstroom naar ander domein",
}
WMO588 = {
    "02": "Overlijden", "19": "Levering volgens plan beeindigd", "20": "Levering is tijdelijk beeindigd",
    "21": "Levering is eenzijdig door client beeindigd", "22": "Levering is eenzijdig door aanbieder beeindigd",
    "23": "Levering is in overeenstemming voortijdig beeindigd", "31": "Verhuizing naar een andere gemeente",
    "36": "Geinitieerd door de gemeente", "37": "In verband met wijzigingsverzoek",
    "38": "Overstap naar andere aanbieder", "39": "Uitstroom naar ander domein",
}
REDEN_LISTS = {"jeugd": ("JZ588", JZ588), "wmo": ("WMO588", WMO588)}
WJ756 = {"01": "minuut", "04": "uur", "14": "etmaal", "16": "dagdeel", "82": "stuks (output)", "83": "euro's",
         "84": "stuks (inspanning)"}
BEKOSTIGING = ("traject", "plek")

# The model's reden on stop_zorg -> reason-for-ending code, per domain. Reverse: REDEN_TO_MODEL.
# opschaling to a segment of the same domain is a new beschikking by the gemeente (36); to the
# other domain (doorstroom 18-/18+) it is an outflow to another domain (39).
MODEL_TO_REDEN = {
    "jeugd": {"afschaling": "31", "uitval": "32", "verlenging": "37", "step_down": "37",
              "opschaling": "36", "opschaling_ander_domein": "39"},
    "wmo": {"afschaling": "19", "uitval": "21", "verlenging": "37", "step_down": "37",
            "opschaling": "36", "opschaling_ander_domein": "39"},
}
# Code -> model outcome. "voortzetting" (37) is verlenging when the next toewijzing has the same
# traject type, step_down when it is lighter; "overig" codes are kept out of the outcome shares.
REDEN_TO_MODEL = {
    "jeugd": {"31": "afschaling", "32": "uitval", "33": "uitval", "34": "uitval", "35": "uitval",
              "02": "uitval", "20": "uitval", "36": "opschaling", "39": "opschaling", "37": "voortzetting",
              "38": "overig"},
    "wmo": {"19": "afschaling", "21": "uitval", "22": "uitval", "23": "uitval", "31": "uitval", "02": "uitval",
            "20": "uitval", "36": "opschaling", "39": "opschaling", "37": "voortzetting", "38": "overig"},
}

DEFAULT_STUDY_PERIOD = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))   # the 2022 learning year, inclusive
PERIOD_METADATA_KEY = b"simulation.study_period"


# -- problems and errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``row`` is the 1-based record number (the header is not counted;
    in a spreadsheet the record is on row ``row + 1``); None for a problem with the whole file."""

    row: Optional[int]
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, column {self.column}, value {self.value!r}: {self.rule}"


class RecordsError(ValueError):
    """Records that cannot be imported; ``problems`` lists every broken rule."""

    def __init__(self, source: str, problems: Sequence[Problem], hint: str = ""):
        self.source, self.problems = source, list(problems)
        head = f"{source}: {len(self.problems)} problem(s) in the records"
        shown = [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            shown.append(f"  ... and {len(self.problems) - 200} more (see .problems)")
        super().__init__("\n".join([head] + shown + ([hint] if hint else [])))


class PrivacyError(RecordsError):
    """Records that are not pseudonymous; never imported, not even with drop_invalid."""


# -- privacy -------------------------------------------------------------------------------------

_ELFPROEF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


def passes_elfproef(key: str) -> bool:
    """True when ``key`` is 8 or 9 digits that pass the BSN eleven-test (8 digits: leading 0 dropped)."""
    key = str(key).strip()
    if not (key.isdigit() and len(key) in (8, 9)):
        return False
    digits = np.array([int(c) for c in key.zfill(9)])
    return int(digits @ _ELFPROEF_WEIGHTS) % 11 == 0


def _elfproef_mask(values: pd.Series) -> np.ndarray:
    s = values.fillna("").astype(str).str.strip()
    candidate = s.str.fullmatch(r"\d{8,9}").to_numpy(dtype=bool)
    out = np.zeros(len(s), dtype=bool)
    if candidate.any():
        padded = s[candidate].str.zfill(9)
        digits = np.array([[int(c) for c in v] for v in padded])
        out[candidate] = (digits @ _ELFPROEF_WEIGHTS) % 11 == 0
    return out


_NAME_COLUMN = re.compile(
    r"naam|name|voornaam|achternaam|initialen|geboorte|birth|\bdob\b|leeftijd|adres|address|straat|street|"
    r"postcode|zip|huisnummer|woonplaats|\bbsn\b|burgerservice|e-?mail|telefoon|phone|mobiel", re.IGNORECASE)
_NAME_COLUMN_OK = re.compile(r"aanbieder|provider|gemeente|municipality|product|segment|traject", re.IGNORECASE)
_VALUE_PATTERNS = (
    (re.compile(r"^\d{4}\s?[A-Za-z]{2}$"), "a Dutch postcode"),
    (re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"), "an e-mail address"),
    (re.compile(r"(?:straat|weg|laan|plein|gracht|singel|dijk|kade|steeg|pad)\s+\d+\s*[A-Za-z]?$", re.IGNORECASE),
     "a street address"),
)
_PERSON_NAME = re.compile(
    r"^[A-Z][a-z\u00e0-\u00ff]+(?:\s+(?:van|de|der|den|ter|ten|het|'t|van der|van den|van de))?\s+[A-Z][a-z\u00e0-\u00ff'-]+$")


def _mask(value: str) -> str:
    """Show enough of a sensitive value to find it, never the value itself."""
    value = str(value)
    return value[:2] + "*" * max(len(value) - 2, 1) if len(value) > 2 else "*" * len(value)


def privacy_problems(frame: pd.DataFrame, period_start: dt.date) -> list[Problem]:
    """Everything that makes the records non-pseudonymous. Values are shown masked."""
    problems: list[Problem] = []
    for col in frame.columns:
        if col in COLUMN_NAMES:
            continue
        if _NAME_COLUMN.search(str(col)) and not _NAME_COLUMN_OK.search(str(col)):
            problems.append(Problem(None, str(col), "(column name)",
                                    "column name looks like a name, birth date, address or contact detail; "
                                    "records must be pseudonymous: remove the column before the import"))
    if "client_key" in frame:
        keys = frame["client_key"]
        for i in np.flatnonzero(_elfproef_mask(keys))[:50]:
            problems.append(Problem(int(i) + 1, "client_key", _mask(keys.iloc[i]),
                                    "client key passes the BSN eleven-test and may be a real BSN; "
                                    "replace keys by a salted hash (see docs/records.md)"))
        s = keys.fillna("").astype(str).str.strip()
        for i in np.flatnonzero(s.str.match(_PERSON_NAME).to_numpy(dtype=bool))[:50]:
            problems.append(Problem(int(i) + 1, "client_key", _mask(s.iloc[i]),
                                    "client key looks like a person's name; use a pseudonymous key"))
    for col in frame.columns:
        if col in DATE_COLUMNS or col in ("volume", "domain", "bekostiging"):
            continue
        values = frame[col]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            if col not in COLUMN_NAMES and pd.api.types.is_datetime64_any_dtype(values):
                problems.append(_birth_date_problem(col))
            continue
        s = values.dropna().astype(str).str.strip()
        s = s[s != ""]
        if s.empty:
            continue
        for pattern, what in _VALUE_PATTERNS:
            hit = s.str.contains(pattern)
            if hit.any():
                i = hit.to_numpy().argmax()
                problems.append(Problem(int(s.index[i]) + 1, str(col), _mask(s.iloc[i]),
                                        f"value looks like {what} ({int(hit.sum())} such values in the column); "
                                        "records must be pseudonymous: remove or recode the column"))
        if col not in COLUMN_NAMES:
            as_date = pd.to_datetime(s, errors="coerce", format="mixed", dayfirst=True)
            if as_date.notna().mean() >= 0.8:
                problems.append(_birth_date_problem(col))
            elif s.str.match(_PERSON_NAME).mean() >= 0.5:
                problems.append(Problem(None, str(col), "(column values)",
                                        "most values look like person names; remove the column before the import"))
    return problems


def _birth_date_problem(col) -> Problem:
    return Problem(None, str(col), "(column values)",
                   "column holds dates but is not one of the record's date columns; it may be a birth date: "
                   "remove it before the import (records must be pseudonymous)")


def pseudonymous_key(client, salt: str) -> str:
    """A stable pseudonymous key: 'C' + 16 hex characters of a salted SHA-256 (never 9 digits)."""
    return "C" + hashlib.sha256(f"{salt}:{client}".encode()).hexdigest()[:16]


# -- reading and validation --------------------------------------------------------------------------


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _period(study_period) -> tuple[dt.date, dt.date]:
    start, end = (_as_date(study_period[0]), _as_date(study_period[1]))
    if end < start:
        raise ValueError(f"study period ends ({end}) before it starts ({start})")
    return start, end


def load_table(path: Union[str, Path]) -> tuple[pd.DataFrame, Optional[tuple[dt.date, dt.date]]]:
    """Read a CSV or Parquet file as strings (codes keep their leading zeros) and its study period, if stored."""
    path = Path(path)
    period = None
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

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


def validate(frame: pd.DataFrame, scenario=None, study_period=DEFAULT_STUDY_PERIOD) -> list[Problem]:
    """Every broken rule in the records (privacy excluded; see ``privacy_problems``)."""
    start, end = _period(study_period)
    problems: list[Problem] = []
    missing = [c.name for c in COLUMNS if c.name not in frame.columns]
    for name in missing:
        problems.append(Problem(None, name, "(missing)", "required column is missing; see docs/records.md"))
    if missing:
        return problems

    def text(col):
        return frame[col].fillna("").astype(str).str.strip()

    def add(mask, col, rule, values=None):
        values = text(col) if values is None else values
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            problems.append(Problem(int(i) + 1, col, str(values.iloc[i]), rule if isinstance(rule, str) else rule(i)))

    for c in COLUMNS:
        if c.required:
            add(text(c.name) == "", c.name, "required value is missing")

    dates = {}
    for col in DATE_COLUMNS:
        raw = text(col)
        parsed = pd.to_datetime(raw.where(raw != ""), format="%Y-%m-%d", errors="coerce")
        add((raw != "") & parsed.isna(), col, "not a date; expected YYYY-MM-DD")
        dates[col] = parsed
    toew, begin, eind = dates["datum_toewijzing"], dates["begindatum"], dates["einddatum"]
    raw_begin, raw_eind = text("begindatum"), text("einddatum")
    add((raw_begin == "") & (raw_eind != ""), "begindatum", "missing start of care although the traject has an einddatum")
    add(eind < begin, "einddatum", lambda i: f"stop before start (begindatum {raw_begin.iloc[i]})")
    add(begin < toew, "begindatum", lambda i: f"start of care before the toewijzing ({text('datum_toewijzing').iloc[i]})")
    p_start, p_end = pd.Timestamp(start), pd.Timestamp(end)
    period_text = f"study period {start}..{end}"
    add(toew > p_end, "datum_toewijzing", f"toewijzing after the end of the {period_text}")
    add(begin > p_end, "begindatum", f"start of care after the end of the {period_text}")
    add(eind > p_end, "einddatum", f"stop after the end of the {period_text}; a traject still running at the "
                                   "end has no einddatum")
    add(eind < p_start, "einddatum", f"traject ended before the {period_text} and does not belong in it")

    domain = text("domain")
    add(~domain.isin(["jeugd", "wmo", ""]), "domain", "unknown domain; expected jeugd or wmo")
    cat = text("productcategorie")
    add((domain == "jeugd") & (cat != "") & ~cat.isin(list(JZ020)), "productcategorie",
        f"not a youth product category of list JZ020 ({min(JZ020)}..{max(JZ020)})")
    add((domain == "wmo") & (cat != "") & ~cat.str.fullmatch(r"\d{2}"), "productcategorie",
        "not a 2-digit Wmo product category (list WMO020)")
    code = text("productcode")
    add((code != "") & ~code.str.fullmatch(r"[0-9A-Za-z]{5}"), "productcode", "product code must be 5 letters or digits")
    reden = text("reden_beeindiging")
    add((raw_eind != "") & (reden == ""), "reden_beeindiging", "reason for ending missing for a traject with einddatum")
    add((raw_eind == "") & (reden != ""), "reden_beeindiging", "reason for ending given but einddatum is empty")
    for dom, (list_name, codes) in REDEN_LISTS.items():
        add((domain == dom) & (reden != "") & ~reden.isin(list(codes)), "reden_beeindiging",
            f"not a code of list {list_name} (the reasons for ending of the {dom} domain): {', '.join(codes)}")
    eenheid = text("eenheid")
    add((eenheid != "") & ~eenheid.isin(list(WJ756)), "eenheid", f"not a unit of list WJ756 ({', '.join(WJ756)})")
    vol_raw = text("volume")
    vol = pd.to_numeric(vol_raw.where(vol_raw != ""), errors="coerce")
    add((vol_raw != "") & ~(vol >= 0), "volume", "volume must be a number >= 0")
    bek = text("bekostiging")
    add((bek != "") & ~bek.isin(BEKOSTIGING), "bekostiging", f"unknown funding; expected one of {BEKOSTIGING}")

    if scenario is not None:
        mun, seg, prov, tt = text("municipality"), text("segment"), text("provider"), text("traject_type")
        add((mun != "") & ~mun.isin(list(scenario.municipalities)), "municipality",
            f"unknown municipality; the scenario knows {sorted(scenario.municipalities)}")
        add((seg != "") & ~seg.isin(list(scenario.segments)), "segment",
            f"unknown segment; the scenario knows {sorted(scenario.segments)}")
        add((prov != "") & ~prov.isin(list(scenario.providers)), "provider",
            f"unknown provider; the scenario knows {sorted(scenario.providers)}")
        seg_domain = {s: v.domain for s, v in scenario.segments.items()}
        known_seg = seg.isin(list(scenario.segments))
        add(known_seg & (domain != "") & (domain != seg.map(seg_domain).fillna("")), "domain",
            lambda i: f"segment {seg.iloc[i]} is in domain {seg_domain[seg.iloc[i]]}")
        types = {s: set(v.traject_types) for s, v in scenario.segments.items()}
        bad_type = np.array([k and t != "" and t not in types[s] for k, s, t in zip(known_seg, seg, tt)], dtype=bool)
        add(bad_type, "traject_type", lambda i: f"unknown traject type for segment {seg.iloc[i]}; known: "
                                                f"{sorted(types[seg.iloc[i]])}")

    # duplicates: the same toewijzing twice, or the same closed traject under two numbers
    key = text("municipality") + "\x1f" + text("toewijzingnummer")
    dup = key.duplicated(keep="first") & (text("toewijzingnummer") != "")
    first = {k: i for i, k in reversed(list(enumerate(key)))}
    add(dup, "toewijzingnummer", lambda i: f"duplicate toewijzing: same municipality and toewijzingnummer as "
                                           f"row {first[key.iloc[i]] + 1}")
    content = ["client_key", "municipality", "provider", "segment", "traject_type", "productcode",
               "datum_toewijzing", "begindatum", "einddatum", "reden_beeindiging"]
    ckey = pd.Series(["\x1f".join(v) for v in zip(*(text(c) for c in content))], index=frame.index)
    closed = raw_eind != ""
    cdup = ckey.duplicated(keep="first") & closed & ~dup
    cfirst = {k: i for i, k in reversed(list(enumerate(ckey)))}
    add(cdup, "toewijzingnummer", lambda i: f"duplicate traject: same client, provider, product and dates as "
                                            f"row {cfirst[ckey.iloc[i]] + 1} under another toewijzingnummer")
    problems.sort(key=lambda p: (p.row if p.row is not None else -1, COLUMN_NAMES.index(p.column)
                                 if p.column in COLUMN_NAMES else 99))
    return problems


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
    period = _period(study_period or stored or DEFAULT_STUDY_PERIOD)
    scenario = _scenario(scenario)

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


def _scenario(scenario):
    if scenario is None:
        return None
    from simulation.config.scenario import Scenario, load_scenario, scenario_from_dict

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return scenario_from_dict(scenario)
    return load_scenario(scenario)


# -- export from the simulation ------------------------------------------------------------------

_CATEGORY_HINTS = (  # segment description words -> JZ020 product category (first match wins)
    (("verblijf", "behandeling"), "43"), (("crisis",), "46"), (("wonen",), "44"), (("verblijf",), "44"),
    (("dag",), "41"), (("ggz",), "54"),
)


def product_category(segment, domain: str) -> str:
    """JZ020 category for a youth segment from its description; Wmo segments get '02' (Begeleiding)."""
    if domain == "wmo":
        return "02"
    text = (getattr(segment, "description", "") or "").lower()
    for words, code in _CATEGORY_HINTS:
        if all(w in text for w in words):
            return code
    return "45"


def export_records(events: pd.DataFrame, scenario, path: Union[str, Path, None] = None,
                   study_period=None, replication: int = 0, salt: str = "simulation",
                   product_categories: Optional[dict[str, str]] = None) -> pd.DataFrame:
    """The event log of one replication as realised records, as a municipality would export them.

    Rows: every traject in care during ``study_period`` (default: the whole horizon) and every
    toewijzing in the period still waiting for care at its end. Trajecten still running at the
    period end have no einddatum. Dates are calendar days (the model's day, floored).
    Written to ``path`` (.csv or .parquet) when given; the Parquet file stores the study period.
    """
    scenario = _scenario(scenario)
    horizon_end = scenario.end_date - dt.timedelta(days=1)
    start, end = _period(study_period or (scenario.start_date, horizon_end))
    if start < scenario.start_date or end > horizon_end:
        raise ValueError(f"study period {start}..{end} must lie within the simulated horizon "
                         f"{scenario.start_date}..{horizon_end}")
    ev = events[events["replication"] == replication]
    if ev.empty:
        raise ValueError(f"the event log has no replication {replication}")
    lo = float((start - scenario.start_date).days)
    hi = float((end - scenario.start_date).days + 1)          # first day after the period
    tr = traject_table(ev)
    tr = tr[(tr["start"] < hi) & ((tr["stop"] >= lo) | (tr["reden"] == "einde_horizon"))].copy()
    closed = (tr["stop"] < hi) & (tr["reden"] != "einde_horizon")
    tr["closed"] = closed
    tr["toewijzing"] = tr["start"] - tr["wacht_dagen"].fillna(0.0)
    # waiting at the period end: toewijzing before the end, no start before the end
    wt = waiting_table(ev, traject_table(ev), float(scenario.horizon_days))
    waiting = wt[(wt["since"] < hi) & (wt["until"] >= hi)].drop_duplicates(["replication", "traject"])
    toew = ev[ev["event"] == "toewijzing"].drop_duplicates("traject", keep="first").set_index("traject")["day"]
    waiting = waiting.assign(toewijzing=waiting["traject"].map(toew).fillna(waiting["since"]))
    tt = ev[ev["event"].isin(["toewijzing", "wachtlijst", "beginstand"])].drop_duplicates("traject", keep="last")
    waiting = waiting.merge(tt[["traject", "traject_type"]], on="traject", how="left")

    domain_of = {s: v.domain for s, v in scenario.segments.items()}
    cats = {s: (product_categories or {}).get(s) or product_category(v, v.domain) for s, v in scenario.segments.items()}
    type_index = {(s, t): i + 1 for s, v in scenario.segments.items() for i, t in enumerate(v.traject_types)}
    opschaling_other = {(s, t): bool(spec.opschaling_to and domain_of[spec.opschaling_to.segment] != domain_of[s])
                        for s, v in scenario.segments.items() for t, spec in v.traject_types.items()}

    def day_to_date(days):
        base = np.datetime64(scenario.start_date, "D")
        return pd.to_datetime(base + np.floor(np.asarray(days, dtype=float)).astype("timedelta64[D]"))

    def reden_code(row_seg, row_type, reden):
        dom = domain_of[row_seg]
        if reden == "opschaling" and opschaling_other[(row_seg, row_type)]:
            reden = "opschaling_ander_domein"
        return MODEL_TO_REDEN[dom][reden]

    seg_s = tr["segment"].astype(str)
    type_s = tr["traject_type"].astype(str)
    reden_s = tr["reden"].astype(str)
    rows = pd.DataFrame({
        "client": tr["client"].to_numpy(),
        "municipality": tr["municipality"].astype(str).to_numpy(),
        "provider": tr["provider"].astype(str).to_numpy(),
        "segment": seg_s.to_numpy(),
        "traject_type": type_s.to_numpy(),
        "datum_toewijzing": day_to_date(tr["toewijzing"]),
        "begindatum": day_to_date(tr["start"]),
        "einddatum": day_to_date(tr["stop"]).where(closed.to_numpy()),
        "reden_beeindiging": [reden_code(s, t, r) if c else None
                              for s, t, r, c in zip(seg_s, type_s, reden_s, closed)],
        "_start": tr["start"].to_numpy(), "_traject": tr["traject"].to_numpy(),
    })
    wrows = pd.DataFrame({
        "client": waiting["client"].to_numpy(),
        "municipality": waiting["municipality"].astype(str).to_numpy(),
        "provider": waiting["provider"].astype(str).to_numpy(),
        "segment": waiting["segment"].astype(str).to_numpy(),
        "traject_type": waiting["traject_type"].astype(str).to_numpy(),
        "datum_toewijzing": day_to_date(waiting["toewijzing"]),
        "begindatum": pd.NaT, "einddatum": pd.NaT, "reden_beeindiging": None,
        "_start": waiting["toewijzing"].to_numpy(), "_traject": waiting["traject"].to_numpy(),
    })
    out = pd.concat([rows, wrows], ignore_index=True)
    out = out.sort_values(["datum_toewijzing", "_start", "_traject"], kind="stable", ignore_index=True)
    year = out["datum_toewijzing"].dt.year.clip(lower=start.year)
    plek = [scenario.plekken_in_year(p, m, s, int(y)) is not None
            for p, m, s, y in zip(out["provider"], out["municipality"], out["segment"], year)]
    records = pd.DataFrame({
        "client_key": [pseudonymous_key(c, salt) for c in out["client"]],
        "municipality": out["municipality"],
        "provider": out["provider"],
        "toewijzingnummer": [f"TW{i:08d}" for i in range(1, len(out) + 1)],
        "domain": out["segment"].map(domain_of),
        "segment": out["segment"],
        "productcategorie": out["segment"].map(cats),
        "productcode": [f"{cats[s]}T{type_index[(s, t)]:02d}" for s, t in zip(out["segment"], out["traject_type"])],
        "traject_type": out["traject_type"],
        "datum_toewijzing": out["datum_toewijzing"].dt.strftime("%Y-%m-%d"),
        "begindatum": out["begindatum"].dt.strftime("%Y-%m-%d"),
        "einddatum": out["einddatum"].dt.strftime("%Y-%m-%d"),
        "reden_beeindiging": out["reden_beeindiging"],
        "eenheid": "82",
        "volume": 1.0,
        "bekostiging": np.where(plek, "plek", "traject"),
    })
    records = records.astype({c: object for c in records.columns if c != "volume"})
    records = records.where(records.notna(), None)
    if path is not None:
        write_records(records, path, (start, end))
    records.attrs["study_period"] = (start, end)
    return records


def write_records(records: pd.DataFrame, path: Union[str, Path], study_period) -> Path:
    """Write records as CSV or Parquet (by suffix); Parquet keeps the study period in its metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start, end = _period(study_period)
    cols = [c for c in COLUMN_NAMES if c in records.columns]
    frame = records[cols].copy()
    for col in DATE_COLUMNS:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(c, pa.float64() if c == "volume" else pa.string()) for c in cols])
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               PERIOD_METADATA_KEY: f"{start}/{end}".encode()})
        pq.write_table(table, tmp)
    elif path.suffix.lower() == ".csv":
        frame.to_csv(tmp, index=False, lineterminator="\n")
    else:
        raise ValueError(f"{path}: records are written as .csv or .parquet")
    tmp.replace(path)
    return path


# -- command line ----------------------------------------------------------------------------------


def main_export(argv: Optional[Sequence[str]] = None) -> int:
    """``export``: simulate a scenario and write one replication's trajecten as records."""
    parser = argparse.ArgumentParser(prog="python -m simulation export-records",
                                     description="Simulate a scenario and write its trajecten as realised records.")
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("--out", required=True, help="records file (.csv or .parquet)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replication", type=int, default=0)
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"),
                        help="study period, inclusive (default: the whole horizon)")
    parser.add_argument("--salt", default="simulation", help="salt of the pseudonymous client keys")
    args = parser.parse_args(argv)
    from simulation.experiment.runner import simulate
    from simulation.config.scenario import ScenarioError

    try:
        result = simulate(args.scenario, seed=args.seed, replications=args.replication + 1)
        records = export_records(result.events, result.scenario, args.out, study_period=args.period,
                                 replication=args.replication, salt=args.salt)
    except (ScenarioError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n_open = int(records["einddatum"].isna().sum())
    print(f"{args.out}: {len(records)} records ({n_open} open at the period end)")
    return 0


def main_check(argv: Optional[Sequence[str]] = None) -> int:
    """``check``: validate a records file and report every problem."""
    parser = argparse.ArgumentParser(prog="python -m simulation check-records",
                                     description="Validate realised records and list every problem.")
    parser.add_argument("records")
    parser.add_argument("--scenario", help="scenario YAML: also check municipalities, segments, providers")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"))
    parser.add_argument("--drop-invalid", action="store_true")
    parser.add_argument("--report", help="where to write the report of dropped rows")
    args = parser.parse_args(argv)
    try:
        frame = read_records(args.records, scenario=args.scenario, study_period=args.period,
                             drop_invalid=args.drop_invalid, report_path=args.report)
    except RecordsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    msg = f"{args.records}: {len(frame)} valid records"
    if frame.attrs["dropped"]:
        msg += f"; {len({p.row for p in frame.attrs['dropped']})} rows dropped, report: {frame.attrs['report_path']}"
    print(msg)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"export": main_export, "check": main_check}
    if not argv or argv[0] not in commands:
        print("usage: python -m simulation.data.records {export,check} ...", file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
