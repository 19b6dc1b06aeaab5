"""The flow hook: how funding acts on the flow of clients without the engine knowing about funding.

The engine calls these methods at fixed points of a client's life; ``simulation.funding.flow``
implements them from the scenario's contracts. A hook is built per replication by a factory
that receives an ``EngineView``: what a hook may read of the engine, and the two things it may
change (the plek pools its contracts buy, and the provider choice it narrows).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generator, Optional, Protocol


@dataclass(frozen=True)
class EngineView:
    """The engine as a flow hook sees it. Indices (municipality, provider, segment, traject type) are
    positions in the name lists; ``traject_types[i].seg`` is the segment of traject type i."""

    scenario: Any
    calendar: Any
    horizon: float
    warmup_days: float
    seed: int
    replication: int
    env: Any                      # the shared SimPy clock: a hook's admit() waits on it
    log: Callable[[tuple], None]  # appends one event-log row (core/events.py COLUMNS)
    waiting: dict                 # traject -> waiting record; a hook registers the clients it makes wait
    municipality_names: list
    provider_names: list
    segment_names: list
    traject_types: list
    type_names: list
    pools: dict                   # (municipality, provider, segment) -> PlekPool; a hook adds its contracts' pools
    choice: dict                  # (municipality, segment) -> (providers, cumulative weights); a hook may narrow it


class FlowHook(Protocol):
    gated: bool
    """True when ``admit`` must be called at every new toewijzing (a ceiling, a refusal or extra capacity)."""

    gated_keys: frozenset
    """(municipality, provider, segment) index keys at which ``admit`` and ``count_continuation`` can act;
    the engine calls neither elsewhere."""

    contracts: dict
    """(municipality, provider, segment) index keys of the hook's contracts."""

    acting_keys: frozenset
    """The keys of ``contracts`` at which the hook can change a client's life (a plek pool, a ceiling,
    a refusal, extra capacity or a doorlooptijd factor): their clients stay on the shared clock; the
    clients of the other keys (paid only: pxq, traject, population ...) may run in the numpy cohort."""

    def admit(self, client: Any, traject: int, segment: int, traject_type: int, provider: int,
              place: str) -> Generator[Any, Any, int]:
        """At a new toewijzing: may log, wait (yield events) and change the provider; returns the provider."""

    def count_continuation(self, municipality: int, provider: int, segment: int, traject_type: int,
                           day: float) -> None:
        """A continuation (verlenging, step-down) starts: it counts as a commitment, never waits."""

    def duration_factor(self, municipality: int, provider: int, segment: int, day: float) -> float:
        """Multiplies the doorlooptijd of a traject that starts on ``day``."""

    def start(self) -> None:
        """Called once before the clock runs (e.g. to schedule capacity changes)."""


FlowHookFactory = Callable[[EngineView], Optional[FlowHook]]
