"""The calibrated scenario as YAML with a comment on every fitted number."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import numpy as np
from simulation._lazy import yaml

from simulation.data.calibration.report import CalibrationReport


def plain_values(node):
    """Plain Python values (no numpy scalars) so the dict dumps as YAML and JSON."""
    if isinstance(node, dict):
        return {(plain_values(k)): plain_values(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [plain_values(v) for v in node]
    if isinstance(node, np.generic):
        return node.item()
    return node


# -- YAML with a comment per fitted number -----------------------------------------------------------------------


def _scalar(v) -> str:
    text = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True).strip()
    return text[:-4].strip() if text.endswith("\n...") else text.removesuffix("...").strip()


def to_commented_yaml(scenario: dict, comments: dict[tuple, str], header: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]

    def emit(node, path, indent):
        for key, value in node.items():
            p = path + (key,)
            c = comments.get(p)
            tail = f"  # {c}" if c else ""
            pad = "  " * indent
            if isinstance(value, dict) and value:
                lines.append(f"{pad}{_scalar(key)}:{tail}")
                emit(value, p, indent + 1)
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(value)}{tail}")

    emit(scenario, (), 0)
    return "\n".join(lines) + "\n"


def write_calibrated_yaml(scenario: dict, report: CalibrationReport, path: Union[str, Path]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"Scenario calibrated from {report.n_records} realised records, study period "
              f"{report.study_period[0]}..{report.study_period[1]} (python -m simulation.data.calibration).\n"
              "Each fitted number says how it was fitted and on how many records; see docs/records.md.")
    text = to_commented_yaml(scenario, report.comments, header)
    assert yaml.safe_load(text) == yaml.safe_load(yaml.safe_dump(scenario)), "commented YAML differs from the data"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
