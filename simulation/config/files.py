"""Reading YAML (scenario and sweep files, ``--set`` values) with errors that name the file and the fix."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional, Union

from simulation._lazy import yaml

# the event log's timestamps are pandas datetime64[ns]: a run can reach no day outside this range
FIRST_DAY, LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 10)


def yaml_error_text(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong and where (line, column)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else str(problem)


def read_yaml_file(path: Union[str, Path], error: type[Exception]) -> Any:
    """The content of a YAML file; a file that is missing, a folder, unreadable, not text or not YAML raises
    ``error`` with one line naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found; give the path of a YAML file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder; give the path of a YAML file in it") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (not UTF-8); give a YAML file") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror}); check the path and its permissions") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {yaml_error_text(exc)}") from None


def parse_yaml_value(text: str, source: str, error: type[Exception]) -> Any:
    """A value (of a ``--set`` option) read as YAML; invalid YAML raises ``error`` naming ``source``."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{source}: the value is not valid YAML ({yaml_error_text(exc)}); quote text, "
                    "close brackets, e.g. horizon_years=2 or 'name=Mijn scenario'") from None


def date_problem(start: dt.date, years: int, warmup_days: float) -> Optional[str]:
    """Why a run from ``start`` over ``years`` (after ``warmup_days`` of warm-up) cannot be simulated, or None."""
    first = dt.datetime.combine(start, dt.time()) - dt.timedelta(days=warmup_days)
    if first.date() < FIRST_DAY or start.year + years > LAST_DAY.year or (
            start.year + years == LAST_DAY.year and start.replace(year=2000) > LAST_DAY.replace(year=2000)):
        return (f"the run (warm-up from {first.date()}, horizon of {years} year(s) to "
                f"{start.year + years}-{start.month:02}-{start.day:02}) must lie between {FIRST_DAY} and {LAST_DAY}, "
                "the dates the event log can hold; choose a start_date such as 2024-01-01")
    return None
