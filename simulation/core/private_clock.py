"""The private clock: one client's processes on their own small event queue.

A client who can meet no plek, no ceiling and no other client needs no place on the shared
SimPy heap. Its generator code runs here unchanged, with the same ordering rules as simpy
(time, then creation order); rows go to the shared log with their own times (the log is
sorted by day when the DataFrame is built).
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Callable


class Wake:
    """What a process on a private clock yields to sleep until ``time``."""

    __slots__ = ("time",)

    def __init__(self, time: float):
        self.time = time


class PrivateProcess:
    """A stacked traject chain on a private clock: yieldable like a simpy Process."""

    __slots__ = ("gen", "triggered", "value", "waiters")

    def __init__(self, gen):
        self.gen, self.triggered, self.value, self.waiters = gen, False, None, []


class PrivateClock:
    """The clock of one client; offers the ``now``, ``timeout`` and ``process`` a life uses.

    A process may also yield a delay (a float): it wakes at ``now + delay``, as ``timeout(delay)``.
    """

    __slots__ = ("now", "queue", "eid")

    def __init__(self, now: float):
        self.now, self.queue, self.eid = now, [], 0

    def timeout(self, delay: float) -> Wake:
        return Wake(self.now + delay)

    def process(self, gen) -> PrivateProcess:
        proc = PrivateProcess(gen)
        self.push(self.now, proc, None)
        return proc

    chain_process = process   # the shared clock's name for a process others wait on

    def push(self, time: float, proc, value) -> None:
        self.eid += 1
        heappush(self.queue, (time, self.eid, proc, value))

    def run(self, life, horizon: float, on_day_zero: Callable[[], None] | None) -> None:
        """Run the generator ``life`` (and the processes it starts) up to ``horizon``.

        ``on_day_zero`` is called once, when the clock first passes day 0 after the start
        (the client's ``beginstand``); None when the clock starts on or after day 0.
        """
        proc = PrivateProcess(life)
        first = True
        queue, push = self.queue, self.push
        time, value = self.now, None
        while True:
            if on_day_zero is not None and time >= 0 and not first:
                on_day_zero()
                on_day_zero = None
            first = False
            if time >= horizon:
                break   # like env.run(until=horizon): what is pending stays pending
            self.now = time
            try:
                event = proc.gen.send(value)
            except StopIteration as stop:
                proc.triggered, proc.value = True, stop.value
                for waiter in proc.waiters:
                    push(time, waiter, stop.value)
            else:
                cls = event.__class__
                if cls is float or cls is Wake or cls is int:   # a delay (as on the shared clock) or a Wake
                    wake = time + event if cls is not Wake else event.time
                    if not queue:   # nothing else pending: this process is next, skip the heap
                        time, value = wake, None
                        continue
                    push(wake, proc, None)
                elif event.triggered:
                    push(time, proc, event.value)
                else:
                    event.waiters.append(proc)
            if not queue:
                break
            time, _, proc, value = heappop(queue)
