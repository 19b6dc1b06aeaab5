"""Open house (Meierij, 003 par. 6): every provider meeting the requirements may enter, at
admission rounds every half year, without a volume, ceiling or turnover guarantee.

A provider's ``entry_date`` (config.scenario.Provider) gives it choice weight 0 before that date,
so each admission round's entrants are a provider of their own that takes clients from the
round's date on. ``round_weight`` is the choice weight that gives a round's entrants
``share_per_round`` of the new clients against incumbents whose weights add up to 1 (with k
rounds in, the entrants together take k w / (1 + k w), about k x the share for small shares).
``entrant_share`` is the time-averaged share of new clients at the entrants (k x the share from
the k-th round on, at most 1), e.g. to size a budget that does not vary within the year.
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


def round_weight(share_per_round: float) -> float:
    """Choice weight of one round's entrants beside incumbents of total weight 1: w / (1 + w) = share."""
    if not 0 <= share_per_round < 1:
        raise ValueError("round_weight needs 0 <= share_per_round < 1")
    return share_per_round / (1 - share_per_round)
