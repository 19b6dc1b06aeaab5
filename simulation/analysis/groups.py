"""Per-group reductions of the rows of several tables, vectorised with numpy.

A group is one combination of the replication and categorical key columns (municipality,
segment, provider); ``Groups`` numbers them, the functions reduce a column per group id.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

GROUP = ("municipality", "segment", "provider")


class Groups:
    """Integer group ids for rows of several tables over the same key columns.

    A group is one combination of replication and the categorical ``by`` columns; ids follow
    the sort order of (replication, category codes), which is the order of the KPI table.
    """

    def __init__(self, keys: list[str], tables: list[pd.DataFrame], categories: dict):
        self.keys, self.categories = keys, categories
        self.sizes = [None] + [len(categories[k]) + 1 for k in keys[1:]]   # +1: code -1 (missing) -> 0
        combined = [self._code(t) for t in tables]
        self.codes, inverse = np.unique(np.concatenate(combined), return_inverse=True)
        self.n = len(self.codes)
        cuts = np.cumsum([len(c) for c in combined])[:-1]
        self.ids = np.split(inverse.reshape(-1), cuts)

    def _code(self, table: pd.DataFrame) -> np.ndarray:
        code = table["replication"].to_numpy().astype(np.int64)
        for key, size in zip(self.keys[1:], self.sizes[1:]):
            cat = table[key]
            codes = (cat.cat.codes if isinstance(cat.dtype, pd.CategoricalDtype)
                     else pd.Categorical(cat, categories=self.categories[key]).codes)
            code = code * size + (np.asarray(codes, dtype=np.int64) + 1)
        return code

    def frame(self) -> pd.DataFrame:
        """The key columns of every group, in group-id order."""
        code, columns = self.codes.copy(), {}
        for key, size in zip(self.keys[:0:-1], self.sizes[:0:-1]):
            columns[key] = pd.Categorical.from_codes(code % size - 1, categories=self.categories[key])
            code //= size
        return pd.DataFrame({"replication": code} | dict(reversed(list(columns.items()))))


def count(gid: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per group: the number of rows where ``mask``."""
    return np.bincount(gid[mask], minlength=n)


def mean(gid: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per-group mean of the non-NaN ``values`` where ``mask``; NaN for a group without any."""
    mask = mask & ~np.isnan(values)
    count = np.bincount(gid[mask], minlength=n)
    total = np.bincount(gid[mask], weights=values[mask], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def quantile(gid: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int, q: float) -> np.ndarray:
    """Per-group quantile of the non-NaN ``values`` where ``mask`` (linear, as pandas; the median
    of an even count is the mean of the middle two, as pandas' median)."""
    mask = mask & ~np.isnan(values)
    g, v = gid[mask], values[mask]
    order = np.lexsort((v, g))
    g, v = g[order], v[order]
    count = np.bincount(g, minlength=n)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    out = np.full(n, np.nan)
    has = count > 0
    if q == 0.5:
        lo = first + (count - 1) // 2
        hi = first + count // 2
        out[has] = (v[lo[has]] + v[hi[has]]) / 2
        return out
    position = q * (count[has] - 1)
    step = position.astype(np.int64)
    lo = first[has] + step
    hi = np.minimum(lo + 1, first[has] + count[has] - 1)
    out[has] = v[lo] + (v[hi] - v[lo]) * (position - step)
    return out


def distinct(gid: np.ndarray, client: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per group: the number of different clients among the rows where ``mask``."""
    span = int(client.max(initial=0)) + 1
    pairs = np.unique(gid[mask].astype(np.int64) * span + client[mask])
    return np.bincount(pairs // span, minlength=n)


def codes(column: pd.Series, categories) -> np.ndarray:
    """The category codes of ``column`` in ``categories`` (-1 where missing)."""
    values = column.cat.codes if isinstance(column.dtype, pd.CategoricalDtype) else \
        pd.Categorical(column, categories=categories).codes
    return np.asarray(values, dtype=np.int64)
