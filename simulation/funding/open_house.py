"""Open house (Meierij, 003 par. 6): every provider meeting the requirements may enter, at
admission rounds every half year, without a volume, ceiling or turnover guarantee.

The model's provider landscape is fixed over a run (client choice weights do not change with
time), so the entrants are one representative provider whose choice weight is the share of
new clients the entrants take on average over the horizon: from each admission round on, the
providers admitted in it take ``share_per_round`` of the new clients (cumulated over the rounds,
at most 1). ``entrant_share`` computes that time average; a scenario writes it as the entrants'
weight and says so.
"""
from __future__ import annotations

import datetime as dt


def admission_rounds(start: dt.date, end: dt.date) -> list[dt.date]:
    """The half-yearly admission dates (1 January, 1 July) after ``start`` and before ``end``; the
    contracting at ``start`` itself is the first market, not an entry."""
    out, year = [], start.year
    while dt.date(year, 1, 1) < end:
        out += [d for d in (dt.date(year, 1, 1), dt.date(year, 7, 1)) if start < d < end]
        year += 1
    return out


def entrant_share(start: dt.date, end: dt.date, share_per_round: float) -> float:
    """Time-averaged share of new clients at the providers that entered after ``start``."""
    if not 0 <= share_per_round <= 1 or not start < end:
        raise ValueError("entrant_share needs 0 <= share_per_round <= 1 and start < end")
    bounds = [start, *admission_rounds(start, end), end]
    total = sum(min(1.0, k * share_per_round) * (b - a).days for k, (a, b) in enumerate(zip(bounds, bounds[1:])))
    return total / (end - start).days
