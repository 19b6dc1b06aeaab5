"""Every use of SimPy's private internals, in one place (tested in tests/unit/test_simpy_internals.py).

Why: speed and exact times. A client's process is started and resumed without the two
bookkeeping events simpy's ``Process`` makes (its Initialize and its own end), and an arrival
is put on the event heap at exactly its time rather than at ``now + (time - now)``, which can
differ in the last bit. These rely on simpy's ``Environment._queue`` (a heap of
``(time, priority, eid, event)``), ``Environment._eid`` (the tie-breaking counter),
``Environment._active_proc`` and the ``Event`` slots ``_ok``, ``_value``, ``callbacks``.
pyproject.toml bounds simpy (<4.2) because of them.
"""
from __future__ import annotations

from heapq import heappush

import simpy
from simpy.core import NORMAL, URGENT

__all__ = ["NORMAL", "URGENT", "At", "Arrival", "StartedProcess", "schedule_at"]


class At(simpy.events.Event):
    """An event that fires after ``delay`` with the given priority (like simpy's Timeout)."""

    def __init__(self, env: simpy.Environment, delay: float, priority: int):
        super().__init__(env)
        self._ok, self._value = True, None
        env.schedule(self, priority, delay)


class _Go:
    """The value a new process is first sent (like simpy's Initialize, without its event)."""

    _ok, _value = True, None


_GO = _Go()


class StartedProcess(simpy.events.Process):
    """A client's process: starts at once inside the current callback and ends silently.

    simpy's Process schedules an Initialize event to start and triggers itself when it
    ends; nobody waits for a client's process, so both events would only cost time.
    An exception in the generator propagates at once (the run stops with its traceback).
    """

    def __init__(self, env: simpy.Environment, gen):
        self.env, self.callbacks, self._generator = env, [], gen
        self._resume(_GO)

    def _resume(self, event) -> None:
        env, send = self.env, self._generator.send
        env._active_proc = self
        try:
            while True:
                event = send(event._value)
                if event.callbacks is not None:   # pending: resume when it fires
                    event.callbacks.append(self._resume)
                    break
                # already processed (e.g. a finished stacked traject): continue at once
        except StopIteration:
            self._ok, self._value, self.callbacks = True, None, None
            event = None
        self._target = event
        env._active_proc = None


class Arrival(simpy.events.Event):
    """A triggered event with one callback, scheduled by the caller (a bare timeout)."""

    def __init__(self, env: simpy.Environment, callback):
        self.env, self.callbacks, self._ok, self._value = env, [callback], True, None


def schedule_at(env: simpy.Environment, time: float, event) -> None:
    """Schedule ``event`` at exactly ``time`` (NORMAL priority).

    ``env.schedule`` takes a delay and adds it to now; now + (time - now) can differ from
    ``time`` in the last bit, and then a client's day would depend on when the previous
    client arrived. This is the same heap entry simpy makes, at the time itself.
    """
    heappush(env._queue, (time, NORMAL, next(env._eid), event))
