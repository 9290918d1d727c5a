"""Salesforce record ids: 15 case-sensitive characters plus a 3-character case-safe suffix.

The suffix encodes, for each 5-character chunk, which characters are upper case
(https://help.salesforce.com/s/articleView?id=000385008 describes the 15/18 forms).
"""

from __future__ import annotations

import itertools
import threading

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
POD = "5g"  # the two "instance" characters after the key prefix


def checksum(id15: str) -> str:
    out = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out += _SUFFIX[bits]
    return out


def to18(record_id: str) -> str:
    """Accept a 15- or 18-character id and return the 18-character form, or raise ValueError."""
    if len(record_id) == 18:
        if checksum(record_id[:15]) != record_id[15:]:
            # Salesforce accepts an 18-char id whose suffix differs only in case; we don't.
            raise ValueError(record_id)
        return record_id
    if len(record_id) == 15 and record_id.isalnum():
        return record_id + checksum(record_id)
    raise ValueError(record_id)


def _base62(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, r = divmod(n, 62)
        digits.append(_ALPHABET[r])
    return "".join(reversed(digits))


class IdFactory:
    """Hands out ids per key prefix; thread-safe, never repeats within one org."""

    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next_id(self, prefix: str) -> str:
        with self._lock:
            n = next(self._counter)
        # Spread counter values so consecutive ids don't differ only in the last digit.
        id15 = prefix + POD + "00" + _base62(n * 7919 % 62**8 or n, 8)
        return id15 + checksum(id15)

    def reserve(self, count: int) -> int:
        """Take `count` counter values at once (for mass generation); returns the first."""
        with self._lock:
            first = next(self._counter)
            self._counter = itertools.count(first + count)
        return first

    def id_for(self, prefix: str, n: int) -> str:
        id15 = prefix + POD + "00" + _base62(n * 7919 % 62**8 or n, 8)
        return id15 + checksum(id15)

    @property
    def position(self) -> int:
        with self._lock:
            n = next(self._counter)
            self._counter = itertools.count(n)
        return n
