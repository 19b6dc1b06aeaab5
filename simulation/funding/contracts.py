"""Contracts: which bekostiging (funding form) a municipality uses with a provider in a segment.

A contract names one municipality, one provider and one segment, a period and a
``variant``. The variants are a discriminated union on ``variant``; each one
requires its own parameters, so a contract that lacks them fails validation
with the field named. The model reads the flow effects (plekken, budgetplafond,
provider behaviour) from here; ``payments`` turns the event log into money.

Dutch terms used throughout (explained once, also in docs/funding.md):
- bekostiging: the way a provider is paid;
- voorschot (advance): a monthly payment before realisation is known;
- verrekening / afrekening (settlement): the year-end correction against realisation;
- bandbreedte (band): a margin around the agreed budget within which nothing is settled;
- terugbetaling (payback): money the provider returns, e.g. for empty plek-days;
- budgetplafond (ceiling): a yearly maximum turnover; no advances; admissions stop at it.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

YearSchedule = Union[float, dict[int, float]]
PlekSchedule = Union[int, dict[int, int]]
VARIANTS = ("pxq", "traject", "output_monthly", "plekken", "budget", "plafond", "lumpsum", "population")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def for_year(schedule, year: int):
    """The value of a yearly schedule in ``year``: a constant, or {year: value} from that year on."""
    if schedule is None or not isinstance(schedule, dict):
        return schedule
    earlier = [y for y in schedule if y <= year]
    return schedule[max(earlier)] if earlier else schedule[min(schedule)]


def _check_schedule(v, name: str, integer: bool = False):
    values = v.values() if isinstance(v, dict) else [v]
    for x in values:
        if x is None or not (x >= 0) or (not integer and not math.isfinite(x)):
            raise ValueError(f"{name} must be a finite number >= 0 (or {{year: value}}), got {x}")
    return v


# -- pricing: how realisation is valued -------------------------------------------------------

class TrajectPricing(_Model):
    """A fixed tariff per traject type, paid at the start or split between start and end.

    ``tariffs`` maps traject type -> EUR, or profile -> intensity -> EUR (Zwolle-style 12 x 3
    tables); nested keys are joined as ``profile/intensity`` and must name traject types.
    """

    tariffs: dict[str, Union[float, dict[str, float]]] = Field(description="EUR per traject, per traject type")
    share_at_start: float = Field(1.0, ge=0, le=1, description="share of the tariff paid at start_zorg; the rest at stop_zorg")

    @field_validator("tariffs")
    @classmethod
    def _flatten(cls, v):
        flat: dict[str, float] = {}
        for key, val in v.items():
            items = val.items() if isinstance(val, dict) else [(None, val)]
            for sub, x in items:
                name = key if sub is None else f"{key}/{sub}"
                if not (x >= 0 and math.isfinite(x)):
                    raise ValueError(f"tariff of {name!r} must be a finite number >= 0, got {x}")
                flat[name] = float(x)
        return flat


class PxqPricing(_Model):
    """Delivered time units x unit price (input / PxQ), invoiced per month.

    Units delivered = traject type weight (hours, or etmalen, per week) x intensity factor x days in care / 7.
    """

    unit_price: Union[float, dict[str, float]] = Field(description="EUR per unit; one price or one per traject type")
    unit: Literal["uur", "dagdeel", "dag", "etmaal"] = Field("uur", description="the time unit the weight counts")

    @field_validator("unit_price")
    @classmethod
    def _prices(cls, v):
        return _check_schedule(v, "unit_price") if not isinstance(v, dict) else {
            k: float(_check_schedule(x, f"unit_price[{k}]")) for k, x in v.items()}


class MonthlyPricing(_Model):
    """Output tariff per client per category for every calendar month with care (Meierij)."""

    monthly_tariffs: dict[str, float] = Field(description="EUR per client per month, per category")
    categories: Optional[dict[str, str]] = Field(
        None, description="traject type -> category; none: the traject type is the category")


class TrajectRealisation(TrajectPricing):
    basis: Literal["traject"]


class PxqRealisation(PxqPricing):
    basis: Literal["pxq"]


class MonthlyRealisation(MonthlyPricing):
    basis: Literal["output_monthly"]


Realisation = Annotated[Union[TrajectRealisation, PxqRealisation, MonthlyRealisation], Field(discriminator="basis")]


# -- behaviour and add-ons --------------------------------------------------------------------

class Behaviour(_Model):
    """How the provider responds to this bekostiging: explicit assumptions, neutral by default."""

    doorlooptijd_factor: float = Field(1.0, gt=0, description="multiplies the doorlooptijd of trajecten that start under this contract")
    intensity_factor: float = Field(1.0, gt=0, description="multiplies the hours (units) delivered per week")
    refusal_probability: float = Field(0.0, ge=0, le=1, description="chance the provider refuses a heavy client (perverse incentive)")
    heavy_weight: Optional[float] = Field(
        None, gt=0, description="traject types with weight >= this are heavy; none: the segment's heaviest type(s)")
    source: Optional[str] = Field(None, description="where non-neutral values come from; none: labelled an assumption")

    @property
    def neutral(self) -> bool:
        return self.doorlooptijd_factor == 1 and self.intensity_factor == 1 and self.refusal_probability == 0


class BonusMalus(_Model):
    """Bonus-malus / shared savings against a target, paid (or charged) after the year.

    kosten_per_client: amount = rate x (target - realised cost per client) x unique clients
    (rate = share of the saving, e.g. 0.5). doorlooptijd: amount = rate x (target - mean
    realised doorlooptijd) x trajecten closed in the year (rate in EUR per day per traject).
    Capped at +/- cap x the contract's final payment of the year.
    """

    measure: Literal["kosten_per_client", "doorlooptijd"]
    target: float = Field(gt=0)
    rate: float = Field(ge=0)
    cap: float = Field(0.1, ge=0, description="maximum bonus or malus as a share of the year's payment")
    symmetric: bool = Field(True, description="false: bonus only (shared savings), no malus")


class Conversion(_Model):
    """Step 3 of the Noord-Limburg note: from ``date`` the contract runs as plekken or as trajecten."""

    date: dt.date
    to: Literal["plekken", "traject"]
    plekken: Optional[PlekSchedule] = Field(None, description="plekken bought from the date on; required when to = plekken")

    @model_validator(mode="after")
    def _needs_count(self):
        if self.to == "plekken" and self.plekken is None:
            raise ValueError("plekken: a conversion to plekken needs a plek count (plekken: N or {year: N})")
        if self.plekken is not None:
            _check_schedule(self.plekken, "plekken", integer=True)
        return self


# -- contracts --------------------------------------------------------------------------------

class _Contract(_Model):
    municipality: str
    provider: str
    segment: str
    start: Optional[dt.date] = Field(None, description="first day (inclusive); none: the scenario's start date")
    end: Optional[dt.date] = Field(None, description="end day (exclusive); none: the scenario's end date")
    behaviour: Behaviour = Field(default_factory=Behaviour)
    bonus_malus: Optional[BonusMalus] = None
    extra_capacity: bool = Field(
        False, description="capacity outside the raamovereenkomst: payments capped at max_extra_share of the framework contracts")
    max_extra_share: float = Field(0.10, ge=0, description="cap of an extra_capacity contract, share of framework value")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.municipality, self.provider, self.segment)

    def label(self, i: int) -> str:
        return f"funding.contracts[{i}] ({self.municipality}/{self.provider}/{self.segment}, {self.variant})"


class PxqContract(_Contract, PxqPricing):
    variant: Literal["pxq"]


class TrajectContract(_Contract, TrajectPricing):
    variant: Literal["traject"]
    conversions: list[Conversion] = Field(default_factory=list)


class OutputMonthlyContract(_Contract, MonthlyPricing):
    variant: Literal["output_monthly"]


class PlekkenContract(_Contract, TrajectPricing):
    """N plekken per year; plek-day price from the traject tariffs (see ``plek_day_price``)."""

    variant: Literal["plekken"]
    plekken: PlekSchedule = Field(description="plekken bought: N, or {year: N} from that year on")
    plek_year_price: Optional[float] = Field(
        None, gt=0, description="EUR per plek per 365 days; none: derived from the tariffs and planned doorlooptijden")
    conversions: list[Conversion] = Field(default_factory=list)

    @field_validator("plekken")
    @classmethod
    def _plekken(cls, v):
        return _check_schedule(v, "plekken", integer=True)


class _Settled(_Contract):
    band: float = Field(0.0, ge=0, description="bandbreedte: share of the amount within which nothing is settled (.inf: never)")
    settlement: Literal["whole", "outside_band"] = Field(
        "whole", description="outside the band settle the whole difference, or only the part outside the band")
    realisation: Optional[Realisation] = Field(None, description="how realised care is valued for the settlement")


class BudgetContract(_Settled):
    variant: Literal["budget"]
    budget: YearSchedule = Field(description="agreed EUR per year, paid in monthly voorschotten")

    @field_validator("budget")
    @classmethod
    def _b(cls, v):
        return _check_schedule(v, "budget")


class PlafondContract(_Contract):
    variant: Literal["plafond"]
    ceiling: YearSchedule = Field(description="budgetplafond: EUR per year; commitments count from toewijzing")
    realisation: Realisation = Field(description="how realised care is valued (and commitments at toewijzing)")

    @field_validator("ceiling")
    @classmethod
    def _c(cls, v):
        return _check_schedule(v, "ceiling")


class LumpsumContract(_Contract):
    variant: Literal["lumpsum"]
    amount: YearSchedule = Field(description="fixed EUR per year, monthly; no settlement")

    @field_validator("amount")
    @classmethod
    def _a(cls, v):
        return _check_schedule(v, "amount")


class PopulationContract(_Settled):
    """Populatiebekostiging: a fixed amount per inhabitant or per expected client, settled only outside a band."""

    variant: Literal["population"]
    per_inhabitant: Optional[float] = Field(None, ge=0, description="EUR per inhabitant per year")
    per_client: Optional[float] = Field(None, ge=0, description="EUR per expected client per year")
    expected_clients: Optional[YearSchedule] = Field(None, description="expected unique clients per year")

    @model_validator(mode="after")
    def _basis(self):
        if (self.per_inhabitant is None) == (self.per_client is None):
            raise ValueError("per_inhabitant or per_client: give exactly one of the two")
        if self.per_client is not None and self.expected_clients is None:
            raise ValueError("expected_clients: required with per_client")
        return self


def _variant_tag(v) -> Optional[str]:
    variant = v.get("variant") if isinstance(v, dict) else getattr(v, "variant", None)
    return f"variant={variant}" if variant in VARIANTS else None


Contract = Annotated[
    Union[
        Annotated[PxqContract, Tag("variant=pxq")],
        Annotated[TrajectContract, Tag("variant=traject")],
        Annotated[OutputMonthlyContract, Tag("variant=output_monthly")],
        Annotated[PlekkenContract, Tag("variant=plekken")],
        Annotated[BudgetContract, Tag("variant=budget")],
        Annotated[PlafondContract, Tag("variant=plafond")],
        Annotated[LumpsumContract, Tag("variant=lumpsum")],
        Annotated[PopulationContract, Tag("variant=population")],
    ],
    Discriminator(_variant_tag, custom_error_type="invalid_variant",
                  custom_error_message=f"variant must be one of {', '.join(VARIANTS)}"),
]


class ProviderCosts(_Model):
    """A provider's cost model: delivered units x cost price, plus fixed costs per contracted plek."""

    cost_per_unit: Union[float, dict[str, float]] = Field(description="EUR per delivered unit (hour/etmaal); or per segment")
    fixed_per_plek_year: float = Field(0.0, ge=0, description="EUR per contracted plek per 365 days (e.g. residential)")


class Funding(_Model):
    """The scenario's ``funding`` section: contracts and provider cost models."""

    contracts: list[Contract] = Field(default_factory=list)
    provider_costs: dict[str, ProviderCosts] = Field(default_factory=dict)


# -- cross-validation against the scenario and phases ----------------------------------------

def validate_funding(funding: Funding, scenario) -> None:
    """Checks that need the scenario: names, tariffs for every traject type, periods, plekken."""
    muns, provs = scenario.municipalities, scenario.providers
    periods: dict[tuple, list[tuple]] = {}
    for i, c in enumerate(funding.contracts):
        where = c.label(i)
        if c.municipality not in muns:
            raise ValueError(f"{where}: municipality {c.municipality!r} is unknown; known: {sorted(muns)}")
        if c.provider not in provs:
            raise ValueError(f"{where}: provider {c.provider!r} is unknown; known: {sorted(provs)}")
        if c.segment not in scenario.segments:
            raise ValueError(f"{where}: segment {c.segment!r} is unknown; known: {sorted(scenario.segments)}")
        if c.provider not in scenario.providers_for(c.municipality, c.segment):
            raise ValueError(f"{where}: provider {c.provider!r} does not serve {c.municipality!r} in segment {c.segment!r}")
        start, end = contract_period(c, scenario)
        if not start < end:
            raise ValueError(f"{where}: start {start} must be before end {end}")
        for other_start, other_end, j in periods.get(c.key, []):
            if start < other_end and other_start < end:
                raise ValueError(
                    f"{where}: period {start}..{end} overlaps funding.contracts[{j}] ({other_start}..{other_end}) "
                    f"for the same municipality, provider and segment; one contract at a time (use conversions to switch)")
        periods.setdefault(c.key, []).append((start, end, i))
        types = scenario.segments[c.segment].traject_types
        for name, pricing in _pricings(c):
            _check_pricing(pricing, types, f"{where}: {name}")
        if isinstance(c, _Settled) and c.realisation is None and math.isfinite(c.band) and not (
                isinstance(c, PopulationContract) and c.per_client is not None):
            raise ValueError(f"{where}: realisation is required to settle outside a finite band {c.band}")
        if c.behaviour.heavy_weight is not None and not any(t.weight >= c.behaviour.heavy_weight for t in types.values()):
            raise ValueError(f"{where}: behaviour.heavy_weight {c.behaviour.heavy_weight} is above every traject type's weight")
        conversions = getattr(c, "conversions", [])
        last = start
        for k, conv in enumerate(conversions):
            if not (start < conv.date < end) or conv.date <= last and k:
                raise ValueError(f"{where}: conversions[{k}].date {conv.date} must lie inside the contract period "
                                 f"{start}..{end} and after the previous conversion")
            last = conv.date
        has_plekken = isinstance(c, PlekkenContract) or any(conv.to == "plekken" for conv in conversions)
        if has_plekken and c.segment in provs[c.provider].plekken.get(c.municipality, {}):
            raise ValueError(f"{where}: plekken for this municipality and segment are also set in "
                             f"providers.{c.provider}.plekken; give them in one place only")
        if c.extra_capacity and not any(
                o.municipality == c.municipality and o.segment == c.segment and not o.extra_capacity
                for o in funding.contracts):
            raise ValueError(f"{where}: extra_capacity needs a framework contract for the same municipality and segment")
        if c.extra_capacity and not any(True for _ in _pricings(c)):
            raise ValueError(f"{where}: extra_capacity needs a per-traject price (tariffs, unit_price, monthly_tariffs "
                             "or realisation): the 10% cap is checked at toewijzing on planned values")
    for p, costs in funding.provider_costs.items():
        if p not in provs:
            raise ValueError(f"funding.provider_costs names unknown provider {p!r}; known: {sorted(provs)}")
        if isinstance(costs.cost_per_unit, dict):
            missing = set(provs[p].segments) - set(costs.cost_per_unit)
            if missing:
                raise ValueError(f"funding.provider_costs.{p}.cost_per_unit lacks segment(s) {sorted(missing)}")


def _pricings(c):
    if isinstance(c, (TrajectPricing, PxqPricing, MonthlyPricing)):
        yield "tariffs", c
    if getattr(c, "realisation", None) is not None:
        yield "realisation", c.realisation


def _check_pricing(p, types: dict, where: str) -> None:
    if isinstance(p, TrajectPricing):
        missing, extra = set(types) - set(p.tariffs), set(p.tariffs) - set(types)
        if missing or extra:
            raise ValueError(f"{where}.tariffs must give one tariff per traject type of the segment; "
                             f"missing {sorted(missing)}, unknown {sorted(extra)}")
    elif isinstance(p, PxqPricing) and isinstance(p.unit_price, dict):
        missing = set(types) - set(p.unit_price)
        if missing:
            raise ValueError(f"{where}.unit_price lacks traject type(s) {sorted(missing)}")
    elif isinstance(p, MonthlyPricing):
        cats = p.categories or {t: t for t in types}
        missing = set(types) - set(cats)
        if missing:
            raise ValueError(f"{where}.categories lacks traject type(s) {sorted(missing)}")
        no_tariff = set(cats.values()) - set(p.monthly_tariffs)
        if no_tariff:
            raise ValueError(f"{where}.monthly_tariffs lacks category(ies) {sorted(no_tariff)}")


def contract_period(c, scenario) -> tuple[dt.date, dt.date]:
    return (c.start or scenario.start_date, c.end or scenario.end_date)


def phases(c, scenario) -> list[tuple[dt.date, dt.date, str, object]]:
    """(start, end, mode, plekken) pieces of a contract: mode 'plekken' or the contract's own variant.

    A traject or plekken contract switches between trajecten and plekken at its conversions.
    """
    start, end = contract_period(c, scenario)
    if isinstance(c, PlekkenContract):
        mode, count = "plekken", c.plekken
    else:
        mode, count = c.variant, None
    out = []
    for conv in getattr(c, "conversions", []):
        out.append((start, conv.date, mode, count))
        start = conv.date
        mode, count = ("plekken", conv.plekken) if conv.to == "plekken" else ("traject", None)
    out.append((start, end, mode, count))
    return [p for p in out if p[0] < p[1]]


def plek_day_price(c, scenario) -> float:
    """EUR per plek-day: plek_year_price / 365, or sum(share x tariff) / sum(share x planned doorlooptijd).

    With one traject type this is tariff / planned doorlooptijd, i.e. a plek-year costs
    tariff x 365 / planned doorlooptijd: a plek fully used at the planned doorlooptijd
    costs exactly what the trajecten through it would cost.
    """
    if getattr(c, "plek_year_price", None) is not None:
        return c.plek_year_price / 365.0
    types = scenario.segments[c.segment].traject_types
    money = sum(t.share * c.tariffs[name] for name, t in types.items())
    days = sum(t.share * t.planned_doorlooptijd for name, t in types.items())
    return money / days


def heavy_types(c, scenario) -> set[str]:
    types = scenario.segments[c.segment].traject_types
    threshold = c.behaviour.heavy_weight or max(t.weight for t in types.values())
    return {name for name, t in types.items() if t.weight >= threshold}


def planned_value(pricing, scenario, segment: str, traject_type: str, intensity: float = 1.0) -> float:
    """The value of one traject at its planned doorlooptijd: the commitment counted at toewijzing."""
    t = scenario.segments[segment].traject_types[traject_type]
    if isinstance(pricing, TrajectPricing):
        return pricing.tariffs[traject_type]
    if isinstance(pricing, PxqPricing):
        price = pricing.unit_price[traject_type] if isinstance(pricing.unit_price, dict) else pricing.unit_price
        return t.weight * intensity * t.planned_doorlooptijd / 7.0 * price
    cat = (pricing.categories or {}).get(traject_type, traject_type)
    return pricing.monthly_tariffs[cat] * math.ceil(t.planned_doorlooptijd / (365.25 / 12))
