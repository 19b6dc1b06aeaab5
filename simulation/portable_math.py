"""exp, log, expm1, log1p and power over numpy arrays with the same bits on every CPU.

numpy runs these functions on float64 arrays through AVX-512 kernels where the CPU has them, and
through the C library (libm) elsewhere. The two differ in the last bit for a few percent of inputs
(measured 2026-12-02: 9,304 of 200,000 values of ``np.exp``), and a last bit moves an event time,
so one seed gave one event log on an AVX-512 machine and another elsewhere: the golden outputs,
recorded without AVX-512, failed on a machine with it. These functions call the C library element
by element through :mod:`math`, which is what numpy does without AVX-512, so results do not
depend on the machine. They are about two to three times slower than numpy's kernels; use them where the
result feeds the simulation or a stored table, not in plotting code.

>>> import numpy as np
>>> exp(np.array([0.0, 1.0, 1000.0])).tolist()
[1.0, 2.718281828459045, inf]
>>> log(np.array([1.0, 0.0, -1.0])).tolist()
[0.0, -inf, nan]
>>> float(power(4.0, 0.5))
2.0
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from simulation._lazy import numexpr

__all__ = ["exp", "expm1", "log", "log1p", "log_factorials", "power"]

_compiled: dict[str, object] = {}


def _evaluate(expression: str, values: dict) -> np.ndarray:
    """``numexpr.evaluate`` of float64 operands, through the compiled expression itself: the same
    program and bits, without evaluate's parsing and checks per call (about 7 us of 8 on the small
    arrays of the steady state, which makes thousands of calls)."""
    compiled = _compiled.get(expression)
    if compiled is None:   # on first use: importing numexpr at ``import simulation`` would slow the start
        numexpr.set_num_threads(1)
        compiled = _compiled[expression] = numexpr.NumExpr(expression, [(name, np.float64) for name in values])
    return compiled(*values.values())


def _unary(name: str):
    expression = f"{name}(x)"

    def apply(x):
        """numpy-like NAME of float64 values through the C library, the same on every CPU."""
        x = np.asarray(x, dtype=np.float64)
        result = _evaluate(expression, {"x": x})
        return result if result.ndim else np.float64(result)

    apply.__name__ = name
    apply.__doc__ = apply.__doc__.replace("NAME", name)
    return apply


def power(x, y):
    """numpy-like power of float64 values through the C library's pow, the same on every CPU.

    Both operands are passed as arrays so that numexpr does not rewrite a constant exponent
    (``x**0.5`` as ``sqrt(x)``, ``x**2`` as ``x*x``): pow itself, as numpy without AVX-512.
    """
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    result = _evaluate("x ** y", {"x": np.array(x), "y": np.array(y)})
    return result if result.ndim else np.float64(result)


exp = _unary("exp")
expm1 = _unary("expm1")
log = _unary("log")
log1p = _unary("log1p")


@lru_cache(maxsize=64)
def log_factorials(c: int) -> np.ndarray:
    """log k! for k = 0..c: ``math.lgamma(k + 1)`` (the C library), once per ``c`` in a process. Read only."""
    values = np.array([math.lgamma(k + 1) for k in range(c + 1)])
    values.flags.writeable = False
    return values
