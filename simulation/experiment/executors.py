"""Where runs execute: in this process, in a pool of local processes, or on a Dask cluster.

Every executor has two methods. ``map_unordered(fn, tasks)`` yields
``(task, result, error)`` as runs finish, in any order (sweeps): ``fn`` is a top-level
function (importable on the workers) that should catch its own exceptions;
``error`` is only set when the machinery itself failed (a worker process died,
a task could not be sent). ``map(fn, tasks)`` yields the results in the order of
the tasks and raises the first exception (``simulate``). Results never depend on
the executor: each run carries its own seed and replication index.
"""
from __future__ import annotations

import os
import traceback
import concurrent.futures   # its ProcessPoolExecutor is imported on first use
from typing import Any, Callable, Iterable, Iterator, Optional

EXECUTORS = ("sequential", "processes", "dask")


class ExecutorError(RuntimeError):
    pass


class SequentialExecutor:
    name = "sequential"

    def __init__(self):
        self.workers = 1

    def map_unordered(self, fn: Callable, tasks: Iterable) -> Iterator[tuple[Any, Any, Optional[str]]]:
        for task in tasks:
            try:
                yield task, fn(task), None
            except Exception:  # noqa: BLE001 - reported, the sweep goes on
                yield task, None, traceback.format_exc()

    def map(self, fn: Callable, tasks: Iterable) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def describe(self) -> str:
        return "sequential (this process)"


class ProcessExecutor(SequentialExecutor):
    """A pool of local worker processes; ``workers=None`` uses every core."""

    name = "processes"

    def __init__(self, workers: Optional[int] = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.workers)

    def map_unordered(self, fn, tasks):
        futures = {self._pool.submit(fn, task): task for task in tasks}
        for future in concurrent.futures.as_completed(futures):
            task = futures[future]
            exc = future.exception()
            if exc is None:
                yield task, future.result(), None
            else:
                yield task, None, "".join(traceback.format_exception(exc))

    def map(self, fn, tasks):
        yield from self._pool.map(fn, tasks)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"processes ({self.workers} workers)"


class DaskExecutor(SequentialExecutor):
    """A ``dask.distributed`` client: at ``scheduler`` (e.g. tcp://host:8786) or on a new LocalCluster.

    A LocalCluster gets ``workers`` worker processes (default: every core) of one
    thread each, because a run is pure Python and holds the GIL.
    """

    name = "dask"

    def __init__(self, scheduler: Optional[str] = None, workers: Optional[int] = None):
        try:   # dask is optional (pip install 'simulation[dask]'): imported only when this executor is made
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("de dask-executor vraagt dask.distributed: pip install 'simulation[dask]'") from None
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
        else:
            n = workers or os.cpu_count() or 1
            # - the workers' statistical profiler samples every thread's stack many times a second;
            #   it serves the dashboard (off here) and costs the CPU-bound runs about a fifth;
            # - dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
            #   threshold: every array of more than 128 kB is then a fresh mmap with page faults.
            #   The cohort and the KPIs make many such arrays; runs took 10-35% more CPU (measured
            #   interleaved against a process pool), and at parity without it
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
            self._client = Client(self._cluster)
        self.scheduler = scheduler
        self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                  self._client.scheduler_info().get("workers", {}).values()))

    def map_unordered(self, fn, tasks):
        from distributed import as_completed as dask_completed   # optional dependency, see __init__

        tasks = list(tasks)
        futures = [self._client.submit(fn, task, pure=False) for task in tasks]
        by_key = {f.key: t for f, t in zip(futures, tasks)}
        for future in dask_completed(futures):
            task = by_key[future.key]
            if future.status == "finished":
                yield task, future.result(), None
            else:
                exc = future.exception()
                tb = future.traceback()
                text = "".join(traceback.format_exception(type(exc), exc, tb)) if exc else f"task {future.status}"
                yield task, None, text
            future.release()

    def map(self, fn, tasks):
        for future in self._client.map(fn, list(tasks), pure=False):
            yield future.result()
            future.release()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        where = self.scheduler or "LocalCluster"
        return f"dask ({where}, {self.workers} worker threads)"


def make_executor(name: str = "processes", workers: Optional[int] = None, scheduler: Optional[str] = None):
    """The executor called ``name`` (one of EXECUTORS)."""
    if name == "sequential":
        return SequentialExecutor()
    if name == "processes":
        return ProcessExecutor(workers)
    if name == "dask":
        return DaskExecutor(scheduler, workers)
    raise ExecutorError(f"onbekende executor {name!r}; kies uit {', '.join(EXECUTORS)}")
