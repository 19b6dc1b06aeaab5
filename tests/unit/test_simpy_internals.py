"""The SimPy internals the engine relies on (simulation/core/simpy_internals.py) still behave as it assumes.

If one of these fails after a SimPy upgrade, the engine's arrivals, day-0 snapshot or client
processes may silently change: fix simpy_internals.py (or pin SimPy) before anything else.
"""
from __future__ import annotations

import gc
import itertools
import re
from pathlib import Path

import simpy

from simulation.core.simpy_internals import NORMAL, URGENT, Arrival, At, Environment, StartedProcess, schedule_at

ROOT = Path(__file__).resolve().parents[2]


def test_the_private_attributes_exist():
    env = simpy.Environment()
    assert isinstance(env._queue, list)
    assert isinstance(env._eid, itertools.count)
    assert hasattr(env, "_active_proc")
    event = env.event()
    assert event.callbacks == [] and event._value is simpy.events.PENDING
    event.succeed(7)
    assert (event._ok, event._value) == (True, 7)
    env.step()
    assert event.callbacks is None   # processed: how StartedProcess tells a fired event from a pending one
    assert callable(simpy.events.Process._resume)
    process = env.process(x for x in ())
    for name in ("_generator", "_target"):
        assert hasattr(process, name), name
    assert (NORMAL, URGENT) == (1, 0)


def test_the_installed_simpy_is_within_the_pinned_range():
    pin = re.search(r'"simpy>=([\d.]+),<([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin, "pyproject.toml must bound simpy from above"
    version = tuple(int(x) for x in simpy.__version__.split(".")[:3])
    low, high = (tuple(int(x) for x in v.split(".")) for v in pin.groups())
    assert low <= version < high


def test_schedule_at_fires_at_exactly_its_time_in_order_with_timeouts():
    env = simpy.Environment(initial_time=0.1)
    time = 0.1 + 0.2 + 1e-9 * 3   # a time that now + (time - now) need not reproduce
    fired = []
    before = env.timeout(time - env.now)
    before.callbacks.append(lambda e: fired.append(("timeout before", env.now)))
    schedule_at(env, time, Arrival(env, lambda e: fired.append(("arrival", env.now))))
    after = env.timeout(time - env.now)
    after.callbacks.append(lambda e: fired.append(("timeout after", env.now)))
    env.run()
    assert [name for name, _ in fired] == ["timeout before", "arrival", "timeout after"]
    assert fired[1][1] == time   # exactly, bit for bit


def test_at_fires_urgent_before_normal_events_of_the_same_time():
    env = simpy.Environment()
    fired = []
    env.timeout(5).callbacks.append(lambda e: fired.append("normal"))
    At(env, 5, URGENT).callbacks.append(lambda e: fired.append("urgent"))
    env.run()
    assert fired == ["urgent", "normal"]


def _life(env, name, trace, other=None):
    trace.append((name, "start", env.now, env.active_process is not None))
    yield env.timeout(2)
    trace.append((name, "after timeout", env.now, env.active_process is not None))
    if other is not None:
        value = yield other   # already processed when the other one is faster: continue at once
        trace.append((name, f"other gave {value}", env.now, True))
    yield env.timeout(1)
    trace.append((name, "end", env.now, True))


def test_started_processes_resume_like_simpy_processes():
    def run(start):
        env = simpy.Environment()
        trace = []
        done = env.timeout(1, value="done")
        env.run(until=0.5)
        start(env, _life(env, "a", trace, done))
        start(env, _life(env, "b", trace))
        env.run()
        return trace, env.active_process

    started_trace, active_after = run(StartedProcess)
    simpy_trace, _ = run(lambda env, gen: env.process(gen))
    assert started_trace == simpy_trace
    assert active_after is None
    assert [row[:2] for row in started_trace[:2]] == [("a", "start"), ("b", "start")]


def test_a_started_process_starts_at_once_and_an_exception_propagates():
    env = simpy.Environment()
    trace = []
    StartedProcess(env, _life(env, "now", trace))
    assert trace == [("now", "start", 0, True)]   # before env.run: inside the caller's callback

    def broken():
        yield env.timeout(1)
        raise RuntimeError("boom")

    StartedProcess(env, broken())
    try:
        env.run()
    except RuntimeError as error:
        assert str(error) == "boom"
    else:
        raise AssertionError("the exception must reach env.run")


def _sleeper(env, name, trace, delays, by_timeout):
    for delay in delays:
        yield env.timeout(delay) if by_timeout else delay
        trace.append((name, env.now))


def test_a_yielded_delay_makes_the_heap_entry_a_timeout_makes():
    def run(by_timeout):
        env = simpy.Environment()
        trace = []
        StartedProcess(env, _sleeper(env, "a", trace, [0.1, 0.2, 0.3], by_timeout))
        StartedProcess(env, _sleeper(env, "b", trace, [0.3, 0.0, 0.3], by_timeout))
        entries = [entry[:3] for entry in env._queue]
        while env._queue:
            env.step()   # simpy's own step runs a sleeping process like any triggered event
        return trace, entries, next(env._eid)

    assert run(by_timeout=False) == run(by_timeout=True)


def test_chain_process_turns_delays_into_timeouts_for_those_who_wait():
    env = Environment()
    trace = []
    chain = env.chain_process(_sleeper(env, "chain", trace, [1.5, 0.5], by_timeout=False))

    def waiter():
        value = yield chain
        trace.append(("waiter", env.now, value))

    StartedProcess(env, waiter())
    env.run_until(10.0)
    assert trace == [("chain", 1.5), ("chain", 2.0), ("waiter", 2.0, None)]


def test_a_dropped_sleeping_process_is_freed_without_the_cyclic_collector():
    env = simpy.Environment()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        StartedProcess(env, _sleeper(env, "x", [], [1.0, 1.0], by_timeout=False))
        env._queue.clear()
        assert gc.collect() == 0   # nothing unreachable: the process was freed by reference counting
    finally:
        if enabled:
            gc.enable()
