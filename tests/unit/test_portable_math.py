"""simulation.portable_math: the C library's results on every CPU, and a run that does not depend on
the CPU's vector instructions (numpy's AVX-512 kernels differ from the C library in the last bit)."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

from simulation import portable_math as pm

ROOT = Path(__file__).resolve().parents[2]
EDGES = [0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, 710.0, -750.0, math.inf, -math.inf, math.nan]


def _same(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.mark.parametrize("name", ["exp", "expm1", "log", "log1p"])
def test_each_function_is_the_c_librarys_value_by_value(name):
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 5, 5000), rng.random(5000), EDGES])
    reference = []
    for v in x.tolist():
        try:
            reference.append(getattr(math, name)(v))
        except OverflowError:
            reference.append(math.inf)
        except ValueError:   # log of 0 or of a negative number: numpy's -inf and nan
            edge = 0.0 if name == "log" else -1.0
            reference.append(-math.inf if v == edge else math.nan)
    got = getattr(pm, name)(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert _same(got, reference)


def test_power_and_scalars():
    base = np.array([4.0, 0.0, -8.0, 1.5, 10.0])
    assert _same(pm.power(base, 0.5), [2.0, 0.0, math.nan, math.sqrt(1.5), math.sqrt(10.0)])
    assert _same(pm.power(0.0, -1.0), math.inf) and _same(pm.power(10.0, 400.0), math.inf)
    assert isinstance(pm.exp(1.0), np.float64) and pm.exp(1.0) == math.e


_AVX512 = [k for k in __cpu_dispatch__ if (k.startswith("AVX512") or k == "X86_V4") and __cpu_features__.get(k)]
_RUN = """
import json, sys
sys.path.insert(0, "tests/golden")
import cases
raw, reps = cases.scenario_cases()["noord-limburg"]
out = cases.outputs("noord-limburg", raw, reps, 1)
hashes = {k: v for k, v in out.items() if isinstance(v, (str, int))}
hashes.update({name: cases.frame_hash(cases.plain(t)) for name, t in out["tables"].items()})
print(json.dumps(hashes))
"""


@pytest.mark.skipif(not _AVX512, reason="this CPU has no AVX-512 kernels in numpy: nothing to switch off")
def test_the_default_scenario_gives_the_same_log_with_numpys_avx512_kernels_switched_off():
    def run(disable: list[str]) -> dict:
        env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(disable))
        done = subprocess.run([sys.executable, "-c", _RUN], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    with_avx512, without = run([]), run(_AVX512)
    assert with_avx512["events_canonical_sha256"] == without["events_canonical_sha256"]
    assert with_avx512 == without
