"""The lump-sum start budget (lumpsum startbudget) derived in the steps of the Achterhoek note.

Note 000 par. 3.3 derives the total start budget of a segment before it is put on the market as
lump sums, in steps (steps 1-2 define the segment and convert the old purchase to it; this module
starts where the steps become arithmetic):

- step 4: last period's spend on the segment (all providers) / the clients who used it = the
  uitgaven per cliënt (regional);
- step 3 and 5: per municipality the expected clients of the coming period: last period's clients
  times the development the municipality expects from its own policy (e.g. a POH-jeugd, a
  stronger voorliggend veld, a broader sociale basis), a factor per municipality;
- step 4 (first estimate) and 6: budget per municipality = expected clients x uitgaven per cliënt;
  the regional total is the sum of the municipalities' estimates;
- step 7: indexation (a), efficiency gains of the providers (b) and chain agreements (c, ketenzorg:
  less unnecessarily heavy care, or less stacking) as explicit factors on every municipality's
  budget: x (1 + indexering) x (1 - efficiency) x (1 + ketenafspraken).

The lump sum goes to each organisation separately (000 par. 3.2: a lumpsumbedrag per organisatie;
each municipality pays for its own inhabitants): ``per_provider`` splits every municipality's
budget over the providers by their expected share of the clients.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from simulation._lazy import pandas as pd

STEPS = ("clienten_vorig", "uitgaven_per_client", "ontwikkeling", "clienten_verwacht", "eerste_raming",
         "indexering", "efficiency", "ketenafspraken", "startbudget")


@dataclass(frozen=True)
class StartBudgetInput:
    """What the steps of 000 par. 3.3 need for one segment.

    ``spend_previous``: EUR spent on the segment in the previous period, all providers together;
    ``clients_previous``: clients per municipality in that period (their sum is the divisor);
    ``development``: per municipality the expected change of its client count (0.05 = 5% more,
    -0.10 = 10% fewer), from local policy; a municipality without an entry expects no change;
    ``indexering``, ``efficiency``, ``ketenafspraken``: the step-7 shares (0.02 = 2%).
    """

    spend_previous: float
    clients_previous: Mapping[str, float]
    development: Mapping[str, float] = field(default_factory=dict)
    indexering: float = 0.0
    efficiency: float = 0.0
    ketenafspraken: float = 0.0

    def __post_init__(self):
        if not self.clients_previous or sum(self.clients_previous.values()) <= 0:
            raise ValueError("clients_previous must give at least one municipality with clients > 0")
        if self.spend_previous < 0:
            raise ValueError(f"spend_previous must be >= 0, got {self.spend_previous}")
        unknown = set(self.development) - set(self.clients_previous)
        if unknown:
            raise ValueError(f"development names municipalities without clients_previous: {sorted(unknown)}")
        if self.efficiency >= 1 or min(self.development.values(), default=0) <= -1:
            raise ValueError("efficiency must be < 1 and every development > -1")


def start_budget(inp: StartBudgetInput) -> pd.DataFrame:
    """One row per municipality and a row ``regio`` (the sum), a column per step (``STEPS``).

    The factor columns (ontwikkeling, indexering, efficiency, ketenafspraken) hold the factor
    applied in that step (1.05 for 5% more), so each amount column is the previous one times them.
    """
    per_client = inp.spend_previous / sum(inp.clients_previous.values())
    step7 = (1 + inp.indexering) * (1 - inp.efficiency) * (1 + inp.ketenafspraken)
    rows = []
    for m, clients in inp.clients_previous.items():
        development = 1 + inp.development.get(m, 0.0)
        expected = clients * development
        first = expected * per_client
        rows.append({"gemeente": m, "clienten_vorig": clients, "uitgaven_per_client": per_client,
                     "ontwikkeling": development, "clienten_verwacht": expected, "eerste_raming": first,
                     "indexering": 1 + inp.indexering, "efficiency": 1 - inp.efficiency,
                     "ketenafspraken": 1 + inp.ketenafspraken, "startbudget": first * step7})
    table = pd.DataFrame(rows)
    total = {"gemeente": "regio", "uitgaven_per_client": per_client, "indexering": 1 + inp.indexering,
             "efficiency": 1 - inp.efficiency, "ketenafspraken": 1 + inp.ketenafspraken}
    for col in ("clienten_vorig", "clienten_verwacht", "eerste_raming", "startbudget"):
        total[col] = table[col].sum()
    total["ontwikkeling"] = total["clienten_verwacht"] / total["clienten_vorig"]
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)[["gemeente", *STEPS]]


def per_provider(table: pd.DataFrame, shares: Mapping[str, float]) -> pd.DataFrame:
    """The lump sum per municipality x provider: each municipality's start budget split by the
    providers' expected shares of its clients (normalised to 1). Columns gemeente, aanbieder, lumpsum."""
    total = sum(shares.values())
    if not shares or total <= 0 or min(shares.values()) < 0:
        raise ValueError(f"shares must be >= 0 with a positive sum, got {dict(shares)}")
    rows = [{"gemeente": r.gemeente, "aanbieder": p, "lumpsum": r.startbudget * s / total}
            for r in table[table["gemeente"] != "regio"].itertuples() for p, s in shares.items() if s > 0]
    return pd.DataFrame(rows, columns=["gemeente", "aanbieder", "lumpsum"])


def indexed(amount: float, first_year: int, years: int, indexering: float) -> dict[int, float]:
    """A yearly schedule from ``first_year``: the amount indexed by ``indexering`` a year (step 7a
    during the contract period), rounded to cents."""
    return {first_year + k: round(amount * (1 + indexering) ** k, 2) for k in range(years)}
