"""The records of an events file in JSON, each with the line it starts on: a JSON array of
objects, JSON lines (one object a line), or objects one after another (say one pretty-printed
event). The file is read a piece at a time and an array decoded one element at a time, so it is
never held whole, nor copied."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import DataError
from ..formats import number as shown_number
from ..i18n import N_, _
from .cells import value_problem

PIECE = 1 << 20  # characters read at a time
MAX_VALUE = 8 << 20  # characters of one element or line: a longer one is a bad row, skipped
MAX_VALUE_WORDS = "8 MiB"
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SHAPES = N_(
    "give a JSON array of event objects, JSON lines (one event object a line) or a CSV file."
)
# strict=False: a control character inside a string is judged with the value, the key named
# (cells.py), instead of failing the line or, in an array, the rest of the file.
_DECODER = json.JSONDecoder(strict=False)
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
_IN_STRING = re.compile(r'["\\]')
_OUTSIDE_STRING = re.compile(r'["\[\]{}]')
_SCALAR_END = re.compile(r"[,\]}\s]")


def element(index: int) -> str:
    return _("element [{index}]").format(index=index)


def labelled(index: int | None, reason: str) -> str:
    """A bad record's reason, after the array element it is about when there is one. Records
    carry the element's index, named only for a reason: translating a name for every element
    of a large array would cost more than reading it."""
    if index is None:
        return reason
    return _("{label}: {reason}").format(label=element(index), reason=reason)


class _Broken(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class _TooLong(Exception):
    pass


def _kind(value) -> str:
    if value is None:
        return _("a JSON null")
    if isinstance(value, bool):
        return _("a JSON true") if value else _("a JSON false")
    if isinstance(value, int | float):
        return _("a JSON number")
    return _("a JSON string")


class _JsonText:
    """JSON text read a piece at a time: skips white space, decodes one value, keeps count of
    lines. What has been read is dropped as the reading goes on."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False

    def _more(self) -> bool:
        piece = "" if self.eof else self.handle.read(PIECE)
        if not piece:
            self.eof = True
            return False
        self.buf, self.pos = self.buf[self.pos :] + piece, 0
        return True

    def _advance(self, end: int) -> None:
        self.line += self.buf.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        """The next character that is not white space; '' at the end of the text."""
        while True:
            found = _NOT_SPACE.search(self.buf, self.pos)
            if found:
                self._advance(found.start())
                return found.group()
            self._advance(len(self.buf))
            if not self._more():
                return ""

    def take(self) -> None:
        self._advance(self.pos + 1)

    def value(self):
        """Decode the value at the current position (after peek())."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Cut off by the end of the piece read so far, or really broken?
                cut = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")
                if cut and len(self.buf) - self.pos > MAX_VALUE:
                    raise _TooLong from None
                if cut and self._more():
                    continue
                line = self.line + self.buf.count("\n", self.pos, exc.pos)
                raise _Broken(exc.msg, line) from None
            if end > len(self.buf) - 3 and self._more():
                continue  # a number cut at the end of the piece ("3" of "3.25", "1" of "1e5")
            self._advance(end)
            return value

    def skip_value(self) -> bool:
        """Pass over a value too long to decode, a piece at a time; False if the text ends
        inside it. Strings and brackets are followed, nothing is decoded."""
        if self.peek() not in '"[{':
            return self._skip_scalar()
        return self._skip_nested()

    def _skip_scalar(self) -> bool:
        while True:
            found = _SCALAR_END.search(self.buf, self.pos)
            if found:
                self._advance(found.start())
                return True
            self._advance(len(self.buf))
            if not self._more():
                return True

    def _skip_nested(self) -> bool:
        """A string, array or object: to the quote or bracket that closes it."""
        depth, in_string, escaped = 0, False, False
        while True:
            buf, i = self.buf, self.pos
            while i < len(buf):
                if escaped:
                    escaped, i = False, i + 1
                    continue
                found = (_IN_STRING if in_string else _OUTSIDE_STRING).search(buf, i)
                if not found:
                    break
                i, char = found.end(), found.group()
                if char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = not in_string
                else:
                    depth += 1 if char in "[{" else -1
                if depth == 0 and not in_string and not escaped:
                    self._advance(i)
                    return True
            self._advance(len(buf))
            if not self._more():
                return False


class JsonRecords:
    """(line, (index, object) or the reason the record is bad) for each record of a JSON
    events file. `looks_like_event` tells a lone object that is an event from one that is not
    (say {"events": [...]}): the latter is a DataError, not a bad row."""

    def __init__(self, path: Path, handle, shape: str, looks_like_event: Callable) -> None:
        self.path, self._handle, self.shape = path, handle, shape
        self._looks_like_event = looks_like_event

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> JsonRecords:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[int, object]]:
        read = {"array": self._array, "lines": self._lines, "values": self._values}[self.shape]
        records = read()
        if self.shape == "array":
            yield from records
            return
        first = next(records, None)
        second = next(records, None)
        if second is None and first is not None:
            _line, item = first
            if not isinstance(item, str) and not self._looks_like_event(item[1]):
                keys = ", ".join(map(str, list(item[1])[:5])) or "none"
                raise DataError(
                    _("{name} holds one JSON object that is not an event (keys: {keys}).").format(
                        name=self.path.name, keys=keys
                    ),
                    _(SHAPES),
                )
        for record in (first, second):
            if record is not None:
                yield record
        yield from records

    @staticmethod
    def _checked(index: int | None, value) -> object:
        """The record, or why it is bad: not an object, or a value that cannot be stored."""
        if not isinstance(value, dict):
            return labelled(index, _("not a JSON object"))
        for key, item in value.items():
            if isinstance(item, str):
                problem = value_problem(_("key {key!r}").format(key=key), item)
                if problem:
                    return labelled(index, problem)
        return (index, value)

    def _lines(self):
        number = 0
        while True:
            text = self._handle.readline(PIECE)
            if not text:
                return
            number += 1
            if not (text.endswith("\n") or len(text) < PIECE):  # a long line
                parts, size = [text], len(text)
                while not (text.endswith("\n") or len(text) < PIECE):
                    text = self._handle.readline(PIECE)
                    size += len(text)
                    if size <= MAX_VALUE:
                        parts.append(text)
                if size > MAX_VALUE:
                    yield (
                        number,
                        _("is longer than {limit} ({size} characters)").format(
                            limit=MAX_VALUE_WORDS, size=shown_number(size)
                        ),
                    )
                    continue
                text = "".join(parts)
            if not text.strip():
                continue
            try:
                value = _DECODER.decode(text)
            except ValueError as exc:
                yield number, _("not valid JSON: {error}").format(error=getattr(exc, "msg", exc))
                continue
            yield number, self._checked(None, value)

    def _value(self, text: _JsonText, index: int | None) -> tuple[object, bool]:
        """The record at the current position (or why it is bad), and whether reading can go
        on after it: past a value too long to decode it can, past broken JSON it cannot."""
        try:
            return self._checked(index, text.value()), True
        except _Broken as exc:
            why = _("not valid JSON ({error} at line {line}); nothing after it was read").format(
                error=exc.message, line=exc.line
            )
            return labelled(index, why), False
        except _TooLong:
            if text.skip_value():
                why = _("longer than {limit}: skipped").format(limit=MAX_VALUE_WORDS)
                return labelled(index, why), True
            why = _("a value that never ends: nothing after it was read")
            return labelled(index, why), False

    def _values(self):
        text = _JsonText(self._handle)
        while text.peek():
            line = text.line
            record, go_on = self._value(text, None)
            yield line, record
            if not go_on:
                return

    def _array(self):
        text = _JsonText(self._handle)
        text.peek()
        text.take()  # "["
        after = text.peek()
        if after != "]":
            for index in itertools.count():
                line = text.line
                record, go_on = self._value(text, index)
                yield line, record
                if not go_on:
                    return
                after = text.peek()
                if after != ",":
                    break
                text.take()
                text.peek()
            if after != "]":
                found = repr(after) if after else _("the end of the file")
                yield (
                    text.line,
                    _(
                        "after {label}: expected ',' or ']' but found {found}: the array is cut "
                        "off or broken here, nothing after it was read"
                    ).format(label=element(index), found=found),
                )
                return
        text.take()  # "]"
        if text.peek():
            yield text.line, _("text after the end of the JSON array was not read")


def open_json_records(path: Path, encoding: str, looks_like_event: Callable) -> JsonRecords | None:
    """The JSON records of `path`, or None if it is CSV. JSON by its suffix (.json, .jsonl,
    .ndjson) or by its content: an object first, or an array of objects ('[' then '{' or ']'; a
    CSV header may start with '[Email]'). A JSON file holding anything else is a DataError."""
    handle = open(  # noqa: SIM115 - JsonRecords closes it
        path,
        encoding="utf-8-sig" if encoding.lower().replace("-", "") == "utf8" else encoding,
        newline="\n",  # JSON lines end at "\n"; a "\r" before it is white space
    )
    try:
        shape = _shape(path, _JsonText(handle))
    except BaseException:
        handle.close()
        raise
    if shape is None:
        handle.close()
        return None
    handle.seek(0)
    return JsonRecords(path, handle, shape, looks_like_event)


def _shape(path: Path, text: _JsonText) -> str | None:
    named_json = path.suffix.lower() in JSON_SUFFIXES
    first = text.peek()
    if not first:
        raise DataError(_("{name} is empty: it holds no events.").format(name=path.name), _(SHAPES))
    if first == "[":
        text.take()
        return "array" if named_json or text.peek() in ("{", "]") else None
    if first == "{":
        # One object a line (JSON lines), or objects over several lines (pretty-printed). A
        # first line that is not valid JSON is a bad row of a JSON lines file.
        start = text.line
        try:
            text.value()
        except (_Broken, _TooLong):
            return "lines"
        return "lines" if text.line == start else "values"
    if not named_json:
        return None
    try:
        value = text.value()
    except _Broken as exc:
        raise DataError(
            _("{name} is not valid JSON ({message} at line {line}).").format(
                name=path.name, message=exc.message, line=exc.line
            ),
            _(SHAPES),
        ) from None
    except _TooLong:
        raise DataError(
            _("{name} holds one JSON value over {limit}.").format(
                name=path.name, limit=MAX_VALUE_WORDS
            ),
            _(SHAPES),
        ) from None
    raise DataError(
        _("{name} holds {kind}, not events.").format(name=path.name, kind=_kind(value)),
        _(SHAPES),
    )
