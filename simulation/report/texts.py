"""What the report pages say around the numbers: the documents' titles, source lines and banners.

Source lines name the document and paragraph a figure rests on, not a folder:

>>> cite("004", "par. 7.2")
'004 Inkoopnota Noord-Limburg, par. 7.2'
>>> simulation_source("noord-limburg", 2, 1, [("004", "par. 6")])
"Bron: simulatie van scenario 'noord-limburg' (2 replicaties, seed 1); 004 Inkoopnota Noord-Limburg, par. 6"
"""
from __future__ import annotations

import hashlib
import re
import types
from typing import Iterable, Optional

from simulation._lazy import pandas as pd

from simulation.report import exports
from simulation.report.labels import NAMES, euro, number, table_number

# the five source documents (/work/shared/seeds/README.md), by their number
DOCUMENTS: dict[str, str] = {
    "000": "000 Inkoopnota Achterhoek",
    "001": "001 Raadsinformatiebrief Zwolle (resultaatgericht contracteren)",
    "002": "002 Informatieblad inkoop Achterhoek 2022",
    "003": "003 Inkoopstrategie Wmo Meierij",
    "004": "004 Inkoopnota Noord-Limburg",
}

# a result that rests on synthetic or demo data says so at the top of its page and answer
SYNTHETIC_BANNER = ("⚠ Let op: synthetische gegevens. Deze uitkomsten rusten op een klein, kunstmatig "
                    "registratiebestand (testgegevens), niet op echte registraties van een gemeente; ze tonen "
                    "hoe de analyse werkt en zijn geen bevinding.")

# a per-municipality figure whose differences come only from population (and the providers that serve them)
POPULATION_BANNER = ("⚠ Let op: de gemeenten verschillen in het scenario alleen in inwonertal (en in de aanbieders "
                     "die hen bedienen). De documenten geven geen instroom, trajectmix of wachttijd per gemeente: "
                     "verschillen tussen gemeenten boven de schaal zijn toeval van de simulatie.")


def cite(document: str, paragraph: str = "") -> str:
    """A document by its number and title, with a paragraph: '004 Inkoopnota Noord-Limburg, par. 7.2'."""
    title = DOCUMENTS.get(document, document)
    return f"{title}, {paragraph}" if paragraph else title


def cites(references: Iterable[tuple[str, str]]) -> str:
    """Several (document, paragraph) references, joined with '; '."""
    return "; ".join(cite(d, p) for d, p in references)


def simulation_source(scenario: str, replications: int, seed: int,
                      references: Optional[Iterable[tuple[str, str]]] = None, note: str = "") -> str:
    """The source line under a simulated figure: the scenario, replications, seed and the documents it rests on."""
    runs = f"{replications} replicatie{'s' if replications != 1 else ''}"
    line = f"Bron: simulatie van scenario '{scenario}' ({runs}, seed {seed})"
    if references:
        line += "; " + cites(references)
    return line + (f"; {note}" if note else "")


def warmup_text(scenario) -> str:
    """The scenario's warm-up as a reader reads it (Dutch; ``SimulationResult.warmup_description`` is the
    English line the CLI prints).

    >>> from types import SimpleNamespace as S
    >>> import datetime as dt
    >>> warmup_text(S(warmup=S(days=365, initial_caseload=True), start_date=dt.date(2022, 1, 1)))
    'Inloopperiode van 365 dagen vanuit een beginbestand in evenwicht, niet meegeteld; het gebeurtenissenlog begint op 01-01-2022.'
    """
    w = scenario.warmup
    start = "een beginbestand in evenwicht" if w.initial_caseload else "een leeg systeem"
    return (f"Inloopperiode van {number(w.days)} dagen vanuit {start}, niet meegeteld; het gebeurtenissenlog "
            f"begint op {scenario.start_date:%d-%m-%Y}.")


def with_banner(banner: str, text: str) -> str:
    """``text`` with ``banner`` as its first line (for an answer the index shows)."""
    return f"{banner}\n\n{text}"


def assumptions(items: Iterable[str]) -> str:
    """A short 'Waar dit op rust' list in markdown, one line per assumption or source."""
    return "**Waar dit op rust**\n\n" + "\n".join(f"- {i}" for i in items)


def column_name(column: str) -> str:
    """A table column by its Dutch display name: a column or KPI from ``labels.NAMES``, with the summary
    suffixes (_gem, _ci_laag, _ci_hoog) spelled out; the column itself when no name is set."""
    for kind in ("column", "kpi"):
        if column in NAMES[kind]:
            return NAMES[kind][column]
    for suffix, words in sorted(NAMES["suffix"].items(), key=lambda s: -len(s[0])):
        base = column.removesuffix(suffix)
        if base != column and (base in NAMES["kpi"] or base in NAMES["column"]):
            return f"{column_name(base)}: {words}"
    return column


def cell_text(value) -> str:
    """A list or mapping in a table cell as a reader reads it, not as Python writes it.

    >>> cell_text(["S3", "S4"]), cell_text({"share": 0.15, "to": {"segment": "S4"}})
    ('S3, S4', 'share 0,15; to: segment S4')
    """
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {cell_text(v)}" if isinstance(v, dict) else f"{k} {cell_text(v)}"
                         for k, v in value.items())
    if isinstance(value, float):
        return table_number(value)
    return "" if value is None else str(value)


# integer columns that name a year or a position, not an amount: shown without a thousands dot (2022, not 2.022)
NOT_AMOUNTS = {"year", "jaar", "base_year", "replication", "replicatie", "seed", "contract", "step", "stap",
               "iteration"}


def dutch_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a notebook page shows it: as in the CSV and workbook (``exports.dutch_table``), with Dutch
    headers from ``labels.NAMES``, providers, variants and KPIs by their display names, numbers rounded and
    whole numbers in Dutch format ('12.633'; pandas' float format, ``labels.table_number``, does the others),
    and on the page without pandas' row numbers (an index that means something is a column by then).

    >>> dutch_table(pd.DataFrame({"year": [2022], "instroom": [12633.2]})).iloc[0].astype(str).tolist()
    ['2022', '12.633']
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        return frame
    unnamed = all(n is None for n in frame.index.names)
    if unnamed and pd.api.types.is_integer_dtype(frame.index.dtype):
        frame = frame.reset_index(drop=True)   # positions left by a sort or a filter: no column of their own
    elif not isinstance(frame.index, pd.RangeIndex) or not unnamed:
        frame = frame.reset_index()   # an index that means something (a pivot's rows) becomes columns
    table = exports.dutch_table(frame)[0]
    for i, (column, header) in enumerate(zip(frame.columns, table.columns)):
        values = table.iloc[:, i]
        if values.dtype == object and values.map(lambda v: isinstance(v, (list, tuple, dict))).any():
            table[header] = values.map(cell_text)
            continue
        if (pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
                and not {str(column).lower(), str(header).lower()} & NOT_AMOUNTS):
            table[header] = values.map(lambda v: number(v) if pd.notna(v) else "–").astype(object)
        elif pd.api.types.is_float_dtype(values.dtype) and values.isna().any():
            table[header] = values.map(table_number).astype(object)   # a missing value as '–', not 'NaN'
    return without_row_numbers(table)


def without_row_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` shown on a page without pandas' row numbers (0, 1, 2 ...), which mean nothing to a reader;
    an index that means something is kept (``dutch_table`` makes it columns first)."""
    if isinstance(table, pd.DataFrame) and isinstance(table.index, pd.RangeIndex):
        table._repr_html_ = types.MethodType(_html_without_row_numbers, table)
    return table


def _html_without_row_numbers(table: pd.DataFrame) -> str:
    """The notebook's HTML of ``table`` as pandas writes it (float format, row limits), without the index,
    its text columns aligned left (numbers stay right, as pandas aligns every cell)."""
    body = table.to_html(index=False, notebook=True, max_rows=pd.get_option("display.max_rows"),
                         max_cols=pd.get_option("display.max_columns"),
                         show_dimensions=pd.get_option("display.show_dimensions"))
    text = [i + 1 for i, c in enumerate(table.columns) if is_text_column(table.iloc[:, i])]
    if not text:
        return body
    table_id = "tabel-" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:10]   # the same page, the same id
    cells = ", ".join(f"#{table_id} {tag}:nth-child({n})" for n in text for tag in ("th", "td"))
    return (f"<style>{cells} {{ text-align: left; }}</style>\n"
            + body.replace("<table ", f'<table id="{table_id}" ', 1))


# a cell a reader reads as a number: '12.633', '-4,2', '€ 1.234', '4,8%', '€ 108,7 mln', '+3,2%', '–' (missing)
_NUMBER_CELL = re.compile(r"[+-]?(€\s?)?[+-]?\d[\d.]*(,\d+)?\s?(%|mln)?|–|-")


def is_text_column(values: pd.Series) -> bool:
    """Whether a shown column is text (aligned left): not numbers, nor numbers written out as Dutch text or
    intervals of them ('€ 1.234 - € 1.456', '1,2 tot 3,4').

    >>> is_text_column(pd.Series(["Begeleiding", "Dagbesteding"])), is_text_column(pd.Series(["€ 1.234 - € 1.456", "–"]))
    (True, False)
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return False
    shown = [str(v).strip() for v in values if v is not None and v == v and str(v).strip()]
    return any(not all(_NUMBER_CELL.fullmatch(part.strip()) for part in re.split(r" - | tot ", v)) for v in shown)


def subset_banner(simulated, all_segments) -> str:
    """The banner of a run on part of the segments (a demonstration), '' when every segment is simulated."""
    if set(all_segments) <= set(simulated):
        return ""
    return (f"⚠ Let op: demonstratie op een deel van de segmenten ({', '.join(simulated)}), met de kleine "
            "standaardinstellingen van deze pagina; de segmenten waar hun cliënten naartoe gaan krijgen maar een deel "
            "van hun instroom. De raming voor alle segmenten draait met `make run`.")


def signed_euro(x: float) -> str:
    """An amount with its sign: '+€ 12.345', '€ -12.345' (labels.euro keeps the minus after the sign)."""
    return ("+" if x > 0 else "") + euro(x)


def signed_number(x: float, decimals: int = 0) -> str:
    """A number with its sign: '+4,2', '-4,2', '0'."""
    return ("+" if round(x, decimals) > 0 else "") + number(x, decimals)


# the provider margin of a scenario without provider cost models (funding.provider_costs)
MARGIN_UNKNOWN = "niet bekend: geen kosten van aanbieders in het scenario"

# the behaviour assumptions of a scenario whose contracts all behave neutrally
NO_BEHAVIOUR = ("Het scenario heeft geen gedragsfactoren: elk contract werkt neutraal (doorlooptijdfactor 1, "
                "intensiteitsfactor 1, kans op weigering 0).")
