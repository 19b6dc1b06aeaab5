"""Option helpers the commands share: ``--set``, counts that must be >= 1, output paths checked and locked
before the work starts, and the help formatter that shows every default."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from simulation.config.scenario import parse_set_option
from simulation.experiment.store import OutputFolderError, check_writable, folder_lock, remove_stale_temp_folders


def scenario_overrides(pairs: list[str] | None) -> dict:
    """``--set PATH=VALUE`` options as a dict of overrides."""
    return dict(parse_set_option(p) for p in pairs or [])


def add_spreadsheet_options(parser) -> None:
    """``--date-order`` and ``--decimal``: how to read a records file that can be read two ways."""
    parser.add_argument("--date-order", choices=("dmy", "mdy"), default=None,
                        help="volgorde van dag en maand in datums als 03-04-2022: dmy (Nederlands, DD-MM-JJJJ) of mdy; "
                             "alleen nodig als geen datum in het bestand een dag boven 12 heeft (standaard: uit het bestand)")
    parser.add_argument("--decimal", choices=(",", "."), default=None,
                        help="decimaalteken van de volumes, alleen nodig als waarden als 1.500 op twee manieren "
                             "te lezen zijn (standaard: uit het bestand)")


def _whole_number_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"verwacht een geheel getal van {minimum} of meer, gevonden: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"moet minstens {minimum} zijn, gevonden: {value}")
        return value
    return parse


positive_int = _whole_number_at_least(1)         # an argparse type: ``--replications``, ``--workers``
non_negative_int = _whole_number_at_least(0)     # an argparse type: ``--replication``


class UsageError(ValueError):
    """An option value that cannot be used; the message says which and how to fix it."""


def iso_date(text: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"verwacht een datum JJJJ-MM-DD, gevonden: {text!r}") from None


def check_period(period) -> None:
    """Raise UsageError when ``--period FIRST_DAY LAST_DAY`` ends before it starts."""
    if period is not None and period[1] < period[0]:
        raise UsageError(f"--period {period[0]} {period[1]}: de laatste dag ligt voor de eerste; geef EERSTE_DAG LAATSTE_DAG")


def check_output_file(path, option: str) -> None:
    """Raise OutputFolderError unless a file can be written at ``path`` (checked before the work starts)."""
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise OutputFolderError(f"{path}: is een map; geef een bestandsnaam voor {option}")
    check_writable(path.resolve().parent, shown=path)


def claim_output(args: argparse.Namespace, out: Path) -> None:
    """Before the work starts: check that ``out`` can be written, hold its lock until the command ends (a second
    writer of the same folder stops with a message) and remove what a killed earlier writer left beside it."""
    check_writable(out)
    stack = getattr(args, "exit_stack", None)   # set by cli.main; released when the command returns
    if stack is None:
        return
    stack.enter_context(folder_lock(out))
    for path in remove_stale_temp_folders(out):
        print(f"removed {path}, left by an earlier run that did not finish", file=sys.stderr)


# argparse's own messages (it has no error codes, only these English templates) in Dutch
_ARGPARSE_NL = [
    (r"^argument (\S+): ", r"optie \1: "),
    (r"invalid choice: (.*) \(choose from (.*)\)$", r"ongeldige keuze: \1 (kies uit \2)"),
    (r"invalid \S+ value: (.*)$", r"ongeldige waarde: \1"),
    (r"expected at least one argument$", "verwacht minstens één waarde"),
    (r"expected at most one argument$", "verwacht hoogstens één waarde"),
    (r"expected one argument$", "verwacht één waarde"),
    (r"expected (\d+) arguments?$", r"verwacht \1 waarden"),
    (r"^the following arguments are required: (.*)$", r"deze argumenten zijn verplicht: \1"),
    (r"^unrecognized arguments: (.*)$", r"onbekende argumenten: \1; zie --help"),
    (r"^ambiguous option: (\S+) could match (.*)$", r"optie \1 is niet eenduidig: het kan \2 zijn"),
    (r"not allowed with argument (.*)$", r"niet toegestaan samen met \1"),
    (r"^one of the arguments (.*) is required$", r"een van de argumenten \1 is verplicht"),
]


def dutch_usage_error(message: str) -> str:
    """An argparse error message in Dutch (a message it does not know stays as it is)."""
    for pattern, dutch in _ARGPARSE_NL:
        message = re.sub(pattern, dutch, message)
    return message


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose usage errors are one Dutch ``fout:`` line after the usage, exit 2."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {dutch_usage_error(message)}\n")


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default ('standaard'), unless it has none or the help already says it;
    argparse's own headings and -h in Dutch."""

    def __init__(self, prog, indent_increment=2, max_help_position=34, width=None):
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(_SECTIONS.get(heading, heading))

    def _get_help_string(self, action):
        text = action.help or ""
        if isinstance(action, argparse._HelpAction):
            return "toon deze hulp en stop"
        if "%(default)" in text or "standaard" in text or action.default in (None, False, argparse.SUPPRESS) \
                or not action.option_strings:
            return text
        return f"{text} (standaard: %(default)s)"


# argparse's own headings, as the reader of --help reads them
_SECTIONS = {"positional arguments": "argumenten", "options": "opties", "optional arguments": "opties"}
