"""Instroom: each (municipality, segment)'s aanmeldingen as a Poisson process."""
from __future__ import annotations

import datetime as dt

import numpy as np

from simulation.config.scenario import Scenario
from simulation.core.calendar import Calendar, days_in_year, next_month
from simulation.core.streams import generator


def arrival_times(scenario: Scenario, calendar: Calendar, seed: int, replication: int,
                  municipality: str, segment: str, first_day: float, horizon: float) -> np.ndarray:
    """Poisson instroom, piecewise constant per calendar month (growth per year, seasonality)."""
    instroom = scenario.segments[segment].instroom
    base = scenario.instroom_per_year(municipality, segment)
    season = (np.ones(12) if instroom.seasonality is None
              else np.asarray(instroom.seasonality) / np.mean(instroom.seasonality))
    first = calendar.date(first_day)
    starts, lengths, rates = [], [], []
    month = dt.date(first.year, first.month, 1)
    while calendar.day(month) < horizon:
        following = next_month(month)
        lo = max(calendar.day(month), first_day)
        hi = min(calendar.day(following), horizon)
        rate = (base * (1 + instroom.growth) ** (month.year - instroom.base_year) * season[month.month - 1]
                / days_in_year(month.year))
        starts.append(lo)
        lengths.append(hi - lo)
        rates.append(rate)
        month = following
    rng = generator(seed, replication, "instroom", municipality, segment)
    counts = rng.poisson(np.asarray(rates) * np.asarray(lengths))
    times = np.repeat(starts, counts) + rng.random(counts.sum()) * np.repeat(lengths, counts)
    return np.sort(times)
