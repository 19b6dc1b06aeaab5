"""The privacy guard: records must be pseudonymous (no BSN, names, birth dates, addresses or contact details)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.records.checks import Problem
from simulation.data.records.format import COLUMN_NAMES, DATE_COLUMNS

_ELFPROEF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


def passes_elfproef(key: str) -> bool:
    """True when ``key`` is 8 or 9 digits that pass the BSN eleven-test (8 digits: leading 0 dropped);
    dots, spaces and dashes between the digits are ignored (111.222.333, 111 222 333)."""
    key = str(key).strip()
    key = re.sub(r"\D", "", key) if _IDENTIFIER.fullmatch(key) else key
    if not (key.isdigit() and len(key) in (8, 9)):
        return False
    digits = np.array([int(c) for c in key.zfill(9)])
    return int(digits @ _ELFPROEF_WEIGHTS) % 11 == 0


_IDENTIFIER = re.compile(r"\d+(?:[.\s\-\u2013/_]\d+)*")   # digits, maybe grouped by dots, spaces, dashes
_CODE_COLUMNS = ("volume", "domain", "bekostiging", "productcategorie", "productcode", "reden_beeindiging", "eenheid")
_CHANCE_SHARE = 0.3   # random 8-9 digit numbers pass the eleven-test 1 time in 11


def _digits(values: pd.Series) -> pd.Series:
    """Each value as its digits when it is an identifier (digits grouped by separators), else ''."""
    if pd.api.types.is_float_dtype(values):
        values = values.map(lambda v: f"{v:.0f}" if pd.notna(v) and float(v).is_integer() else "")
    s = values.fillna("").astype(str).str.strip()
    return s.where(s.str.fullmatch(_IDENTIFIER), "").str.replace(r"\D", "", regex=True)


def _elfproef_mask(values: pd.Series) -> np.ndarray:
    """Per value: an 8 or 9 digit identifier (separators ignored: 111.222.333, 111 222 333) passing the eleven-test."""
    s = _digits(values)
    candidate = s.str.fullmatch(r"\d{8,9}").to_numpy(dtype=bool)
    out = np.zeros(len(s), dtype=bool)
    if candidate.any():
        padded = s[candidate].str.zfill(9)
        digits = np.array([[int(c) for c in v] for v in padded])
        out[candidate] = (digits @ _ELFPROEF_WEIGHTS) % 11 == 0
    return out


def _mask_identifier(value) -> str:
    """The first four digits of an identifier, the rest as stars (1112*****)."""
    digits = re.sub(r"\D", "", str(value))
    return digits[:4] + "*" * max(len(digits) - 4, 1)


def _bsn_problems(frame: pd.DataFrame) -> list[Problem]:
    """Values that may be a BSN: in the client key any that pass the eleven-test; in any other column of
    identifiers, those that pass when more of them pass than chance explains (a column of BSNs, or a few)."""
    problems: list[Problem] = []
    for col in frame.columns:
        values = frame[col]
        if col in DATE_COLUMNS or col in _CODE_COLUMNS or pd.api.types.is_datetime64_any_dtype(values) \
                or pd.api.types.is_bool_dtype(values):
            continue
        passes = _elfproef_mask(values)
        if not passes.any():
            continue
        n_ids = int(_digits(values).str.fullmatch(r"\d{8,9}").sum())
        if col != "client_key" and passes.sum() / n_ids < _CHANCE_SHARE:
            continue
        rule = ("de cliëntsleutel doorstaat de BSN-elfproef (eleven-test) en kan een echt BSN zijn; vervang de sleutels "
                "door een gezouten hash (zie docs/records.md)" if col == "client_key" else
                f"de waarde doorstaat de BSN-elfproef (eleven-test; {int(passes.sum())} van {n_ids} zulke getallen in de "
                "kolom doen dat, bij toeval 1 op 11) en kan een echt BSN zijn: verwijder de kolom of vervang haar door "
                "een gezouten hash")
        for i in np.flatnonzero(passes)[:50]:
            problems.append(Problem(int(i) + 1, str(col), _mask_identifier(values.iloc[i]), rule))
    return problems


_NAME_COLUMN = re.compile(
    r"naam|name|voornaam|achternaam|initialen|geboorte|birth|\bdob\b|leeftijd|adres|address|straat|street|"
    r"postcode|zip|huisnummer|woonplaats|\bbsn\b|burgerservice|e-?mail|telefoon|phone|mobiel", re.IGNORECASE)
_NAME_COLUMN_OK = re.compile(r"aanbieder|provider|gemeente|municipality|product|segment|traject", re.IGNORECASE)
_VALUE_PATTERNS = (
    (re.compile(r"^\d{4}\s?[A-Za-z]{2}$"), "een postcode"),
    (re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"), "een e-mailadres"),
    (re.compile(r"(?:straat|weg|laan|plein|gracht|singel|dijk|kade|steeg|pad)\s+\d+\s*[A-Za-z]?$", re.IGNORECASE),
     "een straatadres"),
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
                                    "de kolomnaam lijkt op een naam, geboortedatum, adres of contactgegeven; "
                                    "registraties moeten gepseudonimiseerd zijn: verwijder de kolom voor het inlezen"))
    problems += _bsn_problems(frame)
    if "client_key" in frame:
        keys = frame["client_key"]
        s = keys.fillna("").astype(str).str.strip()
        for i in np.flatnonzero(s.str.match(_PERSON_NAME).to_numpy(dtype=bool))[:50]:
            problems.append(Problem(int(i) + 1, "client_key", _mask(s.iloc[i]),
                                    "de cliëntsleutel lijkt op de naam van een persoon (person's name); gebruik een gepseudonimiseerde sleutel"))
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
                                        f"de waarde lijkt op {what} ({int(hit.sum())} zulke waarden in de kolom); "
                                        "registraties moeten gepseudonimiseerd zijn: verwijder of hercodeer de kolom"))
        if col not in COLUMN_NAMES:
            as_date = pd.to_datetime(s, errors="coerce", format="mixed", dayfirst=True)
            if as_date.notna().mean() >= 0.8:
                problems.append(_birth_date_problem(col))
            elif s.str.match(_PERSON_NAME).mean() >= 0.5:
                problems.append(Problem(None, str(col), "(column values)",
                                        "de meeste waarden lijken op namen van personen; verwijder de kolom voor het inlezen"))
    return problems


def _birth_date_problem(col) -> Problem:
    return Problem(None, str(col), "(column values)",
                   "de kolom bevat datums maar is geen van de datumkolommen van de registratie; het kan een geboortedatum zijn: "
                   "verwijder haar voor het inlezen (registraties moeten gepseudonimiseerd zijn)")


def pseudonymous_key(client, salt: str) -> str:
    """A stable pseudonymous key: 'C' + 16 hex characters of a salted SHA-256 (never 9 digits)."""
    return "C" + hashlib.sha256(f"{salt}:{client}".encode()).hexdigest()[:16]

