"""Synthetic sizes: a region's municipalities replicated ``copies`` times (labelled synthetic).

Copy 0 keeps the region's names; copy k >= 1 names every municipality ``"<name> #k"`` and every
regional contract's region ``"<region> #k"``. Each copy gets the region's instroom per municipality
(a regional figure is first split by the region's own population, as the model splits it), its
plekken and its contracts; the providers are shared and serve every copy of the municipalities they
served. Streams are keyed by name, so the copies draw independent clients; nothing ties one copy to
another, so each copy is a shard of its own (or more: ``partition``). Used for the national size
(x65: 7 x 65 = 455 municipalities, about 18 million inhabitants, near the Netherlands' 342
municipalities and 17.9 million; benchmarks/bench_sizes.py).
"""
from __future__ import annotations

import copy


def copy_name(name: str, k: int) -> str:
    return name if k == 0 else f"{name} #{k}"


def replicate(raw: dict, copies: int) -> dict:
    """The scenario dict (as ``Scenario.model_dump(mode="json")``) with its municipalities ``copies`` times."""
    if copies < 1:
        raise ValueError(f"copies must be >= 1, got {copies}")
    raw = copy.deepcopy(raw)
    muns = list(raw["municipalities"])
    total = sum(raw["municipalities"][m]["population"] for m in muns)
    out = dict(raw, name=f"{raw['name']}-synthetisch-x{copies}",
               description=f"SYNTHETISCH: {copies} kopieën van de gemeenten van {raw['name']} (benchmarks). "
                           + raw.get("description", ""))
    out["municipalities"] = {copy_name(m, k): raw["municipalities"][m] for k in range(copies) for m in muns}
    for seg in out["segments"].values():
        per_year = seg["instroom"]["per_year"]
        rate = ({m: float(per_year.get(m, 0.0)) for m in muns} if isinstance(per_year, dict)
                else {m: per_year * raw["municipalities"][m]["population"] / total for m in muns})
        seg["instroom"]["per_year"] = {copy_name(m, k): rate[m] for k in range(copies) for m in muns}
    for p in out["providers"].values():
        if p.get("municipalities") is not None:
            p["municipalities"] = [copy_name(m, k) for k in range(copies) for m in p["municipalities"]]
        if p.get("plekken"):
            p["plekken"] = {copy_name(m, k): v for k in range(copies) for m, v in p["plekken"].items()}
    if out.get("funding") and out["funding"].get("contracts"):
        contracts = []
        for k in range(copies):
            for c in raw["funding"]["contracts"]:
                c = copy.deepcopy(c)
                covered = c.get("municipalities")
                if covered is not None:   # a regional contract: the copy's region
                    c["municipalities"] = [copy_name(m, k) for m in (muns if covered == "all" else covered)]
                c["municipality"] = copy_name(c["municipality"], k)
                contracts.append(c)
        out["funding"] = dict(out["funding"], contracts=contracts)
    return out
