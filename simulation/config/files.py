"""Reading YAML (scenario and sweep files, ``--set`` values) with errors that name the file and the fix."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional, Union

from simulation._lazy import yaml

# the event log's timestamps are pandas datetime64[ns]: a run can reach no day outside this range
FIRST_DAY, LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 10)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it (the same data, several times faster on the
    scenario files; tests/unit/test_scenario_files.py checks every shipped file), else the pure-Python loader.
    Text that is not valid YAML is read again by the pure-Python loader, whose error names the line and
    column as users count them (libyaml's can point past the end)."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.safe_load(text)


def yaml_error_text(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: what is wrong and where (line, column)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} op regel {mark.line + 1}, kolom {mark.column + 1}" if mark is not None else str(problem)


def read_yaml_file(path: Union[str, Path], error: type[Exception]) -> Any:
    """The content of a YAML file; a file that is missing, a folder, unreadable, not text or not YAML raises
    ``error`` with one line naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: bestand niet gevonden; geef het pad van een YAML-bestand") from None
    except IsADirectoryError:
        raise error(f"{path}: is een map; geef het pad van een YAML-bestand daarin") from None
    except UnicodeDecodeError:
        raise error(f"{path}: geen tekstbestand (geen UTF-8); geef een YAML-bestand") from None
    except OSError as exc:
        raise error(f"{path}: kan niet worden gelezen ({exc.strerror}); controleer het pad en de rechten") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: geen geldige YAML: {yaml_error_text(exc)}") from None


def parse_yaml_value(text: str, source: str, error: type[Exception]) -> Any:
    """A value (of a ``--set`` option) read as YAML; invalid YAML raises ``error`` naming ``source``."""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise error(f"{source}: de waarde is geen geldige YAML ({yaml_error_text(exc)}); zet tekst tussen aanhalingstekens "
                    "en sluit haakjes, bijvoorbeeld horizon_years=2 of 'name=Mijn scenario'") from None


def date_problem(start: dt.date, years: int, warmup_days: float) -> Optional[str]:
    """Why a run from ``start`` over ``years`` (after ``warmup_days`` of warm-up) cannot be simulated, or None."""
    first = dt.datetime.combine(start, dt.time()) - dt.timedelta(days=warmup_days)
    if first.date() < FIRST_DAY or start.year + years > LAST_DAY.year or (
            start.year + years == LAST_DAY.year and start.replace(year=2000) > LAST_DAY.replace(year=2000)):
        return (f"de run (inloop vanaf {first.date()}, horizon van {years} jaar tot "
                f"{start.year + years}-{start.month:02}-{start.day:02}) moet liggen tussen {FIRST_DAY} en {LAST_DAY}, "
                "de datums die het gebeurtenissenlog kan bevatten; kies een start_date zoals 2024-01-01")
    return None
