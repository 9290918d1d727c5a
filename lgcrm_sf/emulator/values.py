"""Turning incoming values (JSON or Bulk CSV text) into stored values, and stored values back
into what the REST API returns. The checks and messages are Salesforce's."""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from datetime import date

from .clock import parse_datetime, sf_datetime
from .errors import RecordError
from .ids import to18
from .schema import Field

# Close to the address syntax Salesforce accepts; it rejects what this rejects.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def _parse_error(f: Field, value: object, kind: str) -> RecordError:
    shown = "VALUE_STRING" if isinstance(value, str) else type(value).__name__.upper()
    return RecordError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {shown} value {value} or request may be "
        f"missing a required field",
        [f.name],
    )


def coerce(f: Field, value: object, from_csv: bool = False) -> object:
    """Validate one value for field `f` and return its stored form (None for null)."""
    if value is None:
        return None
    return _BY_TYPE.get(f.type, _text)(f, value)


def _boolean(f: Field, value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return int(value.lower() in ("true", "1"))
    raise _parse_error(f, value, "boolean")


def _int(f: Field, value: object) -> int:
    if isinstance(value, bool):
        raise _parse_error(f, value, "int")
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, int | float) or number != int(number):
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        raise _parse_error(f, value, "int") from None


def _double(f: Field, value: object) -> float:
    if isinstance(value, bool):
        raise _parse_error(f, value, "double")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _parse_error(f, value, "double") from None
    digits = f.precision - f.scale
    if digits and abs(number) >= 10**digits:
        raise RecordError(
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{f.label}: value outside of valid range on numeric field: {value}",
            [f.name],
        )
    return number


def _date(f: Field, value: object) -> str:
    if not isinstance(value, str):
        raise _parse_error(f, value, "date")
    try:
        return date.fromisoformat(value[:10] if "T" in value else value).isoformat()
    except ValueError:
        raise _parse_error(f, value, "date") from None


def _datetime(f: Field, value: object) -> str:
    if not isinstance(value, str):
        raise _parse_error(f, value, "datetime")
    try:
        return sf_datetime(parse_datetime(value))
    except ValueError:
        raise _parse_error(f, value, "datetime") from None


def _id(f: Field, value: object) -> str | None:
    if not isinstance(value, str):
        raise _parse_error(f, value, "id")
    if value == "":
        return None
    try:
        return to18(value)
    except ValueError:
        raise RecordError(
            "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
        ) from None


def _text(f: Field, value: object) -> str | None:
    # Numbers sent as JSON are accepted and stored as text, as Salesforce does.
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    elif not isinstance(value, str):
        raise _parse_error(f, value, "String")
    return _text_value(f, value)


def _text_value(f: Field, value: str) -> str | None:
    if value == "":
        return None  # Salesforce stores an empty string as null
    if len(value) > f.length:
        raise RecordError(
            "STRING_TOO_LONG",
            f"{f.label}: data value too large: {value[:60]} (max length={f.length})",
            [f.name],
        )
    if f.type == "email" and not _EMAIL.match(value):
        raise RecordError(
            "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name]
        )
    if f.type == "picklist" and f.restricted and value not in f.picklist:
        raise RecordError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{f.label}: bad value for restricted picklist field: {value}",
            [f.name],
        )
    return value


def _blob(f: Field, value: object) -> bytes | None:
    """Binary content: raw bytes from a multipart upload, base64 text from JSON or CSV."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if value == "":
        return None
    if not isinstance(value, str):
        raise _parse_error(f, value, "base64Binary")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _parse_error(f, value[:60], "base64Binary") from None


# Each type's check; every other type (the text types) is checked as text.
_BY_TYPE = {
    "boolean": _boolean,
    "int": _int,
    "double": _double,
    "currency": _double,
    "percent": _double,
    "date": _date,
    "datetime": _datetime,
    "base64": _blob,
    "reference": _id,
    "id": _id,
}


def csv_check(f: Field) -> Callable[[str], object]:
    """The check of field `f`'s values given as text (Bulk CSV): coerce's own, looked up once
    per column of a job rather than once per value."""
    return functools.partial(_BY_TYPE.get(f.type, _text_value), f)


def blob_url(sobject: str, record_id: str, field_name: str, version: str) -> str:
    """REST never inlines a base64 field: it gives the URL that serves the bytes."""
    return f"/services/data/v{version}/sobjects/{sobject}/{record_id}/{field_name}"


def compound_value(f: Field, get) -> dict | None:
    """An address or geolocation as REST returns it: one JSON object of its components, or
    null when every component is null. `get(name)` reads a component's stored value."""
    values = {key: get(name) for key, name in f.components}
    if all(v is None for v in values.values()):
        return None
    return values


def record_value(obj, f: Field, row: dict, version: str) -> object:
    """The REST value of field `f` of a stored row (a dict of column -> stored value)."""
    if f.type == "base64":
        return None if row.get(f.name) is None else blob_url(obj.name, row["Id"], f.name, version)
    if f.components:
        return compound_value(f, lambda name: output(obj.fields[name], row.get(name)))
    return output(f, row.get(f.name))


def output(f: Field, stored: object) -> object:
    """The JSON form of a stored value."""
    if stored is None:
        return None
    if f.type == "boolean":
        return bool(stored)
    if f.type == "int":
        return int(stored)
    if f.type in ("double", "currency", "percent"):
        return float(stored)
    return stored


def csv_text(f: Field, stored: object) -> str:
    """The Bulk API 2.0 CSV form: empty for null, true/false, datetimes with a Z."""
    if stored is None:
        return ""
    if f.type == "boolean":
        return "true" if stored else "false"
    if f.type == "datetime":
        return stored[:-5] + "Z"
    if f.type == "int":
        return str(int(stored))
    return str(stored)
