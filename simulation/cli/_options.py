"""Option helpers the commands share."""
from __future__ import annotations

from simulation.config.scenario import parse_set_option


def scenario_overrides(pairs: list[str] | None) -> dict:
    """``--set PATH=VALUE`` options as a dict of overrides."""
    return dict(parse_set_option(p) for p in pairs or [])
