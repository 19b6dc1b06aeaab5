"""What every estimate of the calibration reads: the linked records, the base scenario and the study period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from simulation._lazy import pandas as pd

from simulation.data.calibration.report import CalibrationReport


@dataclass
class CalibrationInputs:
    """The linked records (``prepare``), the base scenario (or None) and the report the estimates write to."""

    records: pd.DataFrame
    base: Optional[Any]
    start: dt.date
    end: dt.date
    report: CalibrationReport
    new: pd.DataFrame                     # new trajecten: toewijzing in the period, not a voortzetting/opschaling
    segments: list[str]                   # in the base scenario's order first
    municipalities: list[str]

    @classmethod
    def of(cls, linked: pd.DataFrame, base) -> "CalibrationInputs":
        """From records linked by ``prepare`` (with ``attrs['study_period']``) and the base scenario or None."""
        start, end = linked.attrs["study_period"]
        days = (end - start).days + 1
        segments, municipalities = segment_and_municipality_order(linked, base)
        return cls(linked, base, start, end, CalibrationReport((start, end), len(linked)),
                   new_trajecten(linked, days), segments, municipalities)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    @property
    def comments(self) -> dict[tuple, str]:
        """The comment per YAML path, written next to the fitted number."""
        return self.report.comments

    def base_segment(self, segment: str):
        return self.base.segments.get(segment) if self.base is not None else None

    def note(self, text: str, dutch: str) -> None:
        """A note on the fit, in English (the calibrate report) and in Dutch (notebook 08's page)."""
        self.report.notes.append(text)
        self.report.notes_nl.append(dutch)


def new_trajecten(records: pd.DataFrame, days: int) -> pd.DataFrame:
    """Trajecten with a toewijzing in the period that are neither a voortzetting nor an opschaling successor."""
    return records[~records["voortzetting"] & ~records["opschaling_in"] & (records["toew"] >= 0)
                   & (records["toew"] < days)]


def segment_and_municipality_order(records: pd.DataFrame, base) -> tuple[list[str], list[str]]:
    """Sorted names from the records; with a base scenario, its order first (then names it lacks)."""
    segments = sorted(records["segment"].dropna().unique())
    municipalities = sorted(records["municipality"].dropna().unique())
    if base is not None:
        municipalities = list(base.municipalities) + [m for m in municipalities if m not in base.municipalities]
        segments = [s for s in base.segments if s in set(segments)] + [s for s in segments if s not in base.segments]
    return segments, municipalities
