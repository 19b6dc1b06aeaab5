"""One notebook run several times with different parameters: its *instances* in the report.

A section of the report's parameters file named ``<stem>-<suffix>`` (``10_regio_scenario-achterhoek``)
is an instance of notebook ``<stem>``: it runs with that section's parameters into
``outputs/<stem>-<suffix>/`` and gets its own card on the index. A notebook with instance sections runs
once per instance (not also with its plain section); one without runs once, as ``<stem>``. Notebook
stems hold no ``-``, so the first ``-`` separates the suffix.
"""
from __future__ import annotations

from typing import Iterable, Optional

SEP = "-"


def instance_names(stem: str, names: Iterable[str]) -> list[str]:
    """The instances of notebook ``stem`` among ``names`` (parameter sections or manifest entries), in
    their order; ``[stem]`` when there is none."""
    found = [n for n in names if n.startswith(stem + SEP)]
    return found or [stem]


def split(name: str) -> tuple[str, Optional[str]]:
    """(notebook name, suffix or None) of an instance name."""
    stem, _, suffix = name.partition(SEP)
    return stem, suffix or None


def instance_title(title: str, name: str) -> str:
    """The index title of an instance: the notebook's title with the suffix ('... (achterhoek)')."""
    suffix = split(name)[1]
    return f"{title} ({suffix})" if suffix else title
