"""A what-if question as data: the inputs of the page, the scope they restrict the scenario to, and the
overrides of the scenario they translate into (validated by the same pydantic loading as the CLI).

Nothing here reads text as code: every input is a number or a choice from a list, and the
overrides are plain dicts handed to ``config.scenario.scenario_from_dict``.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Optional

from simulation.config.contracts import SCHEMAS
from simulation.config.scenario import Scenario, ScenarioError, scenario_from_dict
from simulation.app.part import needed_part, part_raw
from simulation.report.helpers import scenario_tariffs
from simulation.report.labels import input_number, parse_number
from simulation.report.labels import name as label

ALL = "alle"
AS_IS = "as_is"
BEHAVIOUR = ("doorlooptijd_factor", "intensity_factor", "refusal_probability")
NEUTRAL = {"doorlooptijd_factor": 1.0, "intensity_factor": 1.0, "refusal_probability": 0.0}
SHARED = ("band", "budget", "ceiling", "settlement")   # one input for every edited contract that has the field
APP_SOURCE = "assumption: wat-als-invoer in de app (geen bron)"


@dataclass
class Question:
    """The inputs of the page. ``None`` for a funding field: as in the scenario."""

    scenario: str
    municipality: str = ALL
    segment: str = ALL
    variant: str = AS_IS
    plekken: dict[str, Optional[int]] = field(default_factory=dict)     # provider -> plekken (every year)
    tariffs: dict[str, Optional[float]] = field(default_factory=dict)   # traject type -> EUR
    band: Optional[float] = None
    budget: Optional[float] = None
    ceiling: Optional[float] = None
    settlement: Optional[str] = None
    doorlooptijd_factor: float = 1.0
    intensity_factor: float = 1.0
    refusal_probability: float = 0.0
    horizon_years: int = 4
    replications: int = 10
    seed: int = 1


def shown_number(x: float | None) -> str:
    """A number field's text: Dutch format, '' for none (as in the scenario), 'oneindig' for .inf (a band that
    never settles)."""
    return "oneindig" if x is not None and math.isinf(x) and x > 0 else input_number(x)


def read_number(text: str, empty: bool = True) -> float | None:
    """A number field read in Dutch format ('0,95', '1.000.000', 'oneindig'); '' is None when ``empty``.
    Anything else raises ValueError with a Dutch message (``report.labels.parse_number``)."""
    clean = str(text or "").strip()
    if not clean and empty:
        return None
    if clean.lower() in ("oneindig", "∞"):
        return math.inf
    return parse_number(clean)


def scope(raw: dict, municipality: str, segment: str) -> tuple[dict, list[str]]:
    """The scenario cut down to the part the question needs (``part.needed_part``: the chosen municipality x
    segment, what feeds it and what it shares pools or contracts with), and notes (Dutch) on what the cut keeps."""
    if municipality == ALL and segment == ALL:
        return raw, []
    full = scenario_from_dict(raw)
    part = needed_part(full, list(full.municipalities) if municipality == ALL else [municipality],
                       list(full.segments) if segment == ALL else [segment])
    notes = []
    if segment != ALL:
        extra = [s for s in part.segments if s != segment]
        notes.append(f"Gesimuleerd: segment {segment}" + (
            f" en {', '.join(extra)} (die cliënten met {segment} uitwisselen); de maten tellen alleen de zorg in "
            f"{segment} (de contracten van {segment})" if extra else ""))
    if municipality != ALL:
        others = [m for m in part.municipalities if m != municipality]
        notes.append(f"Gesimuleerd: alleen {municipality} (instroom naar inwonertal, eigen contracten)" if not others
                     else f"Gesimuleerd: {municipality} met {', '.join(others)}: een regiocontract deelt met hen "
                          f"budget of plekken; de tabellen tonen alleen {municipality}")
    return part_raw(raw, full, part), notes


def _target(c: dict, q: Question) -> bool:
    return (q.segment == ALL or c["segment"] == q.segment) and (
        q.municipality == ALL or c["municipality"] == q.municipality)


def _edited(c: dict, q: Question, base: Scenario) -> dict:
    """One contract with the question's funding inputs (where its variant has the field) and behaviour."""
    new = copy.deepcopy(c)
    if q.variant != AS_IS and q.variant != c["variant"]:
        fields = SCHEMAS[q.variant].model_fields
        new = {k: v for k, v in new.items() if k in fields}
        new["variant"] = q.variant
        if "tariffs" in fields and "tariffs" not in new:
            new["tariffs"] = scenario_tariffs(base, c["segment"])
        if "realisation" in fields and not new.get("realisation"):   # a settlement values the care at them too
            new["realisation"] = {"basis": "traject", "tariffs": scenario_tariffs(base, c["segment"])}
    fields = SCHEMAS[new["variant"]].model_fields
    if "plekken" in fields and q.plekken.get(c["provider"]) is not None:
        new["plekken"] = q.plekken[c["provider"]]
    if "tariffs" in fields and any(v is not None for v in q.tariffs.values()):
        new["tariffs"] = {**new.get("tariffs", {}), **{k: v for k, v in q.tariffs.items() if v is not None}}
    for name in SHARED:
        value = getattr(q, name)
        if name in fields and value is not None:
            new[name] = value
    changed = {n: getattr(q, n) for n in BEHAVIOUR if getattr(q, n) != NEUTRAL[n]}
    if changed:
        new["behaviour"] = {**new.get("behaviour", {}), **changed, "source": APP_SOURCE}
    return new


def whatif_overrides(scoped: dict, q: Question, base: Scenario) -> tuple[dict, dict[int, str]]:
    """The overrides of the scoped scenario that the question makes, and contract index -> provider of the
    contracts it edits (to put a field error next to its input)."""
    contracts = (scoped.get("funding") or {}).get("contracts", [])
    edited, out = {}, []
    for i, c in enumerate(contracts):
        if _target(c, q):
            out.append(_edited(c, q, base))
            edited[i] = c["provider"]
        else:
            out.append(c)
    return {"horizon_years": q.horizon_years, "funding.contracts": out}, edited


_LINE = re.compile(r"^\s+- (?P<path>\S+): (?P<msg>.*)$")


def field_errors(message: str, edited: dict[int, str], contracts: Optional[list] = None) -> dict[str, str]:
    """The lines of the CLI's error message (``format_validation_error``) by input: 'plekken:<provider>',
    'tariffs', 'band', ..., 'horizon_years'; the rest under ''. A line of an input says it in the reader's
    words, the contract (``contracts``: the scoped scenario's) and the field's label instead of the field path
    the CLI names ('funding.contracts.0.plekken')."""
    out: dict[str, list[str]] = {}
    for line in message.splitlines()[1:]:
        m = _LINE.match(line)
        key, shown = "", line.strip()
        if m:
            parts = [x for x in m["path"].split(".") if "=" not in x]   # drop union tags (variant=plekken)
            if parts[:2] == ["funding", "contracts"] and len(parts) > 3 and parts[2].isdigit():
                i, name = int(parts[2]), parts[3]
                if name == "plekken" and i in edited:
                    key = f"plekken:{edited[i]}"
                elif name == "behaviour" and len(parts) > 4:
                    key = parts[4]
                elif name in ("tariffs",) + SHARED:
                    key = name
                if key:
                    field = label("input", key.partition(":")[0])
                    shown = f"- {_contract_label(i, edited, contracts)}, {field}: {m['msg']}"
            elif parts[0] == "horizon_years":
                key = "horizon_years"
                shown = f"- {label('input', key)}: {m['msg']}"
        out.setdefault(key, []).append(shown)
    return {k: "\n".join(v) for k, v in out.items()}


def _contract_label(i: int, edited: dict[int, str], contracts: Optional[list]) -> str:
    """A contract as the reader knows it: its provider's name, with the municipality and segment when known."""
    c = contracts[i] if contracts is not None and i < len(contracts) else {}
    where = ", ".join(str(c[k]) for k in ("municipality", "segment") if c.get(k))
    provider = label("provider", c.get("provider", edited.get(i, f"contract {i}")))
    return f"{provider} ({where})" if where else provider


def unused_inputs(scoped: dict, q: Question, edited: dict[int, str]) -> dict[str, str]:
    """Funding inputs given that no edited contract has (a band for plekken): an error, not silently ignored."""
    contracts = (scoped.get("funding") or {}).get("contracts", [])
    fields = {i: SCHEMAS[q.variant if q.variant != AS_IS else contracts[i]["variant"]].model_fields for i in edited}
    given = {n: n for n in SHARED if getattr(q, n) is not None}
    given.update({"tariffs": "tariffs"} if any(v is not None for v in q.tariffs.values()) else {})
    given.update({f"plekken:{p}": "plekken" for p, v in q.plekken.items() if v is not None})
    errors = {}
    for key, n in given.items():
        provider = key.partition(":")[2]
        if not any(n in f for i, f in fields.items() if not provider or edited[i] == provider):
            errors[key] = (f"{n}: geen contract van deze keuze heeft dit veld (variant "
                           f"{q.variant if q.variant != AS_IS else 'zoals in het scenario'}); kies een variant "
                           "die het heeft, of zet het veld terug")
    return errors


def missing_plekken(overrides: dict, edited: dict[int, str]) -> dict[str, str]:
    """A switch to a variant that buys plekken, for a provider whose contract has no plek count and whose field
    is empty: the page's own Dutch message under that provider's field (not the CLI's 'Field required')."""
    contracts = overrides["funding.contracts"]
    errors = {}
    for i, provider in edited.items():
        field = SCHEMAS[contracts[i]["variant"]].model_fields.get("plekken")
        if field is not None and field.is_required() and contracts[i].get("plekken") is None:
            errors[f"plekken:{provider}"] = (f"plekken: de variant {contracts[i]['variant']} koopt plekken in, maar "
                                             f"voor {provider} staat er geen aantal; vul het aantal plekken per jaar "
                                             "in of kies een andere variant")
    return errors


def check(scoped: dict, q: Question, base: Scenario, source: str) -> tuple[Optional[Scenario], dict, dict[str, str]]:
    """The what-if scenario and its overrides, or the field errors (nothing runs then)."""
    errors = {}
    if q.replications < 2:
        errors["replications"] = "replications: minstens 2 voor een 95%-interval"
    overrides, edited = whatif_overrides(scoped, q, base)
    errors.update(unused_inputs(scoped, q, edited))
    errors.update(missing_plekken(overrides, edited))
    try:
        scenario = scenario_from_dict(scoped, source=source, overrides=overrides)
    except ScenarioError as exc:
        named = field_errors(str(exc), edited, overrides["funding.contracts"])
        return None, overrides, {**named, **errors}   # the page's own messages first
    return (None if errors else scenario), overrides, errors


def defaults(base: Scenario, municipality: str, segment: str) -> dict:
    """What the page shows before a question: per provider the contract's variant and plekken (first
    year), the segment's tariffs and the shared fields of the first contract that has them."""
    out = {"providers": {}, "tariffs": {}, **{n: None for n in SHARED}}
    if municipality == ALL or segment == ALL:
        return out
    contracts = [c for c in base.funding.contracts if c.municipality == municipality and c.segment == segment]
    for c in contracts:
        plekken = getattr(c, "plekken", None)
        first = plekken[min(plekken)] if isinstance(plekken, dict) else plekken
        schedule = (" (nu " + "/".join(str(plekken[y]) for y in sorted(plekken)) + ")") if isinstance(plekken, dict) else ""
        out["providers"][c.provider] = {"variant": c.variant, "plekken": first, "schedule": schedule}
        for n in SHARED:
            if out[n] is None and getattr(c, n, None) is not None:
                value = getattr(c, n)
                out[n] = value[min(value)] if isinstance(value, dict) else value
    try:
        out["tariffs"] = scenario_tariffs(base, segment)
    except ValueError:
        out["tariffs"] = {}
    return out
