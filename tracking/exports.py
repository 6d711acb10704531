"""What the product writes for spreadsheets: every CSV row goes through `spreadsheet_safe`."""

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import batched

from django.http import HttpResponse, StreamingHttpResponse

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection:
# `=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|...`), or strips the tab or carriage return and
# reads what follows as one.
FORMULA_STARTS = frozenset("=+-@\t\r")
# A negative number written as text (tracking.numbers.plain gives "-2.5") is a number, no formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_safe(row: Iterable) -> list:
    """The row with every text cell that would start a formula prefixed with a `'`, which
    spreadsheets read as "this is text" and do not show. Numbers are written as they are: a
    negative number is not a formula."""
    return [
        f"'{cell}" if isinstance(cell, str) and cell[:1] in FORMULA_STARTS and not NUMBER.fullmatch(cell) else cell
        for cell in row
    ]


class _Lines(list):
    """A file whose writes are kept (csv.writer writes each line once): `append` is `write`."""

    write = list.append


# Lines per piece of a streamed CSV: one write to the client for this many rows, not one a row.
LINES_PER_CHUNK = 200


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """A spreadsheet's CSV in pieces of LINES_PER_CHUNK lines (for a streamed response): a
    byte-order mark so a spreadsheet opens Russian text as UTF-8, then the header and every row,
    each made safe."""
    lines = _Lines(["\ufeff"])
    writer = csv.writer(lines)
    writer.writerow(spreadsheet_safe(str(label) for label in header))
    for chunk in batched(rows, LINES_PER_CHUNK):
        writer.writerows(map(spreadsheet_safe, chunk))
        yield "".join(lines)
        lines.clear()
    if lines:
        yield "".join(lines)


def csv_response(lines: Iterable[str], filename: str, *, streamed: bool = True) -> HttpResponse | StreamingHttpResponse:
    """A download of `lines` (from csv_lines) as `filename`: streamed as the rows are read, or
    whole (`streamed=False`) where the rows are few."""
    response_class = StreamingHttpResponse if streamed else HttpResponse
    response = response_class(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
