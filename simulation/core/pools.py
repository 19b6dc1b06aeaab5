"""Plek pools: the plekken one municipality bought at one provider for one segment."""
from __future__ import annotations

import datetime as dt
from collections import deque

import simpy

from simulation.config.scenario import Scenario
from simulation.core.calendar import Calendar


class PlekPool:
    """The plekken one municipality bought at one provider for one segment.

    At most ``capacity`` of its clients are in care at once; the others wait
    first-in first-out. Capacity can change at a year boundary.
    """

    __slots__ = ("env", "capacity", "in_use", "queue")

    def __init__(self, env: simpy.Environment, capacity: int):
        self.env, self.capacity, self.in_use, self.queue = env, capacity, 0, deque()

    def request(self):
        """None when a plek is free now (and taken), else an event that fires when one is."""
        if self.in_use < self.capacity and not self.queue:
            self.in_use += 1
            return None
        event = self.env.event()
        self.queue.append(event)
        return event

    def release(self) -> None:
        self.in_use -= 1
        self._admit()

    def cancel(self, event) -> None:
        self.queue.remove(event)

    def set_capacity(self, capacity: int) -> None:
        self.capacity = capacity
        self._admit()

    @property
    def free(self) -> bool:
        return self.in_use < self.capacity and not self.queue

    def _admit(self) -> None:
        while self.queue and self.in_use < self.capacity:
            self.in_use += 1
            self.queue.popleft().succeed()


def bought_pools(scenario: Scenario, mun_names: list[str], seg_names: list[str], prov_names: list[str],
                 env: simpy.Environment, year: int) -> dict[tuple[int, int, int], PlekPool]:
    """A pool per (municipality, provider, segment) index triple in ``providers.*.plekken``, at ``year``'s count."""
    pools = {}
    for provider_index, provider in enumerate(prov_names):
        for municipality, per_segment in scenario.providers[provider].plekken.items():
            for segment in per_segment:
                key = (mun_names.index(municipality), provider_index, seg_names.index(segment))
                pools[key] = PlekPool(env, scenario.plekken_in_year(provider, municipality, segment, year))
    return pools


def yearly_capacity(env: simpy.Environment, pools: dict, scenario: Scenario, calendar: Calendar,
                    names: tuple[list[str], list[str], list[str]], first_year: int, horizon: float):
    """A process: on each 1 January after ``first_year`` before the horizon, the year's plekken.

    ``names``: the municipality, provider and segment names the pool keys number.
    """
    mun_names, prov_names, seg_names = names
    year = first_year + 1
    while True:
        day = calendar.day(dt.date(year, 1, 1))
        if day >= horizon:
            return
        yield env.timeout(day - env.now)
        for (mi, pi, si), pool in pools.items():
            capacity = scenario.plekken_in_year(prov_names[pi], mun_names[mi], seg_names[si], year)
            if capacity is not None:   # pools of funding contracts change in funding.flow
                pool.set_capacity(capacity)
        year += 1


class Sites(dict):
    """(municipality, provider, segment) -> (pool or None, gated, maatwerk factor, flow acts): what a
    toewijzing there needs, computed at the first toewijzing at that key (one dict lookup per traject,
    not four). ``gated``: the flow hook's admit and count_continuation act there; ``flow acts``: its
    duration_factor may differ from 1 there (elsewhere it is 1, and a factor 1 changes no float)."""

    def __init__(self, pools: dict, maatwerk: dict, gated_keys: frozenset, acting_keys: frozenset):
        super().__init__()
        self.pools, self.maatwerk, self.gated_keys, self.acting_keys = pools, maatwerk, gated_keys, acting_keys

    def __missing__(self, key: tuple[int, int, int]) -> tuple:
        _, provider, segment = key
        site = self[key] = (self.pools.get(key), key in self.gated_keys, self.maatwerk.get((provider, segment)),
                            key in self.acting_keys)
        return site
