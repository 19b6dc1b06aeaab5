"""The flow hook: how funding acts on the flow of clients without the engine knowing about funding.

The engine calls these methods at fixed points of a client's life; ``simulation.funding.flow``
implements them from the scenario's contracts. A hook is built per replication by a factory
that receives the engine (its compiled tables, clock, pools and log).
"""
from __future__ import annotations

from typing import Any, Callable, Generator, Optional, Protocol


class FlowHook(Protocol):
    gated: bool
    """True when ``admit`` must be called at every new toewijzing (a ceiling, a refusal or extra capacity)."""

    contracts: dict
    """(municipality, provider, segment) index keys the hook acts on: their clients stay on the shared clock."""

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


FlowHookFactory = Callable[[Any], Optional[FlowHook]]
