"""What a replication's clients leave behind, shared by the engine, the cohort and the private clocks."""
from __future__ import annotations

import struct
from array import array

from simulation.core.events import COLUMNS

ROW = struct.Struct(f"{len(COLUMNS)}d")   # one event-log row: its floats' native bytes, as array("d") holds them


class Ledger:
    """The event log rows and the run's counts.

    ``rows``: 10 floats per event (events.COLUMNS) in one flat array, no Python object per row;
    ``log`` appends one row (a tuple). ``left``: clients who left on or after day 0, [voorliggend veld for
    good, uitval]. ``n_trajecten``: trajecten simulated (warm-up included).
    """

    __slots__ = ("rows", "log", "left", "n_trajecten")

    def __init__(self):
        self.rows = array("d")
        # packed by struct, then appended as bytes: the same floats, about half the time of
        # rows.extend(row), which converts item by item
        put, pack = self.rows.frombytes, ROW.pack
        self.log = lambda row: put(pack(*row))
        self.left = [0, 0]
        self.n_trajecten = 0
