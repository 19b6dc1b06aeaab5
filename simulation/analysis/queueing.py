"""Queueing theory for plekken: Erlang C for M/M/N, the benchmark of the plek-occupancy analysis.

>>> round(erlang_c(1, 0.5), 12)      # M/M/1: P(wait) = rho
0.5
>>> round(erlang_c(2, 1.0), 12)
0.333333333333
"""
from __future__ import annotations


def erlang_b(n: int, a: float) -> float:
    """Erlang B blocking probability by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n: int, a: float) -> float:
    """Probability of waiting in M/M/n with offered load a (0 <= a < n), from Erlang B (no factorials)."""
    if not 0 <= a < n:
        raise ValueError(f"M/M/n needs 0 <= a < n, got a={a}, n={n}")
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def erlang_wait(n: int, a: float, mean_service: float) -> float:
    """Mean wait W_q = C(n, a) E[S] / (n - a) in M/M/n, in the unit of ``mean_service``."""
    return erlang_c(n, a) * mean_service / (n - a)
