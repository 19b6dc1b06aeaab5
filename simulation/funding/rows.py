"""Building payment tables: the row frames every payment rule and add-on shares."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

from simulation.core.calendar import Calendar
from simulation.funding.grouped import sum_by
from simulation.funding.variant import variants

PAYMENT_COLUMNS = ["replication", "contract", "municipality", "provider", "segment", "variant", "mode",
                   "year", "month", "kind", "amount"]
PLEK_COLUMNS = ["replication", "contract", "year", "plekken", "bought", "occupied", "empty", "doorlooptijd_gem",
                "clienten_equivalent"]
FINAL_COLUMNS = ["replication", "contract", "year", "final"]
KINDS = ("advance", "invoice", "settlement", "payback", "bonus")


def payment_frame(i: int, contract, mode: str, reps, k, amount, kind: str, cal: Calendar,
                  municipality: Optional[str] = None) -> pd.DataFrame:
    """Payment rows for month indices ``k`` (per replication ``reps``), coded: ``label_payments`` adds the
    names. ``municipality``: one the (regional) contract covers, else the contract's own."""
    k = np.asarray(k, dtype=int)
    where = -1 if municipality is None else list(contract.covered).index(municipality)
    return pd.DataFrame({"replication": reps, "contract": i, "where": where, "mode": variants().index(mode),
                         "year": cal.year[k], "month": cal.month[k], "kind": KINDS.index(kind),
                         "amount": np.asarray(amount, float)})


def label_payments(pay: pd.DataFrame, contracts) -> pd.DataFrame:
    """Coded payment rows (``payment_frame``) with their names, in PAYMENT_COLUMNS; built once for all rows
    (string columns per contract and phase cost more than the rules themselves)."""
    c, where = pay["contract"].to_numpy(), pay["where"].to_numpy()
    names = [[x.municipality, *x.covered] for x in contracts]
    offset = np.cumsum([0] + [len(n) for n in names])[:-1]
    flat = np.array([m for n in names for m in n] or [""], dtype=object)
    attr = {a: np.array([getattr(x, a) for x in contracts] or [""], dtype=object)
            for a in ("provider", "segment", "variant")}
    kind = pay["kind"].to_numpy()
    return pd.DataFrame({
        "replication": pay["replication"], "contract": pay["contract"],
        "municipality": pd.array(flat[offset[c] + where + 1] if len(c) else [], dtype="str"),
        **{a: pd.array(attr[a][c] if len(c) else [], dtype="str") for a in attr},
        "mode": pd.array(np.array(variants(), dtype=object)[pay["mode"].to_numpy()] if len(c) else [], dtype="str"),
        "year": pay["year"], "month": pay["month"],
        "kind": (pd.Categorical.from_codes(kind, categories=list(KINDS)) if len(kind)
                 else pd.array([], dtype="str")),
        "amount": pay["amount"]})


def per_rep(reps, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Cross join a per-year/month table with the replications (replication-major, as a cross merge)."""
    reps = np.asarray(reps)
    out = {"replication": np.repeat(reps, len(table))}
    out.update({c: np.tile(table[c].to_numpy(), len(reps)) for c in columns})
    return pd.DataFrame(out)


def finals_frame(i: int, reps, years: pd.DataFrame, amounts: pd.DataFrame) -> pd.DataFrame:
    """Final amounts per (replication, year) of contract ``i``: ``amounts`` (replication, year, amount), 0 where absent."""
    y = per_rep(reps, years, ["year"])
    found = dict(zip(zip(amounts["replication"].tolist(), amounts["year"].tolist()), amounts["amount"].tolist()))
    final = np.asarray([found.get(key, 0.0) for key in zip(y["replication"].tolist(), y["year"].tolist())], float)
    final[np.isnan(final)] = 0.0   # as fillna after a left merge
    return pd.DataFrame({"replication": y["replication"], "contract": i, "year": y["year"],
                         "final": final})


def year_end_months(cal: Calendar, years) -> list[int]:
    """Month index of 31 December of each year (or of the horizon's last day)."""
    return [cal.month_index(min(cal.day(dt.date(int(yr), 12, 31)), cal.horizon - 1)) for yr in years]


def per_year(amounts: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Sum of ``amount`` per (replication, year) of month rows (replication, k, amount)."""
    return sum_by(amounts.assign(year=cal.year[amounts["k"].to_numpy()]), ["replication", "year"], ["amount"])
