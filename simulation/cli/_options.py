"""Option helpers the commands share."""
from __future__ import annotations

from simulation.config.scenario import parse_set_option


def scenario_overrides(pairs: list[str] | None) -> dict:
    """``--set PATH=VALUE`` options as a dict of overrides."""
    return dict(parse_set_option(p) for p in pairs or [])


def add_spreadsheet_options(parser) -> None:
    """``--date-order`` and ``--decimal``: how to read a records file that can be read two ways."""
    parser.add_argument("--date-order", choices=("dmy", "mdy"), default=None,
                        help="order of day and month in dates such as 03-04-2022: dmy (Dutch, DD-MM-YYYY) or mdy; "
                             "needed only when no date in the file has a day above 12 (default: from the file)")
    parser.add_argument("--decimal", choices=(",", "."), default=None,
                        help="decimal separator of the volumes, needed only when values such as 1.500 could be "
                             "read two ways (default: from the file)")
