"""Pricing schemas: how realised care is valued (per traject, per unit, per client-month), and yearly schedules."""
from __future__ import annotations

import math
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

YearSchedule = Union[float, dict[int, float]]
PlekSchedule = Union[int, dict[int, int]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, defer_build=True)


def for_year(schedule, year: int):
    """The value of a yearly schedule in ``year``: a constant, or {year: value} from that year on."""
    if schedule is None or not isinstance(schedule, dict):
        return schedule
    earlier = [y for y in schedule if y <= year]
    return schedule[max(earlier)] if earlier else schedule[min(schedule)]


def check_schedule(v, name: str, integer: bool = False):
    """``v`` if every value of the schedule is a finite number >= 0, else a ValueError naming ``name``."""
    values = v.values() if isinstance(v, dict) else [v]
    for x in values:
        if x is None or not (x >= 0) or (not integer and not math.isfinite(x)):
            raise ValueError(f"{name} moet een eindig getal van 0 of meer zijn (of {{jaar: waarde}}), gevonden: {x}")
    return v


def check_price(x, name: str) -> float:
    """``x`` as a float if it is a finite amount > 0: a tariff or price that pays the care; 0 would pay nothing
    for it (a ValueError naming ``name`` and the fix)."""
    if x is None or isinstance(x, bool) or not isinstance(x, (int, float)) or not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{name} moet een bedrag in euro boven 0 zijn (een prijs van 0 betaalt niets voor de zorg); "
                         f"geef de prijs, bijvoorbeeld 8646, gevonden: {x}")
    return float(x)


class TrajectPricing(_Model):
    """A fixed tariff per traject type, paid at the start or split between start and end.

    The payment conventions (``verlenging``, ``step_down``, ``uitval``, ``beginstand``) say what
    a continuation, an early end and a traject already in care on the start date pay;
    docs/funding.md ("traject") gives each rule with its source or its assumption.

    ``tariffs`` maps traject type -> EUR, or profile -> intensity -> EUR (Zwolle-style 12 x 3
    tables); nested keys are joined as ``profile/intensity`` and must name traject types.
    """

    tariffs: dict[str, Union[float, dict[str, float]]] = Field(description="EUR per traject, per traject type")
    share_at_start: float = Field(1.0, ge=0, le=1, description="share of the tariff paid at start_zorg; the rest at stop_zorg")
    verlenging: Literal["inbegrepen", "nieuw_traject"] = Field(
        "inbegrepen", description="a verlenging is part of the original tariff (001: no extra charge on a trajectory "
        "tariff) or a new traject paid again")
    step_down: Literal["lichter_tarief", "inbegrepen"] = Field(
        "lichter_tarief", description="a step-down pays the lighter traject type's tariff (assumption: a new, lighter "
        "need) or is part of the original tariff")
    uitval: Literal["alleen_start", "naar_rato", "volledig"] = Field(
        "alleen_start", description="what an uitval pays: only the start part (assumption: the end part pays a "
        "completed traject), the tariff pro rata realised / planned doorlooptijd (at most 1), or the full tariff")
    beginstand: Literal["niet", "naar_rato", "volledig"] = Field(
        "niet", description="trajecten already in care when the contract starts: nothing at the start (in a steady "
        "state their tariff was paid at their start, and each new traject's tariff pays its whole care), the part of "
        "the tariff of their remaining planned doorlooptijd, paid in the first month (a switch from paying delivered "
        "care: a one-off transition cost), or the full tariff")
    opslag: Optional[float] = Field(
        None, ge=0, description="surcharge on the tariffs as a share (0.05 = 5%; 004 par. 8 step 1); "
        "none: the provider's opslag (providers.*.segments.*.opslag, default 0)")

    @field_validator("tariffs")
    @classmethod
    def _flatten(cls, v):
        flat: dict[str, float] = {}
        for key, val in v.items():
            items = val.items() if isinstance(val, dict) else [(None, val)]
            for sub, x in items:
                name = key if sub is None else f"{key}/{sub}"
                flat[name] = check_price(x, f"het tarief van {name!r}")
        return flat

    def check_types(self, types: dict, where: str) -> None:
        """One tariff per traject type of the segment."""
        missing, extra = set(types) - set(self.tariffs), set(self.tariffs) - set(types)
        if missing or extra:
            raise ValueError(f"{where}.tariffs moet één tarief per trajecttype van het segment geven; "
                             f"ontbreekt: {sorted(missing)}, onbekend: {sorted(extra)}")


class PxqPricing(_Model):
    """Delivered time units x unit price (input / PxQ), invoiced per month.

    Units delivered = traject type weight (hours, or etmalen, per week) x intensity factor x days in care / 7.
    """

    unit_price: Union[float, dict[str, float]] = Field(description="EUR per unit; one price or one per traject type")
    unit: Literal["uur", "dagdeel", "dag", "etmaal"] = Field("uur", description="the time unit the weight counts")

    @field_validator("unit_price")
    @classmethod
    def _prices(cls, v):
        return check_price(v, "unit_price") if not isinstance(v, dict) else {
            k: check_price(x, f"unit_price[{k}]") for k, x in v.items()}

    def check_types(self, types: dict, where: str) -> None:
        """A unit price per traject type when prices are given per type."""
        if isinstance(self.unit_price, dict):
            missing = set(types) - set(self.unit_price)
            if missing:
                raise ValueError(f"{where}.unit_price mist trajecttype(n) {sorted(missing)}; voeg een prijs per trajecttype toe")


class MonthlyPricing(_Model):
    """Output tariff per client per category for every calendar month with care (Meierij)."""

    monthly_tariffs: dict[str, float] = Field(description="EUR per client per month, per category")
    categories: Optional[dict[str, str]] = Field(
        None, description="traject type -> category; none: the traject type is the category")

    @field_validator("monthly_tariffs")
    @classmethod
    def _tariffs(cls, v):
        return {k: check_price(x, f"het maandtarief van {k!r}") for k, x in v.items()}

    def check_types(self, types: dict, where: str) -> None:
        """A category per traject type, and a tariff per category."""
        cats = self.categories or {t: t for t in types}
        missing = set(types) - set(cats)
        if missing:
            raise ValueError(f"{where}.categories mist trajecttype(n) {sorted(missing)}; geef elk trajecttype een categorie")
        no_tariff = set(cats.values()) - set(self.monthly_tariffs)
        if no_tariff:
            raise ValueError(f"{where}.monthly_tariffs mist categorie(ën) {sorted(no_tariff)}; "
                             "geef elke categorie een maandtarief")


class TrajectRealisation(TrajectPricing):
    basis: Literal["traject"]


class PxqRealisation(PxqPricing):
    basis: Literal["pxq"]


class MonthlyRealisation(MonthlyPricing):
    basis: Literal["output_monthly"]


Realisation = Annotated[Union[TrajectRealisation, PxqRealisation, MonthlyRealisation], Field(discriminator="basis")]
