"""The physical lines of an import CSV file as csv.reader takes them, with what csv.reader
does not keep: line numbers, a bound on what is held in memory (a 1 GB cell is one bad row, read
a piece at a time), and where a quote opened, so that the text after a quote that never closes
can be read again as rows (csv_records.py) instead of being swallowed into one cell."""

from __future__ import annotations

import re

from .cells import MAX_CELL_BYTES

PIECE = 1 << 20  # characters of a line read at a time
MAX_ROW = 8 << 20  # characters of one record, all its lines: a longer record is a bad row
MAX_ROW_WORDS = "8 MiB"
# csv.reader counts characters; a cell with more characters than MAX_CELL_BYTES has more bytes
# too. Cells under this are measured in bytes afterwards (cells.value_problem).
FIELD_LIMIT = MAX_CELL_BYTES

_START, _UNQUOTED, _QUOTED, _CLOSING = range(4)


class GaveUp(Exception):
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


class Lines:
    """The file's physical lines for csv.reader, as the file iterator would give them
    (newline=''), with line numbers; a line is held whole only up to MAX_ROW characters."""

    def __init__(self, handle, delimiter: str) -> None:
        self.handle, self.delimiter = handle, delimiter
        self.number = 0  # lines read so far
        self.record_line = 0  # the line the current record starts on
        self.starting = True
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
        self.starting = True

    def __iter__(self):
        return self

    def __next__(self) -> str:
        first = self.starting
        if first:
            self.starting = False
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
                raise GaveUp
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
