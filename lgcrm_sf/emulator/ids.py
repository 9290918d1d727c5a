"""Salesforce record ids: 15 case-sensitive characters plus a 3-character case-safe suffix.

The suffix encodes, for each 5-character chunk, which characters are upper case
(https://help.salesforce.com/s/articleView?id=000385008 describes the 15/18 forms).

Each org draws a random salt when it is created, so two emulators (or two resets of one) never
hand out the same org id or record ids; within an org a counter makes every id unique. The
counter is persisted ahead of use (a high-water mark), so an emulator killed mid-run and
restarted on its data file never hands out an id it already used.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
POD = "5g"  # the two "instance" characters after the key prefix
SPACE = 62**8  # the counter's part of an id: 8 base-62 characters
RESERVE_BLOCK = 10_000  # counter values persisted ahead of use at a time


# Each id character as the bit it contributes: 1 for an upper-case letter.
_BITS = str.maketrans({c: "1" if "A" <= c <= "Z" else "0" for c in _ALPHABET})
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # base 62 two digits at a time
# Each pair's upper-case bits: 1 for its first character, 2 for its second.
_HEAD_SUFFIX: dict[str, str] = {}  # key prefix -> the checksum's first character
_UPPER = [int(p[0].isupper()) | int(p[1].isupper()) << 1 for p in _PAIRS]


def checksum(id15: str) -> str:
    if len(id15) == 15 and id15.isascii() and id15.isalnum():  # the same, faster (every id)
        bits = id15.translate(_BITS)
        return (
            _SUFFIX[int(bits[4::-1], 2)]
            + _SUFFIX[int(bits[9:4:-1], 2)]
            + _SUFFIX[int(bits[14:9:-1], 2)]
        )
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


def new_salt() -> int:
    return secrets.randbelow(SPACE)


class IdFactory:
    """Hands out ids per key prefix; thread-safe, never repeats within one org.

    `salt` makes this org's ids its own; `persist(until)` is called (under `lock`) before any
    counter value at or past the last persisted mark is handed out."""

    def __init__(
        self,
        start: int = 1,
        salt: int = 0,
        lock: threading.RLock | None = None,
        persist: Callable[[int], None] | None = None,
    ) -> None:
        self._next = start
        self._salt = salt
        self._lock = lock or threading.RLock()
        self._persist = persist
        self._persisted = start  # counter values below this may be in use after a restart

    def _take(self, count: int) -> int:
        with self._lock:
            first = self._next
            self._next += count
            if self._persist is not None and self._next > self._persisted:
                self._persisted = self._next + RESERVE_BLOCK
                self._persist(self._persisted)
            return first

    def forget_persisted(self) -> None:
        """The transaction that persisted the mark was rolled back: persist again next time."""
        with self._lock:
            self._persisted = 0

    def next_id(self, prefix: str) -> str:
        return self.id_for(prefix, self._take(1))

    def reserve(self, count: int) -> int:
        """Take `count` counter values at once (for mass generation); returns the first."""
        return self._take(count)

    def id_for(self, prefix: str, n: int) -> str:
        # Spread counter values (7919 is prime to 62, so this is a bijection of the counter
        # space) so consecutive ids don't differ only in the last digit.
        high, low = divmod((n * 7919 + self._salt) % SPACE, 62**4)  # _base62(..., 8)
        a, b = divmod(high, 62**2)
        c, d = divmod(low, 62**2)
        id15 = prefix + POD + "00" + _PAIRS[a] + _PAIRS[b] + _PAIRS[c] + _PAIRS[d]
        head = _HEAD_SUFFIX.get(prefix)
        if head is None:
            if len(prefix) != 3:
                return id15 + checksum(id15)
            head = _HEAD_SUFFIX[prefix] = checksum(id15)[0]  # of characters 0-4 alone
        # The checksum from the pairs' upper-case bits (the same, faster: a Bulk job's every
        # row): characters 0-4 are the prefix and POD, 5-9 "00" + a + b[0], 10-14 b[1] + c + d.
        up_b = _UPPER[b]
        return (
            id15
            + head
            + _SUFFIX[_UPPER[a] << 2 | (up_b & 1) << 4]
            + _SUFFIX[up_b >> 1 | _UPPER[c] << 1 | _UPPER[d] << 3]
        )

    @property
    def position(self) -> int:
        with self._lock:
            return self._next
