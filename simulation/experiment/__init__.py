"""Running scenarios: replications, variant comparisons, sweeps, executors, the results store."""
from simulation.experiment.runner import SimulationResult, run_replication, simulate

__all__ = ["SimulationResult", "run_replication", "simulate"]
