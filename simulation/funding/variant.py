"""A bekostiging variant as a plug-in: its contract schema and its rules, registered by name.

A variant's module defines a contract schema (a ``ContractBase`` subclass with
``variant: Literal[name]``) and a ``Variant`` subclass with its rules, and calls ``register``.
Registration puts the schema into config's registry (so scenarios with ``variant: name``
validate) and the rules into ``VARIANTS``. The payment rule is looked up by the *mode* of a
contract phase (``ContractBase.phases``), which is a variant name: a traject contract that
converts to plekken pays by the plekken rule in its plekken phase.

A rule that every variant must give (``pay``, ``contracted_value``, ``open_ended``) is abstract;
a class that lacks one cannot be instantiated, so ``register`` fails at import.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.config.contracts import ContractBase, register_schema, unregister_schema
from simulation.core.calendar import Calendar
from simulation.funding.valuation import planned_value

INF = math.inf


@dataclass
class Phase:
    """One phase of one contract over the simulated days [lo, hi), for a payment rule."""

    index: int                 # the contract's place in funding.contracts
    contract: ContractBase
    trajecten: Optional[pd.DataFrame]   # the trajecten of the contract's municipality, provider and segment
    #                                     (None: ``source`` at ``rows``, taken on first use)
    scenario: Any
    cal: Calendar
    reps: np.ndarray           # every replication, so years without care still get rows
    lo: float
    hi: float
    mode: str
    count: Any                 # plekken bought in a plekken phase (N or {year: N}), else None
    returns: Optional[pd.DataFrame] = None   # days clients (re)enter help (analysis.results.client_returns),
    #                                          for variants with ``uses_results``
    source: Optional[pd.DataFrame] = None    # the table ``trajecten`` was taken from, at positions ``rows``
    rows: Optional[np.ndarray] = None        # (lets a batch take every phase's trajecten in one step)
    years: pd.DataFrame = field(init=False)

    def __post_init__(self):
        self.years = self.cal.years_in(self.lo, self.hi)
        if self.trajecten is None:   # a batched rule reads source and rows; only pay needs the frame
            if self.source is None or self.rows is None:
                raise ValueError("a phase needs its trajecten, or source and rows")
            del self.trajecten

    def __getattr__(self, name):
        if name == "trajecten":   # not taken yet (see __post_init__)
            self.trajecten = self.source.iloc[self.rows]
            return self.trajecten
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def intensity(self) -> float:
        return self.contract.behaviour.intensity_factor


@dataclass
class Money:
    """What a payment rule returns: payment rows, final amounts and plek-day rows (lists of frames)."""

    rows: list = field(default_factory=list)
    finals: list = field(default_factory=list)
    plekken: list = field(default_factory=list)


class Variant(ABC):
    """The rules of one variant; subclass, set ``name`` and ``schema``, and ``register`` an instance."""

    name: ClassVar[str]
    schema: ClassVar[type[ContractBase]]
    has_capacity: ClassVar[bool] = False   # its phases cap the clients in a plek pool (see ``capacity``)
    has_ceiling: ClassVar[bool] = False    # admissions are checked against ``ceiling`` at toewijzing
    uses_results: ClassVar[bool] = False   # its rule reads ``Phase.returns`` (results of trajecten)

    @property
    @abstractmethod
    def open_ended(self) -> bool:
        """True when a framework contract in this mode has no contracted yearly value: the planned
        values of its toewijzingen count as its value for the extra-capacity cap."""

    @abstractmethod
    def pay(self, phase: Phase) -> Money:
        """The payment rule of a phase in this mode: advances, invoices, settlements, paybacks, finals."""

    def pay_many(self, phases: list[Phase]) -> Money:
        """``pay`` of every phase (of this mode) at once: the same rows, and in the same order per phase, as
        ``pay`` of each; every frame has a column ``phase``, the phase's position in ``phases``. This default
        calls ``pay`` per phase; a rule that carries the time values all its phases in one pass."""
        money = Money()
        for n, phase in enumerate(phases):
            one = self.pay(phase)
            for mine, theirs in ((money.rows, one.rows), (money.finals, one.finals), (money.plekken, one.plekken)):
                mine += [frame.assign(phase=n) for frame in theirs]
        return money

    @abstractmethod
    def contracted_value(self, contract, count, year: int, days: float, year_days: float, scenario) -> float:
        """The contracted value of a framework contract in this mode over ``days`` of ``year``
        (0 for an open-ended mode; ``year_days``: days of the year)."""

    def capacity(self, count, year: int) -> float:
        """The plekken a phase in this mode buys in ``year`` (unlimited unless ``has_capacity``)."""
        return INF

    def ceiling(self, contract, year: int) -> Optional[float]:
        """The yearly budgetplafond of the contract (only with ``has_ceiling``)."""
        return None

    def planned_value(self, contract, scenario, segment: str, traject_type: str) -> float:
        """The value of one traject at its planned doorlooptijd: the contract's own per-traject price
        (else its realisation), 0 without one. Commitments at toewijzing count this."""
        for _, pricing in contract.pricings():
            return planned_value(pricing, scenario, segment, traject_type, contract.behaviour.intensity_factor,
                                 contract.provider)
        return 0.0


VARIANTS: dict[str, Variant] = {}


def register(variant_class: type[Variant]) -> type[Variant]:
    """Register a variant (usable as a class decorator): its schema validates ``variant: name`` and its
    rules pay the phases of that mode. Fails for a class that lacks a required rule."""
    if not (isinstance(variant_class, type) and issubclass(variant_class, Variant)):
        raise TypeError(f"register takes a Variant subclass, got {variant_class!r}")
    missing = sorted(getattr(variant_class, "__abstractmethods__", ()))
    if missing:
        raise TypeError(f"variant {getattr(variant_class, 'name', variant_class.__name__)!r} lacks the rule(s) "
                        f"{', '.join(missing)}")
    if not isinstance(getattr(variant_class, "name", None), str):
        raise TypeError(f"{variant_class.__name__} needs a name")
    for flag, method in (("has_capacity", "capacity"), ("has_ceiling", "ceiling")):
        if getattr(variant_class, flag) and getattr(variant_class, method) is getattr(Variant, method):
            raise TypeError(f"variant {variant_class.name!r} sets {flag} but lacks the rule {method}")
    if variant_class.name in VARIANTS:
        raise ValueError(f"variant {variant_class.name!r} is already registered")
    rules = variant_class()
    register_schema(rules.name, variant_class.schema)
    VARIANTS[rules.name] = rules
    return variant_class


def unregister(name: str) -> None:
    """Remove a registered variant: scenarios naming it no longer validate."""
    VARIANTS.pop(name, None)
    unregister_schema(name)


def variants() -> tuple[str, ...]:
    """The registered variant names, in registration order."""
    return tuple(VARIANTS)


def rule(mode: str) -> Variant:
    """The rules of a phase mode (a variant name)."""
    try:
        return VARIANTS[mode]
    except KeyError:
        raise KeyError(f"no variant {mode!r} is registered; known: {', '.join(VARIANTS)}") from None


def rules_of(contract: ContractBase) -> Variant:
    """The rules of a contract's own variant."""
    return rule(contract.variant)
