"""Contract schemas shared by every bekostiging variant, and the registry of variant schemas.

A contract names one municipality, one provider and one segment, a period and a ``variant``.
The schema of each variant lives in its own module under ``simulation.funding.variants`` and
registers itself here with ``register_schema``; the ``contracts`` field of ``Funding`` validates
through a discriminated union on ``variant`` built from the registered schemas, so a contract that
lacks its parameters fails validation with the field named, and an unregistered variant fails with
"variant must be one of ...". This module never imports ``simulation.funding``.
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
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, GetCoreSchemaHandler, Tag,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError, core_schema

from simulation.config.errors import dutch_number

from simulation.config.pricing import (MonthlyPricing, MonthlyRealisation, PlekSchedule, PxqPricing,  # noqa: F401
                                       PxqRealisation, Realisation, TrajectPricing, TrajectRealisation,
                                       YearSchedule, _Model, check_schedule, for_year)


def check_band(v: float) -> float:
    """A bandbreedte is a share of the amount: 0 to 1, or .inf (never settled)."""
    if not (0 <= v <= 1 or v == math.inf):
        raise ValueError("moet een aandeel van het bedrag tussen 0 en 1 zijn (0,1 = 10%, in YAML: band: 0.1), of .inf om nooit "
                         "te verrekenen")
    return v


Band = Annotated[float, AfterValidator(check_band)]
"""The type of a ``band`` field (bandbreedte); its Field gives the default and the description."""


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


class ResultDefinition(_Model):
    """What counts as a result (analysis/results.py ``mark_results``): a traject that ends by
    afschaling (with ``step_down``: also by step-down) and whose client does not return (a new
    traject, aanmelding or recidive) within ``follow_up_days``; never uitval."""

    follow_up_days: float = Field(365.0, ge=0, description="days after the stop without a return (recidive)")
    step_down: bool = Field(False, description="a step-down to lighter care also counts as doel bereikt")


class Beloning(_Model):
    """Outcome reward (004 par. 7.3, participatie PW S1: a positive financial incentive for
    successful trajecten): ``per_succes`` EUR per traject of the contract that reaches its result.

    Paid as a bonus row in the month the result is known (stop + follow_up_days), when that month
    lies in the contract period and the horizon; results still unknown there are not paid.
    """

    per_succes: Union[float, dict[str, float]] = Field(description="EUR per result; one amount or one per traject type")
    definition: ResultDefinition = Field(default_factory=ResultDefinition)

    @field_validator("per_succes")
    @classmethod
    def _amounts(cls, v):
        return check_schedule(v, "per_succes") if not isinstance(v, dict) else {
            k: float(check_schedule(x, f"per_succes[{k}]")) for k, x in v.items()}

    def check_types(self, types: dict, where: str) -> None:
        """An amount per traject type when amounts are given per type."""
        if isinstance(self.per_succes, dict):
            missing, extra = set(types) - set(self.per_succes), set(self.per_succes) - set(types)
            if missing or extra:
                raise ValueError(f"{where}.per_succes moet één bedrag per trajecttype van het segment geven; "
                                 f"ontbreekt: {sorted(missing)}, onbekend: {sorted(extra)}")


class Conversion(_Model):
    """Step 3 of the Noord-Limburg note: from ``date`` the contract runs as plekken or as trajecten."""

    date: dt.date
    to: Literal["plekken", "traject"]
    plekken: Optional[PlekSchedule] = Field(None, description="plekken bought from the date on; required when to = plekken")

    @model_validator(mode="after")
    def _needs_count(self):
        if self.to == "plekken" and self.plekken is None:
            raise ValueError("plekken: een omzetting naar plekken vraagt een aantal plekken (plekken: N of {jaar: N})")
        if self.plekken is not None:
            check_schedule(self.plekken, "plekken", integer=True)
        return self


# -- the contract base --------------------------------------------------------------------------

class ContractBase(_Model):
    """Fields every contract has; a variant's schema subclasses this (and a pricing, if it has one)."""

    municipality: str
    provider: str
    segment: str
    start: Optional[dt.date] = Field(None, description="first day (inclusive); none: the scenario's start date")
    end: Optional[dt.date] = Field(None, description="end day (exclusive); none: the scenario's end date")
    behaviour: Behaviour = Field(default_factory=Behaviour)
    bonus_malus: Optional[BonusMalus] = None
    beloning: Optional[Beloning] = Field(None, description="outcome reward per traject that reaches its result")
    extra_capacity: bool = Field(
        False, description="capacity outside the raamovereenkomst: payments capped at max_extra_share of the framework contracts")
    max_extra_share: float = Field(0.10, ge=0, description="cap of an extra_capacity contract, share of framework value")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.municipality, self.provider, self.segment)

    @property
    def covered(self) -> tuple[str, ...]:
        """The municipalities whose trajecten the contract pays: its own; a regional contract several."""
        return (self.municipality,)

    @property
    def regional(self) -> bool:
        """True for a contract of a region (the MGR) covering municipalities other than its own name."""
        return self.covered != (self.municipality,)

    def keys(self) -> list[tuple[str, str, str]]:
        """(municipality, provider, segment) of every municipality the contract covers."""
        return [(m, self.provider, self.segment) for m in self.covered]

    def key_share(self, scenario, municipality: str) -> float:
        """The municipality's share of the contract's value (1 for a contract of one municipality; a
        regional contract: its cost-sharing key)."""
        return 1.0

    def resolve(self, scenario) -> None:
        """Fill in what depends on the scenario (a regional contract's ``municipalities: all``)."""

    def label(self, i: int) -> str:
        return f"funding.contracts[{i}] ({self.municipality}/{self.provider}/{self.segment}, {self.variant})"

    def period(self, scenario) -> tuple[dt.date, dt.date]:
        """(first day, end day exclusive), the scenario's dates where the contract gives none."""
        return (self.start or scenario.start_date, self.end or scenario.end_date)

    def first_phase(self) -> tuple[str, Any]:
        """(mode, plekken) of the contract before any conversion; a variant that buys plekken overrides it
        (a phase with a plek count buys plekken, see ``plekken_phases``)."""
        return self.variant, None

    def phases(self, scenario) -> list[tuple[dt.date, dt.date, str, Any]]:
        """(start, end, mode, plekken) pieces: the mode names the payment rule of the piece.

        A contract with ``conversions`` switches between trajecten and plekken at each one.
        """
        start, end = self.period(scenario)
        mode, count = self.first_phase()
        out = []
        for conv in getattr(self, "conversions", ()):
            out.append((start, conv.date, mode, count))
            start = conv.date
            mode, count = ("plekken", conv.plekken) if conv.to == "plekken" else ("traject", None)
        out.append((start, end, mode, count))
        return [p for p in out if p[0] < p[1]]

    def plekken_phases(self, scenario) -> list[tuple[dt.date, dt.date, Any]]:
        """(start, end, plekken) of the pieces in which the contract buys plekken."""
        return [(a, b, count) for a, b, _, count in self.phases(scenario) if count is not None]

    def pricings(self):
        """(name, pricing) of the contract's own per-traject price and its realisation, if any."""
        if isinstance(self, (TrajectPricing, PxqPricing, MonthlyPricing)):
            yield "tariffs", self
        if getattr(self, "realisation", None) is not None:
            yield "realisation", self.realisation

    def heavy_types(self, scenario) -> set[str]:
        """Traject types the provider may refuse (``behaviour.heavy_weight``, else the heaviest)."""
        types = scenario.segments[self.segment].traject_types
        threshold = self.behaviour.heavy_weight or max(t.weight for t in types.values())
        return {name for name, t in types.items() if t.weight >= threshold}

    def check_scenario(self, scenario, where: str) -> None:
        """Cross-checks of this variant against the scenario; a variant adds its own."""


class SettledContract(ContractBase):
    """A contract with an agreed yearly amount, settled against realisation outside a band."""

    band: Band = Field(0.0, ge=0, description="bandbreedte: share of the amount within which nothing is settled (.inf: never)")
    settlement: Literal["whole", "outside_band"] = Field(
        "whole", description="outside the band settle the whole difference, or only the part outside the band")
    realisation: Optional[Realisation] = Field(None, description="how realised care is valued for the settlement")

    @property
    def needs_realisation(self) -> bool:
        """Settling at a finite band needs a valuation of the care (a variant may have its own)."""
        return math.isfinite(self.band)

    def check_scenario(self, scenario, where: str) -> None:
        if self.realisation is None and self.needs_realisation:
            raise ValueError(f"{where}: realisation is nodig om buiten een eindige band ({dutch_number(self.band)}) te verrekenen; "
                             "voeg realisation toe of zet band: .inf")


class ProviderCosts(_Model):
    """A provider's cost model: delivered units x cost price, plus fixed costs per contracted plek."""

    cost_per_unit: Union[float, dict[str, float]] = Field(description="EUR per delivered unit (hour/etmaal); or per segment")
    fixed_per_plek_year: float = Field(0.0, ge=0, description="EUR per contracted plek per 365 days (e.g. residential)")


# -- the schema registry ----------------------------------------------------------------------

SCHEMAS: dict[str, type[ContractBase]] = {}
_DEPENDENTS: list[type[BaseModel]] = []   # models embedding Funding, rebuilt after Funding


def register_schema(name: str, schema: type[ContractBase]) -> None:
    """Make ``variant: name`` valid in scenarios, validated by ``schema``; rebuilds the models."""
    if not (isinstance(schema, type) and issubclass(schema, ContractBase)):
        raise TypeError(f"the schema of variant {name!r} must subclass ContractBase, got {schema!r}")
    field = schema.model_fields.get("variant")
    if field is None or getattr(field.annotation, "__args__", None) != (name,):
        raise TypeError(f"the schema of variant {name!r} needs a field variant: Literal[{name!r}]")
    SCHEMAS[name] = schema
    _rebuild()


def unregister_schema(name: str) -> None:
    """Remove a variant's schema (tests that register a variant of their own clean up with this)."""
    SCHEMAS.pop(name, None)
    _rebuild()


def _rebuild() -> None:
    # The models are built on first use (defer_build, for a fast start-up); one not built yet will
    # see every schema registered by then, one already built is built again with the new union.
    for model in (Funding, *_DEPENDENTS):
        if model.__pydantic_complete__:
            model.model_rebuild(force=True)


def rebuild_with_funding(model: type[BaseModel]) -> None:
    """Rebuild ``model`` (which embeds ``Funding``) whenever a variant registers."""
    _DEPENDENTS.append(model)


def _variant_tag(v) -> Optional[str]:
    variant = v.get("variant") if isinstance(v, dict) else getattr(v, "variant", None)
    return f"variant={variant}" if variant in SCHEMAS else None


class _RegisteredContract:
    """The type of one contract: a discriminated union of the schemas registered so far."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        if not SCHEMAS:
            return core_schema.no_info_plain_validator_function(_no_variants)
        union = Annotated[
            Union[tuple(Annotated[schema, Tag(f"variant={name}")] for name, schema in SCHEMAS.items())],
            Discriminator(_variant_tag, custom_error_type="invalid_variant",
                          custom_error_message=f"variant moet een van deze zijn: {', '.join(SCHEMAS)}"),
        ]
        return handler.generate_schema(union)


def _no_variants(value):
    raise PydanticCustomError("invalid_variant", "er is geen bekostigingsvariant geregistreerd (importeer simulation.funding)")


class Funding(_Model):
    """The scenario's ``funding`` section: contracts and provider cost models."""

    contracts: list[_RegisteredContract] = Field(default_factory=list)
    provider_costs: dict[str, ProviderCosts] = Field(default_factory=dict)


# -- cross-validation against the scenario ---------------------------------------------------

def contract_period(contract: ContractBase, scenario) -> tuple[dt.date, dt.date]:
    """(first day, end day exclusive) of a contract; see ``ContractBase.period``."""
    return contract.period(scenario)


def phases(contract: ContractBase, scenario) -> list[tuple[dt.date, dt.date, str, Any]]:
    """(start, end, mode, plekken) pieces of a contract; see ``ContractBase.phases``."""
    return contract.phases(scenario)
