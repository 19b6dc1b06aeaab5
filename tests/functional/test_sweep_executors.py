"""The same sweep gives identical results sequentially, in local processes and on a Dask LocalCluster."""
import pandas as pd
import pytest

from simulation.experiment import store
from simulation.experiment.sweep import run_sweep
from scenarios import sweep_dict


def test_identical_results_on_every_executor(tmp_path):
    pytest.importorskip("distributed")
    from simulation.experiment.executors import DaskExecutor

    spec = sweep_dict(replications=3)
    results = {"sequential": run_sweep(spec, out=tmp_path / "seq", executor="sequential", progress=False),
               "processes": run_sweep(spec, out=tmp_path / "proc", executor="processes", workers=2,
                                      progress=False)}
    with DaskExecutor(workers=2) as dask:   # LocalCluster: 2 worker processes, 1 thread each
        assert dask.workers == 2
        results["dask"] = run_sweep(spec, out=tmp_path / "dask", executor=dask, progress=False)
        # results sent back to this process and written here (for clusters without a shared disk)
        results["dask-client"] = run_sweep(spec, out=tmp_path / "dask-client", executor=dask,
                                           write_on="client", progress=False)
    assert all(r.ok and r.done == 6 for r in results.values())
    ref = results["sequential"]
    for name, r in results.items():
        for level in ("groep", "totaal"):
            pd.testing.assert_frame_equal(r.kpis(level), ref.kpis(level), obj=f"{name} {level}")
        pd.testing.assert_frame_equal(r.summary, ref.summary, obj=name)
        pd.testing.assert_frame_equal(store.load_events(r.out, "trajecten", 2),
                                      store.load_events(ref.out, "trajecten", 2), obj=name)
    hosts = store.load_runs(tmp_path / "dask")
    assert len(hosts) == 6 and hosts["peak_rss_mb"].gt(0).all()
