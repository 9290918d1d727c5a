"""What every import does around its rows: the whole file decoded before anything is imported,
rows applied in batches of one transaction each, and bad rows reported by line and reason while
the good ones go in. Memory stays bounded whatever the file's size."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import DataError, UsageError
from ..i18n import N_, _
from .cells import CharacterScreen

BATCH_ROWS = 1000
MAX_REPORTED = 1000  # bad rows listed one by one; beyond this only counted

MESSAGES = {
    "encoding": N_(
        "{file} line {line} is not valid {encoding} (byte 0x{byte:02x}); it looks like "
        "Latin-1/Windows-1252."
    ),
    "encoding_fix": N_("re-save it as UTF-8, or pass --encoding cp1252."),
    "not_found": N_("{file} does not exist."),
}


class Rejects:
    """A report's count and list of bad rows (the report dataclasses declare both fields)."""

    bad: int
    bad_rows: list

    def reject(self, line: int, reason: str) -> None:
        self.bad += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append({"line": line, "reason": reason})

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def apply_in_batches(db, rows, apply, report) -> None:
    """Apply `apply(item)` to each (line, item) pair; an item that is already a reason (a row
    that could not even be read) is reported as is. Python's sqlite3 opens a transaction at the
    first write: each batch of rows is committed whole, and a failure rolls back only the batch
    under way, so memory and the damage of an interruption both stay bounded."""
    db.commit()
    try:
        for count, (line, item) in enumerate(rows, 1):
            report.rows += 1
            reason = item if isinstance(item, str) else apply(item)
            if reason:
                report.reject(line, reason)
            if count % BATCH_ROWS == 0:
                db.commit()
        db.commit()
    except BaseException:
        db.rollback()
        raise


def require_file(path: Path) -> None:
    if not path.is_file():
        raise UsageError(
            _(MESSAGES["not_found"]).format(file=path), _("give the path of an existing file.")
        )


def check_encoding(path: Path, encoding: str) -> bool:
    """Decode the whole file before importing anything, so a wrongly encoded file changes
    nothing and the error names the first bad line. Returns whether the file may hold a
    character that no cell may (cells.CharacterScreen): if not, rows skip that check."""
    decoder = codecs.getincrementaldecoder(encoding)()
    screen = CharacterScreen(encoding)
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            screen.feed(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, exc.start)
                raise _not_decoded(path, line, encoding, chunk[exc.start]) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _not_decoded(path, line, encoding, 0) from None
    return screen.found


def _not_decoded(path: Path, line: int, encoding: str, byte: int) -> DataError:
    return DataError(
        _(MESSAGES["encoding"]).format(file=path.name, line=line, encoding=encoding, byte=byte),
        _(MESSAGES["encoding_fix"]),
    )
