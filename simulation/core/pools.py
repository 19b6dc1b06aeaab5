"""Plek pools: the plekken one municipality bought at one provider for one segment."""
from __future__ import annotations

from collections import deque

import simpy


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
