"""Typed scenario files: YAML under ``params/`` loaded into pydantic models.

A scenario names the municipalities (gemeenten), the segments with their
instroom, toegang and traject types, and the providers (aanbieders) with the
plekken that municipalities buy from them. Every check that can be made on the
file alone is made here, so the model can trust what it gets.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal, Optional, Union

from simulation._lazy import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulation.config.distributions import Distribution, Fixed
from simulation.config.maatregelen import Maatregel, Target, maatregel_problem
from simulation.config.contracts import Funding, rebuild_with_funding
from simulation.config.funding_checks import validate_funding
from simulation.config.errors import FieldProblem, dutch_list, dutch_number, format_validation_error  # noqa: F401
from simulation.config.files import date_problem, parse_yaml_value, read_yaml_file

SHARE_TOLERANCE = 1e-6


class ScenarioError(ValueError):
    """A scenario file or override that cannot be used; the message says where and how to fix it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, defer_build=True)


Probability = float


class Municipality(_Model):
    population: int = Field(gt=0, description="inhabitants; the regional cost-sharing key")
    source: Optional[str] = Field(None, description="where the figure comes from")


class Outcomes(_Model):
    """What happens when a traject ends; probabilities that sum to 1."""

    afschaling: float = Field(1.0, ge=0, le=1, description="step-down to the voorliggend veld")
    step_down: float = Field(0.0, ge=0, le=1, description="a lighter traject type, same segment and provider (keeps the plek)")
    opschaling: float = Field(0.0, ge=0, le=1, description="opschaling or doorstroom to another segment (new toewijzing)")
    uitval: float = Field(0.0, ge=0, le=1, description="early stop; the traject ends at a uniform fraction of its doorlooptijd and the client leaves")
    verlenging: float = Field(0.0, ge=0, lt=1, description="extension: a new traject of the same type at the same provider (keeps the plek)")

    @model_validator(mode="after")
    def _sum_to_one(self):
        routes = type(self).model_fields   # the field order is the outcome order (core.events.OUTCOMES)
        total = sum(getattr(self, route) for route in routes)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise FieldProblem("", f"de kansen op de uitkomsten moeten samen 1 zijn (samen: {dutch_number(total)}); "
                                   f"pas {dutch_list(routes)} aan", self.model_dump())
        return self


class TrajectType(_Model):
    """One traject type: a weight (intensity) and a planned doorlooptijd, paid one tariff."""

    share: float = Field(ge=0, le=1, description="share of new beschikkingen in the segment")
    weight: float = Field(1.0, gt=0, description="intensity: hours of care per week (or etmalen per week for verblijf)")
    planned_doorlooptijd: float = Field(gt=0, description="planned lead time in days (the tariff's basis)")
    doorlooptijd: Distribution = Field(description="realised lead time in days, before the provider's maatwerk factor")
    outcomes: Outcomes = Field(default_factory=Outcomes)
    step_down_to: Optional[str] = Field(None, description="traject type in the same segment used on step_down")
    opschaling_to: Optional[Target] = Field(None, description="segment and traject type used on opschaling")
    verlenging_doorlooptijd: Optional[Distribution] = Field(
        None, description="lead time of an extension in days; default: the type's own doorlooptijd")


class Instroom(_Model):
    """New aanmeldingen at the toegang, per year, as a Poisson process."""

    per_year: Union[float, dict[str, float]] = Field(
        description="aanmeldingen per year in base_year: one regional figure (split by population) or one per municipality")
    base_year: int = Field(description="the calendar year per_year refers to")
    growth: float = Field(0.0, gt=-1, description="yearly growth of the rate, e.g. 0.05 for 5%")
    seasonality: Optional[list[float]] = Field(
        None, min_length=12, max_length=12, description="12 monthly factors (> 0), rescaled to mean 1")

    @field_validator("per_year")
    @classmethod
    def _non_negative(cls, v):
        items = v.items() if isinstance(v, dict) else [("", v)]
        for key, x in items:
            if not (x >= 0 and math.isfinite(x)):
                raise FieldProblem(key, "de instroom moet een eindig getal van 0 of meer per jaar zijn", x)
        return v

    @field_validator("seasonality")
    @classmethod
    def _positive(cls, v):
        if v is not None and any(not (f > 0) for f in v):
            raise FieldProblem("", "seasonality vraagt 12 factoren die alle groter dan 0 zijn", v)
        return v


class Recidive(_Model):
    probability: float = Field(0.0, ge=0, le=1, description="chance that a client in the voorliggend veld returns to the toegang")
    delay: Distribution = Field(default_factory=lambda: Fixed(kind="fixed", value=180.0), description="days until the return")


class Segment(_Model):
    domain: Literal["jeugd", "wmo", "participatie"]
    description: str = ""
    instroom: Instroom
    voorliggend_veld_share: float = Field(0.0, ge=0, le=1, description="share of aanmeldingen the toegang sends to the voorliggend veld")
    toegang_doorlooptijd: Distribution = Field(
        default_factory=lambda: Fixed(kind="fixed", value=0.0), description="days from aanmelding to beschikking")
    stacking_probability: float = Field(0.0, ge=0, le=1, description="chance a client gets a second, simultaneous traject")
    max_wait_days: Optional[float] = Field(
        None, gt=0, description="after this wait a client moves to another provider with free room; none: wait")
    recidive: Recidive = Field(default_factory=Recidive)
    traject_types: dict[str, TrajectType] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self):
        total = sum(t.share for t in self.traject_types.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise FieldProblem("traject_types", f"de aandelen (share) van de trajecttypen moeten samen 1 zijn (samen: {dutch_number(total)})",
                               {n: t.share for n, t in self.traject_types.items()})
        for name, t in self.traject_types.items():
            if t.outcomes.step_down > 0 and t.step_down_to not in self.traject_types:
                raise FieldProblem(
                    f"traject_types.{name}.step_down_to",
                    f"step_down is {dutch_number(t.outcomes.step_down)}, dus step_down_to moet een trajecttype van dit "
                    f"segment noemen: een van {sorted(self.traject_types)}", t.step_down_to)
        return self


class Maatwerktraject(_Model):
    """A provider-specific maatwerktraject (004 par. 8, step 2): a traject type with a negotiated planned
    doorlooptijd and intensity at this provider, the same for every municipality of the region.

    Its price rests on the same underlying tariff as the standard traject (004 par. 8): tariff x
    planned_doorlooptijd_factor x intensity_factor (plus any opslag). The factors set the price and the
    planned doorlooptijd (and so the plek-day price of a conversion to plekken); the realised doorlooptijd
    at the provider stays ``maatwerk_factor`` x the type's doorlooptijd.
    """

    planned_doorlooptijd_factor: float = Field(
        1.0, gt=0, description="multiplies the traject type's planned_doorlooptijd (and its price) at this provider")
    intensity_factor: float = Field(
        1.0, gt=0, description="multiplies the traject type's intensity (weight, and its price) at this provider")
    source: Optional[str] = Field(None, description="the agreement the factors come from; none: an assumption")


class ProviderSegment(_Model):
    weight: float = Field(1.0, gt=0, description="client choice weight among the segment's providers")
    maatwerk_factor: float = Field(1.0, gt=0, description="multiplies every realised doorlooptijd at this provider")
    maatwerk: dict[str, Maatwerktraject] = Field(
        default_factory=dict, description="traject type -> maatwerktraject at this provider (004 par. 8 step 2): "
        "own planned doorlooptijd and intensity, so its own traject price; none: the standard traject")
    opslag: float = Field(
        0.0, ge=0, description="surcharge on the basic traject tariff at this provider, as a share (0.05 = 5%), "
        "e.g. for certain functions or size (004 par. 8 step 1); a contract's own opslag replaces it")


PlekSchedule = Union[int, dict[int, int]]


class Provider(_Model):
    perceel: Literal["regionaal", "lokaal"] = "regionaal"
    municipalities: Optional[list[str]] = Field(None, description="municipalities served; none: all")
    entry_date: Optional[dt.date] = Field(None, description="open house (003 par. 6.2): takes new clients from this "
                                          "date, its choice weight 0 before it; none: from the start")
    segments: dict[str, ProviderSegment] = Field(min_length=1)
    plekken: dict[str, dict[str, PlekSchedule]] = Field(
        default_factory=dict,
        description="plekken bought: municipality -> segment -> count, or {year: count} from that year on")

    @field_validator("plekken")
    @classmethod
    def _counts(cls, v):
        for mun, per_seg in v.items():
            for seg, sched in per_seg.items():
                counts = sched.values() if isinstance(sched, dict) else [sched]
                if any(c < 0 for c in counts):
                    raise FieldProblem(f"{mun}.{seg}", "plekken moeten gehele getallen van 0 of meer zijn", sched)
        return v


class Warmup(_Model):
    initial_caseload: bool = Field(
        True, description="start the warm-up with the equilibrium caseload of every traject type")
    days: float = Field(365.0, ge=0, description="warm-up days before start_date; discarded from the output")


class Scenario(_Model):
    """A complete, validated scenario."""

    name: str
    description: str = ""
    start_date: dt.date
    horizon_years: int = Field(gt=0, le=50)
    warmup: Warmup = Field(default_factory=Warmup)
    municipalities: dict[str, Municipality] = Field(min_length=1)
    segments: dict[str, Segment] = Field(min_length=1)
    providers: dict[str, Provider] = Field(min_length=1)
    funding: Optional[Funding] = Field(None, description="contracts (bekostiging) and provider costs; see docs/funding.md")
    maatregelen: list[Maatregel] = Field(
        default_factory=list, description="policy measures from a date (shorter doorlooptijden, ambulant instead of verblijf)")

    @model_validator(mode="after")
    def _cross_references(self):
        if (problem := date_problem(self.start_date, self.horizon_years, self.warmup.days)) is not None:
            raise FieldProblem("start_date", problem, str(self.start_date))
        muns, segs = set(self.municipalities), set(self.segments)
        for seg_name, seg in self.segments.items():
            if isinstance(seg.instroom.per_year, dict):
                unknown = set(seg.instroom.per_year) - muns
                if unknown:
                    raise FieldProblem(f"segments.{seg_name}.instroom.per_year",
                                       f"onbekende gemeente; kies uit {sorted(muns)}", sorted(unknown))
            for tname, t in seg.traject_types.items():
                if t.outcomes.opschaling > 0:
                    tgt = t.opschaling_to
                    if tgt is None or tgt.segment not in segs or tgt.traject_type not in self.segments[tgt.segment].traject_types:
                        raise FieldProblem(
                            f"segments.{seg_name}.traject_types.{tname}.opschaling_to",
                            "opschaling groter dan 0 vraagt opschaling_to met een bestaand segment en een van zijn trajecttypen",
                            tgt.model_dump() if tgt else None)
            if not any(seg_name in p.segments for p in self.providers.values()):
                raise FieldProblem(f"segments.{seg_name}", "geen aanbieder biedt dit segment; voeg het toe aan de "
                                   "segments van een aanbieder", seg_name)
        for pname, p in self.providers.items():
            for s, ps in p.segments.items():
                if s not in segs:
                    raise FieldProblem(f"providers.{pname}.segments.{s}",
                                       f"onbekend segment; kies uit {sorted(segs)}", s)
                unknown = set(ps.maatwerk) - set(self.segments[s].traject_types)
                if unknown:
                    raise FieldProblem(f"providers.{pname}.segments.{s}.maatwerk",
                                       f"onbekend trajecttype; kies uit {sorted(self.segments[s].traject_types)}",
                                       sorted(unknown))
            for m in p.municipalities or []:
                if m not in muns:
                    raise FieldProblem(f"providers.{pname}.municipalities",
                                       f"onbekende gemeente; kies uit {sorted(muns)}", m)
            for m, per_seg in p.plekken.items():
                if m not in muns:
                    raise FieldProblem(f"providers.{pname}.plekken.{m}",
                                       f"plekken voor een onbekende gemeente; kies uit {sorted(muns)}", m)
                for s in per_seg:
                    if s not in p.segments:
                        raise FieldProblem(f"providers.{pname}.plekken.{m}.{s}",
                                           f"de aanbieder biedt dit segment niet; wel: {sorted(p.segments)}", s)
        for m in muns:
            for s in segs:
                if not self.providers_for(m, s):
                    raise FieldProblem("providers", f"geen aanbieder bedient gemeente {m!r} in segment {s!r}; "
                                       "voeg het segment toe aan een aanbieder die de gemeente bedient", m)
                if all(self.providers[p].entry_date for p in self.providers_for(m, s)):
                    raise FieldProblem("providers", f"elke aanbieder van {m!r} in {s!r} heeft een entry_date; laat die bij een ervan weg", m)
        problem = maatregel_problem(self.maatregelen, self)
        if problem is not None:
            raise FieldProblem(*problem)
        if self.funding is not None:
            validate_funding(self.funding, self)
        return self

    # -- derived facts used by the model and the KPIs -------------------------------------------
    @property
    def end_date(self) -> dt.date:
        return self.start_date.replace(year=self.start_date.year + self.horizon_years)

    @property
    def horizon_days(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def years(self) -> list[int]:
        return list(range(self.start_date.year, self.start_date.year + self.horizon_years))

    def providers_for(self, municipality: str, segment: str) -> list[str]:
        return [name for name, p in self.providers.items()
                if segment in p.segments and (p.municipalities is None or municipality in p.municipalities)]

    def instroom_per_year(self, municipality: str, segment: str) -> float:
        """Aanmeldingen per year in the segment's base year for one municipality."""
        per_year = self.segments[segment].instroom.per_year
        if isinstance(per_year, dict):
            return float(per_year.get(municipality, 0.0))
        total_pop = sum(m.population for m in self.municipalities.values())
        return per_year * self.municipalities[municipality].population / total_pop

    def plekken_in_year(self, provider: str, municipality: str, segment: str, year: int) -> Optional[int]:
        """Plekken bought for that year, or None when the municipality buys trajecten there."""
        sched = self.providers[provider].plekken.get(municipality, {}).get(segment)
        if sched is None:
            return None
        if isinstance(sched, int):
            return sched
        earlier = [y for y in sched if y <= year]
        return sched[max(earlier)] if earlier else sched[min(sched)]


# -- loading, overrides and errors ---------------------------------------------------------------

def read_yaml(path: Union[str, Path], error: Optional[type[Exception]] = None) -> Any:
    """The content of a YAML file; a missing file or invalid YAML raises ``error`` (ScenarioError) naming it."""
    return read_yaml_file(path, error or ScenarioError)


def load_scenario(path: Union[str, Path], overrides: Optional[dict[str, Any]] = None) -> Scenario:
    """Read a scenario YAML file, apply ``overrides`` ({"a.b.c": value}) and validate it."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: verwacht bovenaan een mapping van scenariovelden (veld: waarde)")
    return scenario_from_dict(raw, source=str(path), overrides=overrides)


def scenario_from_dict(raw: dict, source: str = "<dict>", overrides: Optional[dict[str, Any]] = None) -> Scenario:
    data = copy.deepcopy(raw)
    for dotted, value in (overrides or {}).items():
        _apply_override(data, dotted, value, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source)) from None


def _apply_override(data: dict, dotted: str, value: Any, source: str) -> None:
    keys = dotted.split(".")
    node = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            where = ".".join(keys[: i + 1])
            raise ScenarioError(
                f"{source}: override {dotted!r}: {where!r} bestaat niet; "
                f"bestaande sleutels daar: {sorted(node) if isinstance(node, dict) else 'geen'}")
        node = node[key]
    if not isinstance(node, dict):
        raise ScenarioError(f"{source}: override {dotted!r}: wat boven {keys[-1]!r} staat is geen mapping")
    node[keys[-1]] = value


def parse_set_option(text: str) -> tuple[str, Any]:
    """Parse ``path.to.field=value`` from the CLI; the value is read as YAML."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: verwacht pad.naar.veld=waarde, bijvoorbeeld horizon_years=2")
    key, _, value = text.partition("=")
    return key.strip(), parse_yaml_value(value, f"--set {text!r}", ScenarioError)


rebuild_with_funding(Scenario)   # a variant that registers later rebuilds the contracts field


def json_schema() -> dict:
    """The JSON Schema of the scenario format (checked in as params/schema.json)."""
    return Scenario.model_json_schema()


def resolved_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
