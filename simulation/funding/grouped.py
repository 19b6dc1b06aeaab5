"""Group sums on integer keys with one flat group code: the bits of ``frame.groupby(keys).sum()`` at less cost.

pandas sums each group in row order (compensated); a groupby on one integer code whose order is the
keys' lexicographic order sums the same rows in the same order, so the result is bit-identical while
skipping the MultiIndex of a groupby on several columns.

pandas 3 sums (and averages) by ``np.add.reduceat`` instead when the group ids of the whole table are
sorted and its values hold no NaN: so the bits of a group can depend on the rest of the table.
``sum_by_part`` sums parts of one table (a batch's phases) as each part's own table would be summed.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd


def _code(frame: pd.DataFrame, keys: list[str]):
    columns = [frame[key].to_numpy() for key in keys]
    code, spans = np.zeros(len(frame), np.int64), []
    for col in columns:   # mixed radix: code order = lexicographic key order
        lo = int(col.min())
        span = int(col.max()) - lo + 1
        code = code * span + (col.astype(np.int64) - lo)
        spans.append((lo, span))
    return code, columns, spans


def sum_by(frame: pd.DataFrame, keys: list[str], values: list[str], how: str = "sum") -> pd.DataFrame:
    """``frame.groupby(keys, as_index=False)[values].sum()`` (or ``.mean()``, ``how``) for integer key columns."""
    if not len(frame):
        return getattr(frame.groupby(keys, as_index=False)[values], how)()
    code, columns, spans = _code(frame, keys)
    sums = getattr(frame[values].groupby(code), how)()
    group, out = sums.index.to_numpy(), {}
    for key, col, (lo, span) in reversed(list(zip(keys, columns, spans))):
        out[key] = (group % span + lo).astype(col.dtype)
        group = group // span
    return pd.DataFrame({**{key: out[key] for key in keys}, **{v: sums[v].to_numpy() for v in values}})


def sum_by_part(frame: pd.DataFrame, keys: list[str], values: list[str], how: str = "sum") -> pd.DataFrame:
    """``sum_by`` where ``keys[0]`` numbers parts of the table (contiguous, ascending, >= 0) that would each have
    been summed alone: the parts whose own table pandas would sum by reduceat (sorted group ids, no NaN) are
    summed together (then still so), the others together (by compensated sums), so every part gets its bits."""
    if not len(frame):
        return sum_by(frame, keys, values, how)
    code = _code(frame, keys)[0]
    part = frame[keys[0]].to_numpy().astype(np.int64)
    other = np.zeros(int(part.max()) + 1, bool)
    down = np.flatnonzero(code[1:] < code[:-1])
    other[part[down + 1][part[down] == part[down + 1]]] = True       # a part whose group ids are not sorted
    other[part[np.isnan(frame[values].to_numpy(float)).any(axis=1)]] = True   # a part with a NaN
    rows = other[part]
    if not rows.any() or rows.all():
        return sum_by(frame, keys, values, how)
    out = pd.concat([sum_by(frame[~rows], keys, values, how), sum_by(frame[rows], keys, values, how)],
                    ignore_index=True)
    return out.take(np.argsort(out[keys[0]].to_numpy(), kind="stable")).reset_index(drop=True)
