"""The record format: one row per traject (toewijzing), its columns and the code lists (docs/records.md)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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


def as_date(value) -> dt.date:
    """A date from a date, datetime or ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def parse_study_period(study_period) -> tuple[dt.date, dt.date]:
    """(first day, last day), inclusive, from two dates or ISO strings; the end may not precede the start."""
    start, end = (as_date(study_period[0]), as_date(study_period[1]))
    if end < start:
        raise ValueError(f"study period ends ({end}) before it starts ({start})")
    return start, end
