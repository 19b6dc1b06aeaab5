"""Random streams: one numpy SeedSequence per run, one stream per purpose.

Streams are keyed by names, not positions, so a stream for (Venlo, S4) is the
same whatever else a scenario contains. That is what makes common random
numbers work between scenarios that differ in funding, plekken or even in the
set of segments simulated.
"""
from __future__ import annotations

import zlib

import numpy as np

PURPOSES = {"instroom": 1, "client": 2, "beginstand": 3, "fallback": 4}


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def seed_sequence(seed: int, replication: int, purpose: str, *names: str) -> np.random.SeedSequence:
    """The SeedSequence of one purpose in one replication, e.g. ('client', 'Venlo', 'S4')."""
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.SeedSequence(
        entropy=seed, spawn_key=(replication, PURPOSES[purpose], *(_key(n) for n in names)))


def generator(seed: int, replication: int, purpose: str, *names: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, replication, purpose, *names)))
