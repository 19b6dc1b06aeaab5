"""Write the scenarios of the other regions of the documents: Achterhoek, Meierij, Zwolle/IJsselland.

    python params/derive_regions.py            # print the Achterhoek start-budget derivation
    python params/derive_regions.py --write    # write params/{achterhoek,meierij,zwolle}.yaml and the
                                               # behaviour overlay params/behaviour/achterhoek-weigering.yaml

The files are generated (do not edit them by hand; change this script and rerun it), so that every
number is computed from a document figure or from a labelled assumption in one place, and
tests/validation/test_region_scenarios.py fails while a file and this script disagree.

Sources: 000 and 002 (Achterhoek), 001 (Zwolle/IJsselland), 003 (Meierij), 004 (Noord-Limburg),
all in ../shared/seeds/. The documents of the three regions give no spend, population, doorlooptijd
or tariff figures: every such number is an assumption, most of them carried over from the
Noord-Limburg scenario (params/noord-limburg.yaml: its doorlooptijden and outcome shares, its
instroom per inhabitant, and the underlying rates per hour or etmaal that params/derive_funding.py
solves from the 2019 spend of 004 par. 6), and the comment on each line says so.
"""
from __future__ import annotations

import argparse
import copy
import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "params"))

from simulation.funding.startbudget import StartBudgetInput, indexed, per_provider, start_budget  # noqa: E402

NL_FILE = ROOT / "params" / "noord-limburg.yaml"
SEGMENTS_CSV = ROOT / "params" / "data" / "noord_limburg_2019_segments.csv"
NL = yaml.safe_load(NL_FILE.read_text(encoding="utf-8"))
NL_POPULATION = sum(m["population"] for m in NL["municipalities"].values())   # 274,733 (004 par. 9)
NL_SRC = "params/noord-limburg.yaml"


def nl_rates() -> dict[str, float]:
    """The underlying rate per unit of every Noord-Limburg segment, as params/derive_funding.py wrote it."""
    found = re.findall(r"^#\s+(\w+): EUR ([0-9.]+) per (uur|etmaal)", NL_FILE.read_text(encoding="utf-8"), re.M)
    return {s: float(r) for s, r, _ in found}


def nl_2019() -> dict[str, tuple[float, float]]:
    """(spend 2019, count 2019) per Noord-Limburg segment (004 par. 6)."""
    with open(SEGMENTS_CSV, newline="", encoding="utf-8") as f:
        return {r["segment"]: (float(r["cost_eur_2019"]), float(r["count_2019"])) for r in csv.DictReader(f)}


RATES = nl_rates()


# -- writing YAML lines with their comments ---------------------------------------------------------

def flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10**6, sort_keys=False, allow_unicode=True).strip()


def line(indent: int, key: str, value, comment: str) -> str:
    return f"{' ' * indent}{flow({key: value})[1:-1]}   # {comment}"


def header(text: str) -> list[str]:
    return [f"# {t}" if t else "#" for t in text.strip("\n").split("\n")]


def nl_segment(seg: str, indent: int, what: str, type_map: dict, types: dict | None = None) -> list[str]:
    """A segment's toegang, stacking, recidive and traject types as in Noord-Limburg's ``seg``."""
    src = NL["segments"][seg]
    why = f"assumption: as Noord-Limburg {seg} ({NL_SRC}); {what} give no figure"
    out = []
    for key in ("voorliggend_veld_share", "toegang_doorlooptijd", "stacking_probability", "max_wait_days", "recidive"):
        if key in src:
            out.append(line(indent, key, src[key], why))
    out.append(" " * indent + "traject_types:")
    for name, t in (types or {n: (seg, n, None) for n in src["traject_types"]}).items():
        s, n, share = t
        tt = copy.deepcopy(NL["segments"][s]["traject_types"][n])
        if share is not None:
            tt["share"] = share
        if "step_down_to" in tt:
            tt["step_down_to"] = type_map[(s, tt["step_down_to"])][1]
        if "opschaling_to" in tt:
            tgt = type_map[(tt["opschaling_to"]["segment"], tt["opschaling_to"]["traject_type"])]
            tt["opschaling_to"] = {"segment": tgt[0], "traject_type": tgt[1]}
        out.append(line(indent + 2, name, tt, f"assumption: as Noord-Limburg {s} {n} ({NL_SRC}); {what} give no figure"
                        + ("; share: the Noord-Limburg 2019 counts of the merged segments (004 par. 6)"
                           if share is not None else "")))
    return out


def own_segment(indent: int, fields: dict, types: dict, why: str) -> list[str]:
    out = [line(indent, k, v, why) for k, v in fields.items()]
    out.append(" " * indent + "traject_types:")
    out += [line(indent + 2, n, t, c) for n, (t, c) in types.items()]
    return out


def municipalities(pops: dict, comment: str) -> list[str]:
    out = ["municipalities:"]
    for m, n in pops.items():
        out.append(f"  {flow({m: {'population': n}})[1:-1]}   # {comment}")
    return out


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def render_all() -> dict[Path, str]:
    """Every file this script writes, with its text."""
    import regions_achterhoek
    import regions_meierij
    import regions_zwolle
    out = {}
    for module in (regions_achterhoek, regions_meierij, regions_zwolle):
        for path, lines in module.files().items():
            out[path] = "\n".join(lines) + "\n"
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write the region scenarios and overlays")
    args = ap.parse_args(argv)
    import regions_achterhoek
    for seg, table in regions_achterhoek.derivations().items():
        print(f"\n{seg}: start budget (000 par. 3.3)")
        print(table.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    if args.write:
        for path, text in render_all().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
