"""Record the golden outputs: ``python tests/golden/record.py`` (only in a commit that says why)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases  # noqa: E402


def main() -> int:
    (cases.GOLDEN / "tables").mkdir(exist_ok=True)
    index = {}
    for name, (raw, reps) in cases.scenario_cases().items():
        for seed in cases.SEEDS:
            out = cases.outputs(name, raw, reps, seed)
            for table, frame in out.pop("tables").items():
                cases.plain(frame).to_parquet(cases.table_path(name, seed, table), index=False)
            index[f"{name}.seed{seed}"] = {"replications": reps, **out}
            print(name, seed, out["events_rows"], flush=True)
    for name, (raw, variants, reps) in cases.compare_cases().items():
        for seed in cases.SEEDS:
            out = cases.compare_outputs(raw, variants, reps, seed)
            for table, frame in out.pop("tables").items():
                cases.plain(frame).to_parquet(cases.table_path(name, seed, table), index=False)
            index[f"{name}.seed{seed}"] = {"replications": reps}
            print(name, seed, flush=True)
    (cases.GOLDEN / "golden.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
