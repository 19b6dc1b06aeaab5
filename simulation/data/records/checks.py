"""The import checks: every broken rule of the record format as a ``Problem``, and the errors that list them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Union

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.records.format import (BEKOSTIGING, COLUMN_NAMES, COLUMNS, DATE_COLUMNS, DEFAULT_STUDY_PERIOD,
                                            JZ020, REDEN_LISTS, WJ756, parse_study_period)


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``row`` is the 1-based record number (the header is not counted;
    in a spreadsheet the record is on row ``row + 1``); None for a problem with the whole file."""

    row: Optional[int]
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        where = f"rij {self.row}" if self.row is not None else "bestand"
        return f"{where}, kolom {self.column}, waarde {self.value!r}: {self.rule}"


class RecordsError(ValueError):
    """Records that cannot be imported; ``problems`` lists every broken rule."""

    def __init__(self, source: str, problems: Sequence[Problem], hint: str = ""):
        self.source, self.problems = source, list(problems)
        count = len(self.problems)
        head = f"{source}: {count} {'probleem' if count == 1 else 'problemen'} in de registratie"
        shown = [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            shown.append(f"  ... en nog {len(self.problems) - 200} (zie .problems)")
        super().__init__("\n".join([head] + shown + ([hint] if hint else [])))


class RecordsFileError(RecordsError):
    """A records file that cannot be read at all (missing, a folder, not a table); its message is one line."""

    def __str__(self) -> str:
        return f"{self.source}: {self.problems[0].rule}"


class PrivacyError(RecordsError):
    """Records that are not pseudonymous; never imported, not even with drop_invalid."""


class _Checker:
    """Collects the problems of one frame of records (strings, as read)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.problems: list[Problem] = []

    def text(self, col: str) -> pd.Series:
        return self.frame[col].fillna("").astype(str).str.strip()

    def add(self, mask, col: str, rule: Union[str, Callable[[int], str]], values: Optional[pd.Series] = None):
        """One problem per row where ``mask`` holds; ``rule`` is the text, or a function of the row index."""
        values = self.text(col) if values is None else values
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.problems.append(Problem(int(i) + 1, col, str(values.iloc[i]),
                                         rule if isinstance(rule, str) else rule(i)))


def validate(frame: pd.DataFrame, scenario=None, study_period=DEFAULT_STUDY_PERIOD) -> list[Problem]:
    """Every broken rule in the records (privacy excluded; see ``privacy_problems``)."""
    start, end = parse_study_period(study_period)
    missing = [c.name for c in COLUMNS if c.name not in frame.columns]
    if missing:
        return [Problem(None, name, "(missing)", "verplichte kolom ontbreekt; zie docs/records.md") for name in missing]
    check = _Checker(frame)
    for c in COLUMNS:
        if c.required:
            check.add(check.text(c.name) == "", c.name, "verplichte waarde ontbreekt")
    _check_dates(check, start, end)
    _check_codes(check)
    if scenario is not None:
        _check_against_scenario(check, scenario)
    _check_duplicates(check)
    problems = check.problems
    problems.sort(key=lambda p: (p.row if p.row is not None else -1, COLUMN_NAMES.index(p.column)
                                 if p.column in COLUMN_NAMES else 99))
    return problems


def _check_dates(check: _Checker, start, end) -> None:
    text, add = check.text, check.add
    dates = {}
    for col in DATE_COLUMNS:
        raw = text(col)
        parsed = pd.to_datetime(raw.where(raw != ""), format="%Y-%m-%d", errors="coerce")
        add((raw != "") & parsed.isna(), col, "geen datum; verwacht JJJJ-MM-DD of DD-MM-JJJJ (een jaartal van vier cijfers)")
        dates[col] = parsed
    toew, begin, eind = dates["datum_toewijzing"], dates["begindatum"], dates["einddatum"]
    raw_begin, raw_eind = text("begindatum"), text("einddatum")
    add((raw_begin == "") & (raw_eind != ""), "begindatum", "begin van de zorg ontbreekt, terwijl het traject een einddatum heeft")
    add(eind < begin, "einddatum", lambda i: f"einde voor het begin (begindatum {raw_begin.iloc[i]})")
    add(begin < toew, "begindatum", lambda i: f"begin van de zorg voor de toewijzing ({text('datum_toewijzing').iloc[i]})")
    p_start, p_end = pd.Timestamp(start), pd.Timestamp(end)
    period_text = f"onderzoeksperiode {start}..{end}"
    add(toew > p_end, "datum_toewijzing", f"toewijzing na het einde van de {period_text}")
    add(begin > p_end, "begindatum", f"begin van de zorg na het einde van de {period_text}")
    add(eind > p_end, "einddatum", f"einde na het einde van de {period_text}; een traject dat aan het eind nog "
                                   "loopt heeft geen einddatum")
    add(eind < p_start, "einddatum", f"traject eindigde voor de {period_text} en hoort er niet in")


def _check_codes(check: _Checker) -> None:
    text, add = check.text, check.add
    domain = text("domain")
    add(~domain.isin(["jeugd", "wmo", ""]), "domain", "onbekend domein; verwacht jeugd of wmo")
    cat = text("productcategorie")
    add((domain == "jeugd") & (cat != "") & ~cat.isin(list(JZ020)), "productcategorie",
        f"geen productcategorie jeugd van lijst JZ020 ({min(JZ020)}..{max(JZ020)})")
    add((domain == "wmo") & (cat != "") & ~cat.str.fullmatch(r"\d{2}"), "productcategorie",
        "geen Wmo-productcategorie van twee cijfers (lijst WMO020)")
    code = text("productcode")
    add((code != "") & ~code.str.fullmatch(r"[0-9A-Za-z]{5}"), "productcode", "een productcode bestaat uit 5 letters of cijfers")
    reden, raw_eind = text("reden_beeindiging"), text("einddatum")
    add((raw_eind != "") & (reden == ""), "reden_beeindiging", "reden van beëindiging ontbreekt bij een traject met einddatum")
    add((raw_eind == "") & (reden != ""), "reden_beeindiging", "reden van beëindiging gegeven, maar de einddatum is leeg")
    for dom, (list_name, codes) in REDEN_LISTS.items():
        add((domain == dom) & (reden != "") & ~reden.isin(list(codes)), "reden_beeindiging",
            f"geen code van lijst {list_name} (de redenen van beëindiging van het domein {dom}): {', '.join(codes)}")
    eenheid = text("eenheid")
    add((eenheid != "") & ~eenheid.isin(list(WJ756)), "eenheid", f"geen eenheid van lijst WJ756 ({', '.join(WJ756)})")
    vol_raw = text("volume")
    vol = pd.to_numeric(vol_raw.where(vol_raw != ""), errors="coerce")
    add((vol_raw != "") & ~(vol >= 0), "volume", "volume moet een getal van 0 of meer zijn")
    bek = text("bekostiging")
    add((bek != "") & ~bek.isin(BEKOSTIGING), "bekostiging", f"onbekende bekostiging; verwacht een van {BEKOSTIGING}")


def _check_against_scenario(check: _Checker, scenario) -> None:
    text, add = check.text, check.add
    domain = text("domain")
    mun, seg, prov, tt = text("municipality"), text("segment"), text("provider"), text("traject_type")
    add((mun != "") & ~mun.isin(list(scenario.municipalities)), "municipality",
        f"onbekende gemeente; het scenario kent {sorted(scenario.municipalities)}")
    add((seg != "") & ~seg.isin(list(scenario.segments)), "segment",
        f"onbekend segment; het scenario kent {sorted(scenario.segments)}")
    add((prov != "") & ~prov.isin(list(scenario.providers)), "provider",
        f"onbekende aanbieder; het scenario kent {sorted(scenario.providers)}")
    seg_domain = {s: v.domain for s, v in scenario.segments.items()}
    known_seg = seg.isin(list(scenario.segments))
    add(known_seg & (domain != "") & (domain != seg.map(seg_domain).fillna("")), "domain",
        lambda i: f"segment {seg.iloc[i]} hoort bij domein {seg_domain[seg.iloc[i]]}")
    types = {s: set(v.traject_types) for s, v in scenario.segments.items()}
    bad_type = np.array([k and t != "" and t not in types[s] for k, s, t in zip(known_seg, seg, tt)], dtype=bool)
    add(bad_type, "traject_type", lambda i: f"onbekend trajecttype voor segment {seg.iloc[i]}; bekend: "
                                            f"{sorted(types[seg.iloc[i]])}")


def _check_duplicates(check: _Checker) -> None:
    """The same toewijzing twice, or the same closed traject under two numbers."""
    text, add = check.text, check.add
    key = text("municipality") + "\x1f" + text("toewijzingnummer")
    dup = key.duplicated(keep="first") & (text("toewijzingnummer") != "")
    first = {k: i for i, k in reversed(list(enumerate(key)))}
    add(dup, "toewijzingnummer", lambda i: f"dubbele toewijzing: dezelfde gemeente en hetzelfde toewijzingnummer als "
                                           f"rij {first[key.iloc[i]] + 1}")
    content = ["client_key", "municipality", "provider", "segment", "traject_type", "productcode",
               "datum_toewijzing", "begindatum", "einddatum", "reden_beeindiging"]
    ckey = pd.Series(["\x1f".join(v) for v in zip(*(text(c) for c in content))], index=check.frame.index)
    closed = text("einddatum") != ""
    cdup = ckey.duplicated(keep="first") & closed & ~dup
    cfirst = {k: i for i, k in reversed(list(enumerate(ckey)))}
    add(cdup, "toewijzingnummer", lambda i: f"dubbel traject: dezelfde cliënt, aanbieder, product en datums als "
                                            f"rij {cfirst[ckey.iloc[i]] + 1} onder een ander toewijzingnummer")
