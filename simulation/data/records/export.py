"""Export of simulated trajecten as records, in the format a municipality would deliver them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import numpy as np
from simulation._lazy import pandas as pd
from simulation._lazy import pyarrow as pa
from simulation._lazy import pyarrow_parquet as pq

from simulation.analysis.tables import traject_table, waiting_table
from simulation.data.records.format import (COLUMN_NAMES, DATE_COLUMNS, MODEL_TO_REDEN, PERIOD_METADATA_KEY,
                                            parse_study_period)
from simulation.data.records.privacy import pseudonymous_key
from simulation.data.records.reading import as_scenario

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


@dataclass(frozen=True)
class _SegmentCodes:
    """What the export needs of the scenario's segments and traject types."""

    domain_of: dict
    categories: dict
    type_index: dict
    opschaling_other_domain: dict

    @classmethod
    def of(cls, scenario, product_categories: Optional[dict[str, str]]) -> "_SegmentCodes":
        domain_of = {s: v.domain for s, v in scenario.segments.items()}
        no_standard = sorted(s for s, d in domain_of.items() if d not in MODEL_TO_REDEN)
        if no_standard:
            raise ValueError(f"segments {no_standard} have domain {domain_of[no_standard[0]]!r}: realised records are "
                             f"iJw (jeugd) or iWmo (wmo) messages, which have no list for it; export a scenario "
                             f"without those segments")
        cats = {s: (product_categories or {}).get(s) or product_category(v, v.domain)
                for s, v in scenario.segments.items()}
        type_index = {(s, t): i + 1 for s, v in scenario.segments.items() for i, t in enumerate(v.traject_types)}
        other = {(s, t): bool(spec.opschaling_to and domain_of[spec.opschaling_to.segment] != domain_of[s])
                 for s, v in scenario.segments.items() for t, spec in v.traject_types.items()}
        return cls(domain_of, cats, type_index, other)

    def reden_code(self, segment, traject_type, reden) -> str:
        if reden == "opschaling" and self.opschaling_other_domain[(segment, traject_type)]:
            reden = "opschaling_ander_domein"
        return MODEL_TO_REDEN[self.domain_of[segment]][reden]


def export_records(events: pd.DataFrame, scenario, path: Union[str, Path, None] = None,
                   study_period=None, replication: int = 0, salt: str = "simulation",
                   product_categories: Optional[dict[str, str]] = None) -> pd.DataFrame:
    """The event log of one replication as realised records, as a municipality would export them.

    Rows: every traject in care during ``study_period`` (default: the whole horizon) and every
    toewijzing in the period still waiting for care at its end. Trajecten still running at the
    period end have no einddatum. Dates are calendar days (the model's day, floored).
    Written to ``path`` (.csv or .parquet) when given; the Parquet file stores the study period.
    """
    scenario = as_scenario(scenario)
    horizon_end = scenario.end_date - dt.timedelta(days=1)
    start, end = parse_study_period(study_period or (scenario.start_date, horizon_end))
    if start < scenario.start_date or end > horizon_end:
        raise ValueError(f"study period {start}..{end} must lie within the simulated horizon "
                         f"{scenario.start_date}..{horizon_end}")
    ev = events[events["replication"] == replication]
    if ev.empty:
        raise ValueError(f"the event log has no replication {replication}")
    lo = float((start - scenario.start_date).days)
    hi = float((end - scenario.start_date).days + 1)          # first day after the period
    codes = _SegmentCodes.of(scenario, product_categories)
    trajecten = traject_table(ev)   # once, for both parts
    rows = pd.concat([_trajecten_rows(trajecten, scenario, codes, lo, hi), _waiting_rows(ev, trajecten, scenario, hi)],
                     ignore_index=True)
    rows = rows.sort_values(["datum_toewijzing", "_start", "_traject"], kind="stable", ignore_index=True)
    records = _as_records(rows, scenario, codes, start.year, salt)
    if path is not None:
        write_records(records, path, (start, end))
    records.attrs["study_period"] = (start, end)
    return records


def _calendar_dates(scenario, days) -> pd.DatetimeIndex:
    base = np.datetime64(scenario.start_date, "D")
    return pd.to_datetime(base + np.floor(np.asarray(days, dtype=float)).astype("timedelta64[D]"))


def _trajecten_rows(trajecten: pd.DataFrame, scenario, codes: _SegmentCodes, lo: float, hi: float) -> pd.DataFrame:
    """Trajecten in care during the period [lo, hi); closed ones have an einddatum and a reden."""
    tr = trajecten
    tr = tr[(tr["start"] < hi) & ((tr["stop"] >= lo) | (tr["reden"] == "einde_horizon"))].copy()
    closed = (tr["stop"] < hi) & (tr["reden"] != "einde_horizon")
    tr["closed"] = closed
    tr["toewijzing"] = tr["start"] - tr["wacht_dagen"].fillna(0.0)
    seg_s = tr["segment"].astype(str)
    type_s = tr["traject_type"].astype(str)
    reden_s = tr["reden"].astype(str)
    return pd.DataFrame({
        "client": tr["client"].to_numpy(),
        "municipality": tr["municipality"].astype(str).to_numpy(),
        "provider": tr["provider"].astype(str).to_numpy(),
        "segment": seg_s.to_numpy(),
        "traject_type": type_s.to_numpy(),
        "datum_toewijzing": _calendar_dates(scenario, tr["toewijzing"]),
        "begindatum": _calendar_dates(scenario, tr["start"]),
        "einddatum": _calendar_dates(scenario, tr["stop"]).where(closed.to_numpy()),
        "reden_beeindiging": [codes.reden_code(s, t, r) if c else None
                              for s, t, r, c in zip(seg_s, type_s, reden_s, closed)],
        "_start": tr["start"].to_numpy(), "_traject": tr["traject"].to_numpy(),
    })


def _waiting_rows(ev: pd.DataFrame, trajecten: pd.DataFrame, scenario, hi: float) -> pd.DataFrame:
    """Toewijzingen before the period end still waiting for care at it (no begindatum)."""
    wt = waiting_table(ev, trajecten, float(scenario.horizon_days))
    waiting = wt[(wt["since"] < hi) & (wt["until"] >= hi)].drop_duplicates(["replication", "traject"])
    toew = ev[ev["event"] == "toewijzing"].drop_duplicates("traject", keep="first").set_index("traject")["day"]
    waiting = waiting.assign(toewijzing=waiting["traject"].map(toew).fillna(waiting["since"]))
    tt = ev[ev["event"].isin(["toewijzing", "wachtlijst", "beginstand"])].drop_duplicates("traject", keep="last")
    waiting = waiting.merge(tt[["traject", "traject_type"]], on="traject", how="left")
    return pd.DataFrame({
        "client": waiting["client"].to_numpy(),
        "municipality": waiting["municipality"].astype(str).to_numpy(),
        "provider": waiting["provider"].astype(str).to_numpy(),
        "segment": waiting["segment"].astype(str).to_numpy(),
        "traject_type": waiting["traject_type"].astype(str).to_numpy(),
        "datum_toewijzing": _calendar_dates(scenario, waiting["toewijzing"]),
        "begindatum": pd.NaT, "einddatum": pd.NaT, "reden_beeindiging": None,
        "_start": waiting["toewijzing"].to_numpy(), "_traject": waiting["traject"].to_numpy(),
    })


def _as_records(rows: pd.DataFrame, scenario, codes: _SegmentCodes, first_year: int, salt: str) -> pd.DataFrame:
    """The record columns (strings, None when empty) of the sorted trajecten and waiting rows."""
    year = rows["datum_toewijzing"].dt.year.clip(lower=first_year)
    plek = [scenario.plekken_in_year(p, m, s, int(y)) is not None
            for p, m, s, y in zip(rows["provider"], rows["municipality"], rows["segment"], year)]
    cats = codes.categories
    records = pd.DataFrame({
        "client_key": [pseudonymous_key(c, salt) for c in rows["client"]],
        "municipality": rows["municipality"],
        "provider": rows["provider"],
        "toewijzingnummer": [f"TW{i:08d}" for i in range(1, len(rows) + 1)],
        "domain": rows["segment"].map(codes.domain_of),
        "segment": rows["segment"],
        "productcategorie": rows["segment"].map(cats),
        "productcode": [f"{cats[s]}T{codes.type_index[(s, t)]:02d}"
                        for s, t in zip(rows["segment"], rows["traject_type"])],
        "traject_type": rows["traject_type"],
        "datum_toewijzing": rows["datum_toewijzing"].dt.strftime("%Y-%m-%d"),
        "begindatum": rows["begindatum"].dt.strftime("%Y-%m-%d"),
        "einddatum": rows["einddatum"].dt.strftime("%Y-%m-%d"),
        "reden_beeindiging": rows["reden_beeindiging"],
        "eenheid": "82",
        "volume": 1.0,
        "bekostiging": np.where(plek, "plek", "traject"),
    })
    records = records.astype({c: object for c in records.columns if c != "volume"})
    return records.where(records.notna(), None)


def write_records(records: pd.DataFrame, path: Union[str, Path], study_period) -> Path:
    """Write records as CSV or Parquet (by suffix); Parquet keeps the study period in its metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start, end = parse_study_period(study_period)
    cols = [c for c in COLUMN_NAMES if c in records.columns]
    frame = records[cols].copy()
    for col in DATE_COLUMNS:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() in (".parquet", ".pq"):
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
