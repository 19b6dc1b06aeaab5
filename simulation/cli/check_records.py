"""``check-records``: validate a records file and list every problem."""
from __future__ import annotations

import sys

from simulation.cli._options import add_spreadsheet_options
from simulation.data.records import RecordsError, read_records

NAME = "check-records"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="validate a records file and list every problem",
                                   description="Validate realised records and list every problem.")
    parser.add_argument("records")
    parser.add_argument("--scenario", help="scenario YAML: also check municipalities, segments, providers")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"))
    parser.add_argument("--drop-invalid", action="store_true")
    parser.add_argument("--report", help="where to write the report of dropped rows")
    add_spreadsheet_options(parser)
    return parser


def run(args) -> int:
    try:
        frame = read_records(args.records, scenario=args.scenario, study_period=args.period,
                             drop_invalid=args.drop_invalid, date_order=args.date_order,
                               decimal=args.decimal, report_path=args.report)
    except RecordsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    message = f"{args.records}: {len(frame)} valid records"
    if frame.attrs["dropped"]:
        message += (f"; {len({p.row for p in frame.attrs['dropped']})} rows dropped, "
                    f"report: {frame.attrs['report_path']}")
    print(message)
    return 0
