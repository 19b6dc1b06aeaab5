"""A table of fixed trajectory tariffs per support profile x intensity (Zwolle/IJsselland, 001).

Note 001 (Hoofdlijnen contractering Jeugdhulp) replaces more than 200 products by 12 support
profiles x 3 intensities = 36 fixed tariffs for the whole traject, each the average over the
profile's population, and asks for an extra check on expensive trajecten (e.g. above EUR 25,000).
The documents give no tariff amounts: ``profile_tariffs`` builds them from one underlying rate
and the planned care of each combination,

    tariff(profile, intensity) = rate x hours per week (profile x intensity) x planned doorlooptijd / 7,

the same rule params/derive_funding.py uses for the Noord-Limburg traject tariffs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

EXTRA_CHECK_EUR = 25_000.0   # 001: an extra check on trajecten above e.g. EUR 25,000


@dataclass(frozen=True)
class Intensity:
    """One of the three intensities: a factor on the profile's hours per week and a planned doorlooptijd."""

    weight_factor: float
    planned_doorlooptijd: float


def traject_type_name(profile: str, intensity: str) -> str:
    """The traject type of a profile x intensity combination (TrajectPricing joins nested keys with '/')."""
    return f"{profile}/{intensity}"


def profile_tariffs(hours: Mapping[str, float], intensities: Mapping[str, Intensity],
                    rate: float) -> dict[str, dict[str, float]]:
    """{profile: {intensity: tariff}} in EUR, rounded to whole euros: rate x hours x factor x days / 7."""
    if rate <= 0 or not hours or not intensities:
        raise ValueError("profile_tariffs needs a rate > 0, at least one profile and one intensity")
    return {p: {i: round(rate * h * x.weight_factor * x.planned_doorlooptijd / 7) for i, x in intensities.items()}
            for p, h in hours.items()}


def extra_check(tariffs: Mapping[str, Mapping[str, float]], threshold: float = EXTRA_CHECK_EUR) -> list[str]:
    """The profile/intensity combinations whose tariff is above ``threshold``: the trajecten that get
    the extra check of 001 at toewijzing."""
    return sorted(traject_type_name(p, i) for p, row in tariffs.items() for i, t in row.items() if t > threshold)
