"""``calibrate``: fit a scenario to realised records (docs/records.md)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.data.calibration import calibrate, write_calibrated_yaml
from simulation.cli._options import add_spreadsheet_options, check_output_file, check_period, iso_date
from simulation.data.records import RecordsError, RecordsFileError, read_records

NAME = "calibrate"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="fit a scenario to realised records (docs/records.md)",
                                   description="Fit a scenario to realised trajecten records.")
    parser.add_argument("records", help="records file (.csv or .parquet, see docs/records.md)")
    parser.add_argument("--out", required=True, help="scenario YAML to write")
    parser.add_argument("--base", help="base scenario YAML for what records cannot show")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"), type=iso_date,
                        help="study period, inclusive (default: stored in the Parquet file, else 2022)")
    parser.add_argument("--drop-invalid", action="store_true", help="drop rows with problems and write a report")
    parser.add_argument("--report", help="markdown report (default: next to --out, .report.md)")
    parser.add_argument("--name", default="calibrated", help="name of the calibrated scenario")
    add_spreadsheet_options(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    check_period(args.period)
    check_output_file(args.out, "--out")       # before the work, not after it
    check_output_file(args.report, "--report")
    try:
        records = read_records(args.records, scenario=args.base, study_period=args.period,
                               drop_invalid=args.drop_invalid, date_order=args.date_order,
                               decimal=args.decimal)
        scenario, report = calibrate(records, base_scenario=args.base, name=args.name)
    except RecordsError as exc:
        print(f"fout: {exc}" if isinstance(exc, RecordsFileError) else str(exc), file=sys.stderr)
        return 2 if isinstance(exc, RecordsFileError) else 1
    out = write_calibrated_yaml(scenario, report, args.out)
    report_path = Path(args.report) if args.report else out.with_suffix(".report.md")
    report_path.write_text(report.to_markdown(), encoding="utf-8")
    print(f"{out}: scenario from {len(records)} records; report {report_path}")
    if records.attrs["dropped"]:
        print(f"dropped rows reported in {records.attrs['report_path']}")
    return 0
