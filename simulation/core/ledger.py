"""What a replication's clients leave behind, shared by the engine, the cohort and the private clocks."""
from __future__ import annotations

from array import array


class Ledger:
    """The event log rows and the run's counts.

    ``rows``: 10 floats per event (events.COLUMNS) in one flat array, no Python object per row;
    ``log`` appends one row. ``left``: clients who left on or after day 0, [voorliggend veld for
    good, uitval]. ``n_trajecten``: trajecten simulated (warm-up included).
    """

    __slots__ = ("rows", "log", "left", "n_trajecten")

    def __init__(self):
        self.rows = array("d")
        self.log = self.rows.extend
        self.left = [0, 0]
        self.n_trajecten = 0
