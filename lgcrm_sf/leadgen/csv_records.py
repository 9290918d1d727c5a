"""The records of an import CSV file, each with the line it starts on, where one bad record
never costs the others.

csv.reader does the parsing; it is fed the file's lines by csv_lines.py, which keeps what
csv.reader does not (line numbers, a bound on memory, where a quote opened). This module turns
what went wrong into the reason a row is bad, and reads the text after a quote that never
closes again as rows."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataError
from ..formats import number
from ..i18n import _
from .cells import MAX_CELL_BYTES, MAX_CELL_WORDS, first_problem
from .csv_lines import FIELD_LIMIT, MAX_ROW, MAX_ROW_WORDS, GaveUp, Lines


def _column_number(index: int) -> str:
    return _("column {number}").format(number=index + 1)


class CsvFile:
    """An import CSV file: `header`, then `rows()` gives (line, cells or the reason the record
    is bad) for each record that is not blank. Problems with the header are a DataError."""

    def __init__(self, path: Path, encoding: str, check_characters: bool = True) -> None:
        """`check_characters`: False when the file is known to hold no character that a cell
        may not (cells.CharacterScreen); cells are then checked only for their size."""
        self.name = path.name
        self._check_characters = check_characters
        self._handle = open(  # noqa: SIM115 - closed by close()
            path,
            encoding="utf-8-sig" if encoding.lower().replace("-", "") == "utf8" else encoding,
            newline="",
        )
        self._old_limit = csv.field_size_limit(FIELD_LIMIT)  # the module's limit is global
        try:
            delimiter = self._sniff_delimiter()
            self._lines = Lines(self._handle, delimiter)
            self._reader = csv.reader(self._lines, delimiter=delimiter, strict=False)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
            csv.field_size_limit(self._old_limit)

    def _sniff_delimiter(self) -> str:
        sample = self._handle.read(65536)
        self._handle.seek(0)
        if not sample.strip():
            raise DataError(
                _("{name} is empty: it needs a header row and at least one row.").format(
                    name=self.name
                ),
                _("give a CSV file with a header row (Email, First Name...) and one row a person."),
            )
        try:
            return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
        except csv.Error:
            return ","

    def _read_header(self) -> list[str]:
        lines = self._lines
        lines.next_record()
        try:
            header = next(self._reader)
        except StopIteration:
            header = []
        except (csv.Error, GaveUp) as exc:
            lines.skip_record()
            problem = self._broken(exc, _column_number, read_again=False)
            raise DataError(
                _("{name}: the header row {problem}. Nothing was imported.").format(
                    name=self.name, problem=problem
                ),
                _("correct the header row (the first line) and import again."),
            ) from None
        lines.finish_record()
        if lines.eof_in_quote or lines.bad_quote:
            problem = self._quote_problem(_column_number, read_again=False)
            raise DataError(
                _("{name}: the header row {problem}. Nothing was imported.").format(
                    name=self.name, problem=problem
                ),
                _("correct the header row (the first line) and import again."),
            )
        problem = first_problem(header, _column_number)
        if problem:
            raise DataError(
                _("{name}: the header row's {problem}. Nothing was imported.").format(
                    name=self.name, problem=problem
                ),
                _("correct the header row (the first line) and import again."),
            )
        if not header:
            raise DataError(
                _("{name} is empty: it needs a header row and at least one row.").format(
                    name=self.name
                ),
                _("give a CSV file with a header row (Email, First Name...) and one row a person."),
            )
        return header

    def _column(self, index: int) -> str:
        if index < len(self.header):
            return _("column {number} {name!r}").format(number=index + 1, name=self.header[index])
        return _column_number(index)

    def rows(self):
        lines, reader = self._lines, self._reader
        while True:
            lines.starting = True  # lines.next_record(), without a call per row
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, GaveUp) as exc:
                line = lines.record_line
                lines.skip_record()
                yield line, self._broken(exc, self._column, read_again=True)
                continue
            line = lines.record_line
            lines.finish_record()
            if lines.eof_in_quote or lines.bad_quote:
                yield line, self._quote_problem(self._column, read_again=True)
            elif any(cell.strip() for cell in cells):
                # A record of fewer characters than a quarter of the limit (4 bytes a character
                # at most) cannot hold a cell over it.
                if self._check_characters or lines.size > MAX_CELL_BYTES // 4:
                    yield line, first_problem(cells, self._column) or cells
                else:
                    yield line, cells

    def _broken(self, exc: Exception, column, read_again: bool) -> str:
        """Why a record that could not be held was bad, once skipped to its end."""
        lines = self._lines
        if lines.eof_in_quote or lines.bad_quote:
            return self._quote_problem(column, read_again)
        big = lines.scan.oversized()
        if big:
            return _("{column} holds more than {limit} ({size} characters)").format(
                column=column(big[0]), limit=MAX_CELL_WORDS, size=number(big[1])
            )
        if lines.size > MAX_ROW:
            return _("is longer than {limit} ({size} characters)").format(
                limit=MAX_ROW_WORDS, size=number(lines.size)
            )
        return _("cannot be read as CSV: {error}").format(error=exc)

    def _quote_problem(self, column, read_again: bool) -> str:
        """A quote that never closes before the end of the file, or is 'closed' by a later
        row's quote, swallowed the lines after it: report it and, for a row, read them again."""
        lines = self._lines
        if lines.bad_quote:
            quote, ended_on = lines.bad_quote
            how = _(
                "is not closed properly (the quote on line {line} that ends the cell "
                "is followed by more text)"
            ).format(line=ended_on)
        else:
            quote, how = lines.quote, _("is never closed (the cell runs to the end of the file)")
        line, index, _position = quote
        problem = _("has a quote that opens {column} on line {line} and {how}").format(
            column=column(index), line=line, how=how
        )
        if not read_again:
            return problem
        lines.read_again_after(quote)
        return _("{problem}; the lines after line {line} were read again as rows").format(
            problem=problem, line=line
        )
