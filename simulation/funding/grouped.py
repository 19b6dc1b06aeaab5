"""Group sums on integer keys with one flat group code: the bits of ``frame.groupby(keys).sum()`` at less cost.

pandas sums each group in row order (compensated); a groupby on one integer code whose order is the
keys' lexicographic order sums the same rows in the same order, so the result is bit-identical while
skipping the MultiIndex of a groupby on several columns.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd


def sum_by(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """``frame.groupby(keys, as_index=False)[values].sum()`` for integer key columns."""
    if not len(frame):
        return frame.groupby(keys, as_index=False)[values].sum()
    columns = [frame[key].to_numpy() for key in keys]
    code, spans = np.zeros(len(frame), np.int64), []
    for col in columns:   # mixed radix: code order = lexicographic key order
        lo = int(col.min())
        span = int(col.max()) - lo + 1
        code = code * span + (col.astype(np.int64) - lo)
        spans.append((lo, span))
    sums = frame[values].groupby(code).sum()
    group, out = sums.index.to_numpy(), {}
    for key, col, (lo, span) in reversed(list(zip(keys, columns, spans))):
        out[key] = (group % span + lo).astype(col.dtype)
        group = group // span
    return pd.DataFrame({**{key: out[key] for key in keys}, **{v: sums[v].to_numpy() for v in values}})
