"""What one imported value (a CSV cell, a JSON string) may hold to be stored here and sent to
Salesforce: at most 1 MiB of UTF-8, and no character that Salesforce's XML-based APIs refuse."""

from __future__ import annotations

import codecs
import re

from ..formats import number
from ..i18n import _

MAX_CELL_BYTES = 1 << 20
MAX_CELL_WORDS = "1 MiB"

# Salesforce's SOAP API and the Bulk API's XML files carry records as XML 1.0, whose Char
# production leaves out the C0 controls other than tab, line feed and carriage return, the
# surrogates and U+FFFE/U+FFFF (https://www.w3.org/TR/xml/#charsets): one such character fails
# the whole call ("An invalid XML character (Unicode: 0x0) was found in the element content").
# A lone surrogate (JSON can spell one, "\ud800") cannot even be written as UTF-8 to the store.
# Tabs and line breaks are ordinary text in a multi-line cell and stay.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _spelled(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        what = _("NUL, a control character") if code == 0 else _("a control character")
    elif 0xD800 <= code <= 0xDFFF:
        what = _("half of a surrogate pair")
    else:
        what = _("a Unicode noncharacter")
    return _("U+{code} ({what})").format(code=f"{code:04X}", what=what)


def value_problem(name: str, text: str) -> str | None:
    """Why `text` cannot be imported, naming it `name` (column 3 'Company', key 'title'...)."""
    # A character is at most 4 bytes of UTF-8: most values need no encoding to know their size.
    if len(text) > MAX_CELL_BYTES // 4:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_CELL_BYTES:
            return _("{name} holds more than {limit} ({size} bytes of UTF-8)").format(
                name=name, limit=MAX_CELL_WORDS, size=number(size)
            )
    found = _UNSTORABLE.search(text)
    if found:
        return _("{name} holds {character}, which cannot be stored or sent to Salesforce").format(
            name=name, character=_spelled(found.group())
        )
    return None


def first_problem(values: list[str], name) -> str | None:
    """The first value that cannot be imported, named by `name(index)`; None if all can."""
    joined = "".join(values)  # one search for the usual row where every cell is fine
    if len(joined) <= MAX_CELL_BYTES // 4 and not _UNSTORABLE.search(joined):
        return None
    for index, text in enumerate(values):
        problem = value_problem(name(index), text)
        if problem:
            return problem
    return None


class CharacterScreen:
    """Screens a file's bytes, as they are read once anyway to check the encoding, for any byte
    that could decode to a character above: a file without one (nearly every file) skips the
    check cell by cell. Exact for UTF-8 and the single-byte encodings where those characters are
    one byte each; any other encoding is always checked cell by cell."""

    _C0 = bytes(code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))
    _ONE_BYTE_C0 = {"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252"}
    _NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF in UTF-8

    def __init__(self, encoding: str) -> None:
        name = codecs.lookup(encoding).name
        self.found = name not in self._ONE_BYTE_C0
        self._utf8 = name.startswith("utf-8")
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.found:
            return
        if len(chunk.translate(None, self._C0)) != len(chunk):
            self.found = True
        elif self._utf8:
            seam = self._tail + chunk[:2]  # a sequence cut between two chunks
            self.found = any(n in chunk or n in seam for n in self._NONCHARACTERS)
            self._tail = chunk[-2:]
