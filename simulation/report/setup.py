"""The set-up every analysis notebook shares: check its parameters, load the scenario, make the output folder.

A notebook's first code cell is one call::

    ctx = notebook_context(out_dir, scenario, seed=seed, replications=replications, min_replications=2,
                           municipality=municipality, segment=segment, data_2019=data_2019,
                           target_bezetting=target_bezetting)

Every parameter is checked by its rule below, so a bad value stops in the first cells with a
message that names the parameter, its value and what is allowed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from simulation._lazy import pandas as pd

from simulation.config.scenario import Scenario, load_scenario
from simulation.funding import VARIANTS
from simulation.report.labels import table_number
from simulation.report.notebooks import output_dir, project_path
from simulation.report.texts import simulation_source


def _positive_list(v) -> bool:
    return all(f > 0 for f in v)


# parameter name -> (accepts the value, what is allowed); checked in the order given by the notebook
RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "target_bezetting": (lambda v: 0 < v <= 1, "moet in (0, 1] liggen"),
    "doorlooptijd_factors": (_positive_list, "elke factor moet groter dan 0 zijn"),
    "plafond_factor": (lambda v: v > 0, "moet groter dan 0 zijn"),
    "cost_share": (lambda v: v > 0, "moet groter dan 0 zijn"),
    "n_points": (lambda v: isinstance(v, int) and v >= 2, "n_points moet 2 of meer zijn"),
    "max_factor": (lambda v: v > 1, "max_factor moet groter dan 1 zijn"),
    "max_wait_days": (lambda v: v is None or v > 0, "None (wachten) of een aantal dagen groter dan 0"),
    "cost_per_waiting_day": (lambda v: v >= 0, "moet 0 of meer zijn (euro per dag)"),
    "delta": (lambda v: 0 < v < 1, "een relatieve verandering in (0, 1), bijvoorbeeld 0.10"),
    "behaviour_factors": (lambda v: len(v) == 2 and _positive_list(v), "twee doorlooptijdfactoren groter dan 0 (laag, hoog)"),
    "youth_reduction": (lambda v: 0 <= v < 1, "een verlaging van de jaarlijkse groei, bijvoorbeeld 0.015 voor 1,5 punt"),
    "wmo_reduction": (lambda v: 0 <= v < 1, "een verlaging van de jaarlijkse groei, bijvoorbeeld 0.015 voor 1,5 punt"),
}


@dataclass
class NotebookContext:
    """What a notebook needs after its parameters cell."""

    scenario: Optional[Scenario]
    out_dir: Path
    seed: int
    replications: Optional[int]
    source: str = ""
    data_2019: Optional[pd.DataFrame] = None
    segments: list[str] = field(default_factory=list)

    @property
    def first_year(self) -> int:
        return self.scenario.years[0]


def check(name: str, value, ok: bool, allowed: str) -> None:
    """Stop with ``parameter name=value: allowed`` unless ``ok``."""
    if not ok:
        raise ValueError(f"parameter {name}={value!r}: {allowed}")


def check_replications(replications, minimum: int = 1, why: str = "") -> None:
    """Replications must be a whole number >= ``minimum`` (``why`` says what needs that many)."""
    check("replications", replications, isinstance(replications, int) and replications >= minimum,
          f"moet een geheel getal van {minimum} of meer zijn" + (f" ({why})" if why else ""))


def page_display() -> None:
    """Tables on a notebook page: floats in Dutch number format (``labels.table_number``), texts whole
    (a convention or a file name not cut off with '...')."""
    pd.set_option("display.float_format", table_number)
    pd.set_option("display.max_colwidth", None)


def notebook_context(out_dir: str | os.PathLike, scenario: Optional[str] = None, *, seed: int = 1,
                     replications: Optional[int] = None, min_replications: int = 1, why: str = "",
                     horizon_years: Optional[float] = None, municipality: Optional[str] = None,
                     segment: Optional[str] = None, segments=None, provider: Optional[str] = None,
                     variants: Optional[list[str]] = None, data_2019: Optional[str] = None,
                     source_note: str = "", references=(("004", "par. 6 en 7"),), **checked) -> NotebookContext:
    """Check a notebook's parameters, load its scenario, make ``out_dir``; return a NotebookContext.

    ``checked``: further parameters checked by their rule in RULES (names not there are refused).
    ``references``: the (document, paragraph) pairs the figures' source line names; ``source_note`` is added
    after them.
    """
    if replications is not None:
        check_replications(replications, min_replications, why)
    page_display()
    sc = None
    if scenario is not None:
        overrides = {"horizon_years": horizon_years} if horizon_years is not None else None
        sc = load_scenario(project_path(scenario), overrides=overrides)
        _check_names(sc, municipality, segment, provider)
        segments = _resolve_segments(sc, segments)
    if variants is not None:
        _check_variants(variants)
    for name, value in checked.items():
        if name not in RULES:
            raise TypeError(f"notebook_context: no rule for parameter {name!r}; known: {sorted(RULES)}")
        accepts, allowed = RULES[name]
        check(name, value, accepts(value), allowed)
    ref = None
    if data_2019 is not None:
        covered = [segment] if segment else (segments or (list(sc.segments) if sc is not None else []))
        ref = _read_2019(data_2019, covered)
    source = ""
    if sc is not None and replications is not None:
        source = simulation_source(sc.name, replications, seed, references, source_note.lstrip("; "))
    return NotebookContext(scenario=sc, out_dir=output_dir(out_dir), seed=seed, replications=replications,
                           source=source, data_2019=ref, segments=list(segments or []))


def _check_names(sc: Scenario, municipality, segment, provider) -> None:
    if municipality is not None:
        check("municipality", municipality, municipality in sc.municipalities,
              f"onbekend; toegestaan: {sorted(sc.municipalities)}")
    if segment is not None:
        check("segment", segment, segment in sc.segments, f"onbekend; toegestaan: {sorted(sc.segments)}")
    if provider is not None:
        allowed = sc.providers_for(municipality, segment)
        check("provider", provider, provider in allowed,
              f"bedient {municipality} niet in {segment}; toegestaan: {allowed}")


def _resolve_segments(sc: Scenario, segments) -> Optional[list[str]]:
    """``"all"`` becomes every segment; a list must name known segments."""
    if segments is None:
        return None
    if segments == "all":
        return list(sc.segments)
    unknown = [s for s in segments if s not in sc.segments] if isinstance(segments, list) else [segments]
    check("segments", segments, not unknown and bool(segments),
          f"onbekend(e) segment(en) {unknown}; toegestaan: 'all' of een lijst uit {list(sc.segments)}")
    return list(segments)


def _check_variants(variants: list[str]) -> None:
    unknown = [v for v in variants if v not in VARIANTS]
    check("variants", variants, not unknown and bool(variants),
          f"onbekende variant(en) {unknown}; toegestaan: {list(VARIANTS)}")
    check("variants", variants, "traject" in variants, "moet 'traject' bevatten (de referentie)")


def _read_2019(data_2019: str, segments: list[str]) -> pd.DataFrame:
    """The 2019 figures of note 004 par. 6 (one row per segment), refused if a needed segment is missing."""
    path = project_path(data_2019)
    check("data_2019", data_2019, path.exists(),
          f"bestand niet gevonden: {path} (de cijfers van 2019 uit notitie 004 par. 6, één rij per segment)")
    ref = pd.read_csv(path)
    missing = sorted(set(segments) - set(ref["segment"]))
    check("data_2019", data_2019, not missing,
          f"geen cijfers van 2019 voor segment(en) {missing}; het bestand heeft {sorted(ref['segment'])}")
    return ref
