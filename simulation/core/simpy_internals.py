"""Every use of SimPy's private internals, in one place (tested in tests/unit/test_simpy_internals.py).

Why: speed and exact times. A client's process is started and resumed without the two
bookkeeping events simpy's ``Process`` makes (its Initialize and its own end); it sleeps by
yielding a delay, and then the process itself is the heap entry a timeout would be (no Timeout
object per event); an arrival is put on the event heap at exactly its time rather than at
``now + (time - now)``, which can differ in the last bit. These rely on simpy's ``Environment._queue`` (a heap of
``(time, priority, eid, event)``), ``Environment._eid`` (the tie-breaking counter),
``Environment._active_proc`` and ``_now`` (shadowed, see ``Environment``), and the ``Event`` slots ``_ok``, ``_value``, ``callbacks``
(and ``Timeout._delay``).
pyproject.toml bounds simpy (<4.2) because of them.
"""
from __future__ import annotations

from heapq import heappop, heappush

import simpy
from simpy.core import NORMAL, URGENT
from simpy.events import Timeout

__all__ = ["NORMAL", "URGENT", "At", "Arrival", "Environment", "StartedProcess", "schedule_at"]


class Environment(simpy.Environment):
    """simpy's Environment with a cheaper ``timeout``, ``run_until`` and ``now``: the same heap entries in the
    same order.

    simpy's ``timeout`` is a Timeout whose ``__init__`` calls ``schedule``, and ``run`` calls
    ``step`` once per event; here each is one frame fewer (the engine makes about three events
    a client). simpy's ``now`` is a property over ``_now``, a Python call at each of the engine's
    reads of the time (several per event); here the time is the plain attribute ``now`` and
    ``_now`` the property over it, for simpy's own code.
    """

    now = 0.0   # shadows simpy's property: an instance's ``now`` is then its own attribute

    @property
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def timeout(self, delay: float, value=None) -> Timeout:
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        event = Timeout.__new__(Timeout)
        event.env, event.callbacks, event._value, event._delay, event._ok = self, [], value, delay, True
        heappush(self._queue, (self.now + delay, NORMAL, next(self._eid), event))
        return event

    def run_until(self, at: float) -> None:
        """``run(until=at)``: the stop event at ``now + (at - now)`` with URGENT priority, as simpy's."""
        if at <= self.now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = simpy.events.Event(self)
        stop._ok, stop._value = True, None
        heappush(self._queue, (self.now + (at - self.now), URGENT, next(self._eid), stop))
        queue, eid = self._queue, self._eid
        while True:
            self.now, _, _, event = heappop(queue)   # never empty: the stop event is on it
            if event.__class__ is StartedProcess:   # a process that slept (yielded a delay): its own entry
                # StartedProcess._resume inlined for its most common case: it sleeps again
                self._active_proc = event
                try:
                    delay = event._generator.send(None)
                except StopIteration:
                    event.callbacks = None
                    self._active_proc = None
                    continue
                if delay.__class__ is float and delay >= 0:
                    heappush(queue, (self.now + delay, NORMAL, next(eid), event))
                    self._active_proc = None
                else:
                    event._follow(delay)
                continue
            if event is stop:
                return
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):   # a failed event crashes the run, as in step
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc

    def chain_process(self, gen) -> simpy.events.Process:
        """A simpy Process of a generator that may yield delays (see ``StartedProcess``), for others to wait on.

        Each delay becomes ``timeout(delay)`` at the moment it is yielded: the heap entries of a
        generator that yields timeouts itself.
        """
        return self.process(_as_timeouts(self, gen))


def _as_timeouts(env: Environment, gen):
    value = None
    while True:
        try:
            event = gen.send(value)
        except StopIteration as stop:
            return stop.value
        if event.__class__ is float or not isinstance(event, simpy.events.Event):
            event = env.timeout(float(event))
        value = yield event


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


def _wake(process) -> None:
    process._resume(process)


# The callbacks of every sleeping StartedProcess (simpy's step calls them): one shared list, so a
# process on the heap forms no reference cycle and is freed as soon as it is dropped.
_WAKE = [_wake]


class StartedProcess:
    """A client's process: starts at once inside the current callback and ends silently.

    simpy's Process schedules an Initialize event to start and triggers itself when it
    ends; nobody waits for a client's process, so both events would only cost time.
    An exception in the generator propagates at once (the run stops with its traceback).

    The generator may yield a delay (a number) instead of ``env.timeout(delay)``: the process
    then goes on the heap itself, as its own triggered event, at ``now + delay`` with the next
    eid: the heap entry a timeout would have made, without the Timeout object and its callback
    list. Nobody may wait for a StartedProcess (while it sleeps, its callbacks are the shared ``_WAKE``).
    It has the attributes of an event that simpy's ``step`` reads, in slots (no ``__dict__`` per
    client); it is no ``simpy.Process`` subclass, whose instances each carry one.
    """

    __slots__ = ("env", "callbacks", "_generator", "_ok", "_value", "_target")

    def __init__(self, env: simpy.Environment, gen):
        self.env, self.callbacks, self._generator, self._ok, self._value = env, [], gen, True, None
        # _resume(_GO) inlined for its most common case: the new process sleeps (a client's first step)
        env._active_proc = self
        try:
            delay = gen.send(None)
        except StopIteration:
            self.callbacks, self._target = None, None
            env._active_proc = None
            return
        if delay.__class__ is float and delay >= 0:
            self.callbacks, self._target = _WAKE, None
            heappush(env._queue, (env.now + delay, NORMAL, next(env._eid), self))
            env._active_proc = None
        else:
            self._follow(delay)

    def _resume(self, event) -> None:
        self.env._active_proc = self
        try:
            yielded = self._generator.send(event._value)
        except StopIteration:
            self._ok, self._value, self.callbacks, self._target = True, None, None, None
            self.env._active_proc = None
            return
        self._follow(yielded)

    def _follow(self, event) -> None:
        """Act on what the generator yielded (``event``) and on what it yields next, until it waits."""
        env, send = self.env, self._generator.send
        env._active_proc = self
        try:
            while True:
                if event.__class__ is float or not isinstance(event, simpy.events.Event):
                    if event < 0:
                        raise ValueError(f"Negative delay {event}")
                    self.callbacks = _WAKE
                    heappush(env._queue, (env.now + event, NORMAL, next(env._eid), self))
                    event = None
                    break
                if event.callbacks is not None:   # pending: resume when it fires
                    event.callbacks.append(self._resume)
                    break
                # already processed (e.g. a finished stacked traject): continue at once
                event = send(event._value)
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
