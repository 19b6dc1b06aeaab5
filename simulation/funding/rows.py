"""Building payment tables: the row frames every payment rule and add-on shares."""
from __future__ import annotations

import datetime as dt

import numpy as np
from simulation._lazy import pandas as pd

from simulation.core.calendar import Calendar

PAYMENT_COLUMNS = ["replication", "contract", "municipality", "provider", "segment", "variant", "mode",
                   "year", "month", "kind", "amount"]
PLEK_COLUMNS = ["replication", "contract", "year", "plekken", "bought", "occupied", "empty", "doorlooptijd_gem",
                "clienten_equivalent"]
FINAL_COLUMNS = ["replication", "contract", "year", "final"]
KINDS = ("advance", "invoice", "settlement", "payback", "bonus")


def payment_frame(i: int, contract, mode: str, reps, k, amount, kind: str, cal: Calendar) -> pd.DataFrame:
    """Payment rows for month indices ``k`` (per replication ``reps``)."""
    k = np.asarray(k, dtype=int)
    return pd.DataFrame({"replication": reps, "contract": i, "municipality": contract.municipality,
                         "provider": contract.provider, "segment": contract.segment, "variant": contract.variant,
                         "mode": mode, "year": cal.year[k], "month": cal.month[k], "kind": kind,
                         "amount": np.asarray(amount, float)})


def per_rep(reps, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Cross join a per-year/month table with the replications."""
    return pd.DataFrame({"replication": reps}).merge(table[columns], how="cross")


def finals_frame(i: int, reps, years: pd.DataFrame, amounts: pd.DataFrame) -> pd.DataFrame:
    """Final amounts per (replication, year) of contract ``i``: ``amounts`` (replication, year, amount), 0 where absent."""
    y = per_rep(reps, years, ["year"]).merge(amounts, on=["replication", "year"], how="left")
    return pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                         "final": y["amount"].fillna(0.0)})


def year_end_months(cal: Calendar, years) -> list[int]:
    """Month index of 31 December of each year (or of the horizon's last day)."""
    return [cal.month_index(min(cal.day(dt.date(int(yr), 12, 31)), cal.horizon - 1)) for yr in years]


def per_year(amounts: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Sum of ``amount`` per (replication, year) of month rows (replication, k, amount)."""
    return amounts.assign(year=cal.year[amounts["k"].to_numpy()]).groupby(
        ["replication", "year"], as_index=False)["amount"].sum()
