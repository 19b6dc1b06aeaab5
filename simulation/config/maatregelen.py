"""Policy measures from a date (scenario field ``maatregelen``; note 004 par. 6): their schema and checks.

The engine applies them in core/rules.py (``measure_factor``, ``ambulant_shift``), from the tables
core/compiled.py builds; docs/projection.md describes the fields and their use in notebook 06.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, defer_build=True)


class Target(_Model):
    """A segment and one of its traject types (opschaling, a measure's ambulant alternative)."""

    segment: str
    traject_type: str


class AmbulantInPlaatsVanVerblijf(_Model):
    """A share of the new toewijzingen goes to an ambulant traject type in another segment instead."""

    share: float = Field(gt=0, le=1, description="share of the new toewijzingen (of the measure's traject types) shifted")
    to: Target = Field(description="segment and traject type of the ambulant alternative")


class Maatregel(_Model):
    """A policy measure from a date (note 004 par. 6): shorter doorlooptijden and/or ambulant instead of verblijf.

    Neutral when absent. ``doorlooptijd_factor`` multiplies the doorlooptijd of trajecten of the named
    segments (and traject types, and outcomes drawn at the start) that START on or after ``vanaf``;
    ``ambulant_in_plaats_van_verblijf`` sends a share of the new toewijzingen in those segments made on
    or after ``vanaf`` to another segment's traject type. Continuations of a traject started before
    ``vanaf`` are new trajecten: they get the factor when they start after it.
    """

    naam: str
    vanaf: dt.date = Field(description="first day the measure applies (to trajecten started or toegewezen from then)")
    segments: list[str] = Field(min_length=1, description="segments the measure applies to")
    traject_types: Optional[list[str]] = Field(None, description="only these traject types; none: all of the segments")
    uitkomsten: Optional[list[Literal["afschaling", "step_down", "opschaling", "uitval", "verlenging"]]] = Field(
        None, description="only trajecten that will end this way (drawn at their start); none: all")
    doorlooptijd_factor: float = Field(1.0, gt=0, description="multiplies the doorlooptijd of the trajecten it covers")
    ambulant_in_plaats_van_verblijf: Optional[AmbulantInPlaatsVanVerblijf] = None
    source: str = Field("", description="the document, or 'assumption: ...' with its reasoning")


def maatregel_problem(maatregelen: list[Maatregel], scenario) -> tuple[str, str, object] | None:
    """The first problem as (field path, message, value), or None: the segments, traject types and
    targets the measures name must exist; one shifting measure per segment."""
    for i, m in enumerate(maatregelen):
        where = f"maatregelen.{i}"
        for s in m.segments:
            if s not in scenario.segments:
                return (f"{where}.segments", f"onbekend segment; kies uit {sorted(scenario.segments)}", s)
        for t in m.traject_types or []:
            if not any(t in scenario.segments[s].traject_types for s in m.segments):
                return (f"{where}.traject_types", "trajecttype van geen van de segmenten van de maatregel; kies "
                        f"uit {sorted({n for s in m.segments for n in scenario.segments[s].traject_types})}", t)
        shift = m.ambulant_in_plaats_van_verblijf
        if shift is not None:
            to = shift.to
            if to.segment not in scenario.segments or to.traject_type not in scenario.segments[to.segment].traject_types:
                return (f"{where}.ambulant_in_plaats_van_verblijf.to",
                        "vraagt een bestaand segment en een van zijn trajecttypen", to.model_dump())
            if to.segment in m.segments:
                return (f"{where}.ambulant_in_plaats_van_verblijf.to",
                        "het ambulante alternatief moet in een ander segment liggen dan dat van de maatregel", to.segment)
            for j, other in enumerate(maatregelen[:i]):
                if other.ambulant_in_plaats_van_verblijf is not None and set(other.segments) & set(m.segments):
                    return (f"{where}.segments", f"maatregelen.{j} verschuift al toewijzingen in deze "
                            "segmenten; gebruik één verschuivende maatregel per segment", sorted(m.segments))
    return None
