"""Regenerate the small synthetic records dataset used by the tests.

    cd <repo> && python tests/data/make_records.py

Writes tests/data/records_2022.csv and tests/data/records_2022.parquet: one replication
(seed 7) of tests/data/records_scenario.yaml exported as realised records for the 2022
learning year. The output is fully determined by the scenario and the seed.
"""
from __future__ import annotations

from pathlib import Path

from simulation import simulate
from simulation.data.records import export_records

HERE = Path(__file__).resolve().parent
SEED = 7
PERIOD = ("2022-01-01", "2022-12-31")


def main() -> None:
    result = simulate(HERE / "records_scenario.yaml", seed=SEED)
    for suffix in (".csv", ".parquet"):
        records = export_records(result.events, result.scenario, HERE / f"records_2022{suffix}", study_period=PERIOD)
    print(f"{len(records)} records, {int(records['einddatum'].isna().sum())} open at the period end")


if __name__ == "__main__":
    main()
