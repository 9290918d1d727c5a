"""The records of an import CSV file, each with the line it starts on, where one bad record
never costs the others.

csv.reader does the parsing; this module feeds it the file's lines and keeps what csv.reader
does not: line numbers, a bound on what is held in memory (a 1 GB cell is one bad row, read a
piece at a time), and where a quote opened, so that the text after a quote that never closes
is read again as rows instead of being swallowed into one cell."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import DataError
from .cells import MAX_CELL_BYTES, MAX_CELL_WORDS, first_problem

PIECE = 1 << 20  # characters of a line read at a time
MAX_ROW = 8 << 20  # characters of one record, all its lines: a longer record is a bad row
MAX_ROW_WORDS = "8 MiB"
# csv.reader counts characters; a cell with more characters than MAX_CELL_BYTES has more bytes
# too. Cells under this are measured in bytes afterwards (cells.value_problem).
FIELD_LIMIT = MAX_CELL_BYTES

_START, _UNQUOTED, _QUOTED, _CLOSING = range(4)


class _GaveUp(Exception):
    """Raised through csv.reader when a record is too big to hold; the file reads on."""


class _Scanner:
    """Follows csv.reader's parse (one delimiter, '"' as quote, doubled quotes, strict=False)
    over the text of one record, fed in pieces, to learn what csv.reader does not say: which
    cell passed the size limit, whether a quote is open at a line's end, and whether a quoted
    cell that spans lines was ended by a quote followed by more text - the opening quote of a
    later row, not a closing one (RFC 4180 allows only a delimiter or a line break there)."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self._stop = re.compile(f"[{re.escape(delimiter)}\r\n]")
        self.state = _START
        self.column = 0
        self.cell = 0  # characters of the current cell so far
        self.big: tuple[int, int] | None = None  # (column, characters): first cell too big
        self.opened = False  # a quote opened since the reader last looked
        self.spans_lines = False  # the quoted cell under way holds a line break
        self.closed_badly = False

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            if self.state == _QUOTED:
                j = text.find('"', i)
                end = n if j < 0 else j
                if not self.spans_lines and (
                    text.find("\n", i, end) >= 0 or text.find("\r", i, end) >= 0
                ):
                    self.spans_lines = True
                self.cell += end - i
                if j < 0:
                    return
                self.state, i = _CLOSING, j + 1
                continue
            char = text[i]
            if self.state == _CLOSING:
                if char == '"':  # a doubled quote: one quote inside the cell
                    self.state, self.cell, i = _QUOTED, self.cell + 1, i + 1
                    continue
                if self.spans_lines and char not in (self.delimiter, "\r", "\n"):
                    self.closed_badly = True
                self.state = _UNQUOTED
            elif self.state == _START and char == '"':
                self.state, self.opened, self.spans_lines, i = _QUOTED, True, False, i + 1
                continue
            stop = self._stop.search(text, i)
            end = n if stop is None else stop.start()
            self.cell += end - i
            if stop is None:
                self.state = _UNQUOTED
                return
            self._end_cell()
            self.state, i = _START, end + 1  # after a line break only its "\n" can follow

    def _end_cell(self) -> None:
        if self.cell > FIELD_LIMIT and self.big is None:
            self.big = (self.column, self.cell)
        self.column += 1
        self.cell = 0

    def oversized(self) -> tuple[int, int] | None:
        if self.big is None and self.cell > FIELD_LIMIT:
            return (self.column, self.cell)
        return self.big


class _Lines:
    """The file's physical lines for csv.reader, as the file iterator would give them
    (newline=''), with line numbers; a line is held whole only up to MAX_ROW characters."""

    def __init__(self, handle, delimiter: str) -> None:
        self.handle, self.delimiter = handle, delimiter
        self.number = 0  # lines read so far
        self.record_line = 0  # the line the current record starts on
        self._starting = True
        self._pending = ""  # a line, or its start, read ahead: served before the file
        self._begin_record()

    def _begin_record(self) -> None:
        self.scan: _Scanner | None = None  # made when a record goes past its first line
        self._unfed = ""  # the last line handed to csv.reader, not yet given to the scanner
        self.size = 0
        self.mid_line = False  # gave up inside a line: its rest is still to read
        self.quote = None  # (line, column, position after that line) of the open quote
        self.bad_quote = None  # (quote, line) of a quoted cell ended by a quote and text
        self.eof_in_quote = False

    def next_record(self) -> None:
        self._starting = True

    def __iter__(self):
        return self

    def __next__(self) -> str:
        first = self._starting
        if first:
            self._starting = False
            if self.scan is not None:  # the last record spanned lines or was given up on
                self._begin_record()
            self._unfed, self.size = "", 0
            self.record_line = self.number + 1
        else:  # csv.reader wants more: the last line ended inside a quoted cell
            self._feed_unfed()
        if self._pending:
            piece, done = self._read_piece()
        else:  # the usual line, read here without a call
            piece = self.handle.readline(PIECE)
            done = piece[-1:] == "\n" or len(piece) < PIECE and piece[-1:] != "\r"
            if not done:
                piece, done = self._finish_piece(piece)
        if not piece:
            self.eof_in_quote = not first
            raise StopIteration
        self.number += 1
        if done and self.size + len(piece) <= MAX_ROW:
            self.size += len(piece)
            self._unfed = piece
            return piece
        return self._long_line(piece, done)

    def _long_line(self, piece: str, done: bool) -> str:
        """Collect a line longer than one piece, scanning it on the way, so that a huge cell
        is known as soon as it passes the limit and never held whole."""
        scan, parts = self._scanner(), []
        while True:
            parts.append(piece)
            scan.feed(piece)
            self.size += len(piece)
            if scan.oversized() or self.size > MAX_ROW:
                self.mid_line = not done
                if done:
                    self._line_fed()
                raise _GaveUp
            if done:
                break
            piece, done = self._read_piece()
        self._line_fed()
        return "".join(parts)

    def _read_piece(self) -> tuple[str, bool]:
        """Up to PIECE characters of the current line, and whether they end it."""
        if self._pending:
            text, self._pending = self._pending, ""
        else:
            text = self.handle.readline(PIECE)
        if text[-1:] == "\n":
            return text, True
        return self._finish_piece(text)

    def _finish_piece(self, text: str) -> tuple[str, bool]:
        if text[-1:] == "\r" and len(text) == PIECE:
            # Cut at the limit right after a "\r": the line ends there, "\r\n" or "\r" alone.
            after = self.handle.readline(PIECE)
            if after == "\n":
                return text + after, True
            self._pending = after
            return text, True
        return text, text[-1:] == "\r" or len(text) < PIECE  # shorter: the file ends

    def _scanner(self) -> _Scanner:
        if self.scan is None:
            self.scan = _Scanner(self.delimiter)
        return self.scan

    def _feed_unfed(self) -> None:
        if self._unfed:
            self._scanner().feed(self._unfed)
            self._unfed = ""
            self._line_fed()

    def _line_fed(self) -> None:
        """Note, after the scanner has seen a whole line, where an open quote began."""
        scan = self.scan
        if scan.closed_badly and self.bad_quote is None:
            self.bad_quote = (self.quote, self.number)
        if scan.state == _QUOTED and scan.opened:
            self.quote = (self.number, scan.column, (self.handle.tell(), self._pending))
        scan.opened = False

    def finish_record(self) -> None:
        """After csv.reader returned a record: scan its last line if it spans lines."""
        if self.scan is not None:
            self._feed_unfed()

    def skip_record(self) -> None:
        """Read to the end of a record csv.reader gave up on (or we did), a piece at a time."""
        scan = self._scanner()
        self._feed_unfed()
        if self.mid_line:
            self.mid_line = False
            self._skip_line_rest(scan)
        while scan.state == _QUOTED and not self.eof_in_quote:
            self._pass_quoted_lines(scan)
            piece, done = self._read_piece()
            if not piece:
                self.eof_in_quote = True
                break
            self.number += 1
            scan.feed(piece)
            self.size += len(piece)
            if not done:
                self._skip_line_rest(scan)
            else:
                self._line_fed()

    def _pass_quoted_lines(self, scan: _Scanner) -> None:
        """Inside a quoted cell being skipped, pass over whole lines without a quote: they
        change nothing but the counts (a 1 GB cell of short lines is read in seconds)."""
        readline, lines, size = self.handle.readline, 0, 0
        while not self._pending:
            line = readline(PIECE)
            if '"' in line or line[-1:] != "\n" and (len(line) == PIECE or not line):
                self._pending = line  # for the scanner, read again by _read_piece
                break
            lines += 1
            size += len(line)
        self.number += lines
        self.size += size
        scan.cell += size

    def _skip_line_rest(self, scan: _Scanner) -> None:
        while True:
            piece, done = self._read_piece()
            scan.feed(piece)
            self.size += len(piece)
            if done or not piece:
                break
        self._line_fed()

    def read_again_after(self, quote) -> None:
        line, _column, (position, pending) = quote
        self.handle.seek(position)
        self._pending, self.number = pending, line
        self.next_record()


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
            self._lines = _Lines(self._handle, delimiter)
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
                f"{self.name} is empty: it needs a header row and at least one row.",
                "give a CSV file with a header row (Email, First Name...) and one row a person.",
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
        except (csv.Error, _GaveUp) as exc:
            lines.skip_record()
            problem = self._broken(exc, lambda index: f"column {index + 1}", read_again=False)
            raise DataError(
                f"{self.name}: the header row {problem}. Nothing was imported.",
                "correct the header row (the first line) and import again.",
            ) from None
        lines.finish_record()
        if lines.eof_in_quote or lines.bad_quote:
            problem = self._quote_problem(lambda index: f"column {index + 1}", read_again=False)
            raise DataError(
                f"{self.name}: the header row {problem}. Nothing was imported.",
                "correct the header row (the first line) and import again.",
            )
        problem = first_problem(header, lambda index: f"column {index + 1}")
        if problem:
            raise DataError(
                f"{self.name}: the header row's {problem}. Nothing was imported.",
                "correct the header row (the first line) and import again.",
            )
        if not header:
            raise DataError(
                f"{self.name} is empty: it needs a header row and at least one row.",
                "give a CSV file with a header row (Email, First Name...) and one row a person.",
            )
        return header

    def _column(self, index: int) -> str:
        if index < len(self.header):
            return f"column {index + 1} {self.header[index]!r}"
        return f"column {index + 1}"

    def rows(self):
        lines, reader = self._lines, self._reader
        while True:
            lines._starting = True  # lines.next_record(), without a call per row
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, _GaveUp) as exc:
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
            return f"{column(big[0])} holds more than {MAX_CELL_WORDS} ({big[1]:,} characters)"
        if lines.size > MAX_ROW:
            return f"is longer than {MAX_ROW_WORDS} ({lines.size:,} characters)"
        return f"cannot be read as CSV: {exc}"

    def _quote_problem(self, column, read_again: bool) -> str:
        """A quote that never closes before the end of the file, or is 'closed' by a later
        row's quote, swallowed the lines after it: report it and, for a row, read them again."""
        lines = self._lines
        if lines.bad_quote:
            quote, ended_on = lines.bad_quote
            how = (
                f"is not closed properly (the quote on line {ended_on} that ends the cell "
                "is followed by more text)"
            )
        else:
            quote, how = lines.quote, "is never closed (the cell runs to the end of the file)"
        line, index, _position = quote
        problem = f"has a quote that opens {column(index)} on line {line} and {how}"
        if not read_again:
            return problem
        lines.read_again_after(quote)
        return f"{problem}; the lines after line {line} were read again as rows"
