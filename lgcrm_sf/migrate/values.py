"""Field values between a backup's CSV text, the REST API's JSON and a comparable form.

A backup holds Bulk API 2.0 CSV text (`true`, `2024-05-01T12:00:00.000Z`, `1500.0`); REST
answers JSON (`true`, `2024-05-01T12:00:00.000+0000`, `1500`). `canonical()` turns either into
one spelling per describe type, so "has this field changed?" and "is this the record we sent?"
compare values, not spellings."""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal, InvalidOperation

BOOLEAN = {"boolean"}
INTEGER = {"int", "long"}
DECIMAL = {"double", "currency", "percent"}
DATETIME = {"datetime"}
DATE = {"date"}
TRUE_TEXT = {"true", "1"}
_WHOLE_NUMBER = re.compile(r"(-?[1-9][0-9]*|0)(?:\.0*)?")  # 1500 or 1500.0: "1500"
_UTC_MILLIS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def is_empty(value) -> bool:
    return value is None or value == ""


def typed(text: str | None, ftype: str):
    """CSV text to the JSON value a REST write takes for a field of this describe type."""
    if is_empty(text):
        return None
    if ftype in BOOLEAN:
        return str(text).strip().lower() in TRUE_TEXT
    if ftype in INTEGER:
        number = _decimal(text)
        return int(number) if number is not None else text
    if ftype in DECIMAL:
        number = _decimal(text)
        return float(number) if number is not None else text
    return text


def canonical(value, ftype: str) -> str | None:
    """One spelling of a value (CSV text or REST JSON) per type; None for empty."""
    if is_empty(value):
        return None
    return _CANONICAL.get(ftype, _text)(value)


def _text(value) -> str:
    return str(value).strip()


def _boolean(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "true" if str(value).strip().lower() in TRUE_TEXT else "false"


def _number(value) -> str:
    whole = _WHOLE_NUMBER.fullmatch(value) if isinstance(value, str) else None
    if whole:  # the common case, spelled as `_plain` would: no Decimal needed
        return whole.group(1)
    number = _decimal(value)
    return _plain(number) if number is not None else str(value).strip()


def _datetime(value) -> str:
    text = str(value)
    if _UTC_MILLIS.fullmatch(text):
        return text  # Bulk API's own spelling: parsing gives it back unchanged (or fails)
    return _utc_millis(text)


def differs(a, b, ftype: str) -> bool:
    return canonical(a, ftype) != canonical(b, ftype)


def fingerprint(pairs) -> str:
    """A short digest of (field, canonical value) pairs: the values a create sent, to know the
    record again among those Salesforce holds (write safety: a lost answer is looked up). The
    digest is kept in progress files across versions: its bytes never change."""
    parts = []
    for name, value in sorted(pairs):
        parts += (name.lower(), "\x1f", value or "", "\x1e")
    return hashlib.blake2b("".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def sent_fingerprint(values: dict, types: dict[str, str]) -> str:
    """The fingerprint of a create from the values it sends (empty ones are left out: Salesforce
    may fill them with a default, which is not a different record). Binary fields are left
    out: a record read back gives their URL, not their bytes."""
    pairs = []
    for name, value in values.items():
        if value is None or value == "":
            continue
        ftype = types.get(name, "string")
        if ftype != "base64":
            pairs.append((name, _CANONICAL.get(ftype, _text)(value)))
    return fingerprint(pairs)


def fingerprinter(fields: list[str], types: dict[str, str], at: dict[str, int] | None = None):
    """`sent_fingerprint` for rows that all hold the same fields (a Bulk job's), with the order
    and the conversions worked out once: the same digest, at a fraction of the cost. A row is a
    dict holding every field or, with `at` (field -> position), a list of cells."""
    steps = [
        ((at or {}).get(name, name), name.lower() + "\x1f", _CANONICAL.get(types.get(name, "")))
        for name in sorted(fields)
        if types.get(name) != "base64"
    ]

    def digest(row) -> str:
        parts = []
        for key, head, convert in steps:
            value = row[key]
            if value is None or value == "":
                continue
            if convert is not None:
                value = convert(value)
            elif type(value) is str:
                value = value.strip()
            else:
                value = _text(value)
            parts += (head, value, "\x1e")
        return hashlib.blake2b("".join(parts).encode("utf-8"), digest_size=16).hexdigest()

    return digest


def record_fingerprint(record: dict, fields, types: dict[str, str]) -> str:
    """The fingerprint of a record read back, over the fields a create sent."""
    lowered = {k.lower(): v for k, v in record.items()}
    return fingerprint(
        (name, canonical(lowered.get(name.lower()), types.get(name, "string"))) for name in fields
    )


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _utc_millis(text: str) -> str:
    """`2024-05-01T12:00:00Z`, `...000Z`, `...000+0000` and `...+00:00` alike."""
    cleaned = text.strip().replace("Z", "+00:00")
    if len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-3] != ":":
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]  # +0000 -> +00:00
    try:
        moment = datetime.datetime.fromisoformat(cleaned)
    except ValueError:
        return text.strip()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_CANONICAL = {
    **dict.fromkeys(BOOLEAN, _boolean),
    **dict.fromkeys(INTEGER | DECIMAL, _number),
    **dict.fromkeys(DATETIME, _datetime),
}
