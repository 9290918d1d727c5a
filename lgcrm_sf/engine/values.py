"""Values as each side holds them, made comparable. Salesforce values arrive as REST JSON or Bulk
CSV text; ours are text, numbers and booleans. Both are normalised before any comparison so that
"" and null, 1 and 1.0, true and "true" are the same value."""

from __future__ import annotations

import datetime

from ..mapping.model import FieldMap

NUMBER = {"double", "currency", "percent", "int"}
TEXT = {
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "multipicklist",
    "combobox",
    "id",
    "reference",
}


def utc_text(stamp: str | None) -> str | None:
    """One spelling for Salesforce and local timestamps: 2026-11-27T08:00:00.000Z."""
    if not stamp:
        return None
    if stamp.endswith("+0000"):
        return stamp[:-5] + "Z"
    if stamp.endswith("+00:00"):
        return stamp[:-6] + "Z"
    return stamp


def sf_native(value, sf_type: str):
    """A Salesforce value (REST or Bulk CSV) in one normal form."""
    if value is None or value == "":
        return None
    if sf_type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if sf_type in NUMBER:
        number = float(value)
        return int(number) if sf_type == "int" else number
    if sf_type == "datetime":
        return utc_text(str(value))
    return str(value)


def lg_native(value, lg_type: str):
    if value is None or value == "":
        return None
    if lg_type == "boolean":
        return bool(value)
    if lg_type == "number":
        return float(value)
    return value


def same(a, b) -> bool:
    """Equality when the field's type is unknown: null and "" alike, numbers by value."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-9 * max(1.0, abs(float(a)))
    return str(a) == str(b)


def _instant(value) -> datetime.datetime | None:
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]  # +0000 -> +00:00
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def equal(a, b, value_type: str) -> bool:
    """The one equality of two values of a field, by the field's type (a Salesforce type, or
    one of ours): every change, conflict and plan line is decided with it. E-mails compare
    without case, numbers by value, datetimes as instants, multi-select picklists as sets."""
    if a is None or a == "" or b is None or b == "":
        return (a is None or a == "") and (b is None or b == "")
    if value_type == "email":
        return str(a).strip().lower() == str(b).strip().lower()
    if value_type in NUMBER or value_type == "number":
        x, y = _number(a), _number(b)
        if x is not None and y is not None:
            return abs(x - y) < 1e-9 * max(1.0, abs(x))
    if value_type == "boolean":
        return _truth(a) == _truth(b)
    if value_type == "datetime":
        x, y = _instant(a), _instant(b)
        if x is not None and y is not None:
            return x == y
    if value_type == "date":
        return str(a)[:10] == str(b)[:10]
    if value_type == "multipicklist":
        return _choices(a) == _choices(b)
    return same(a, b)


def _truth(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1")


def _choices(value) -> frozenset[str]:
    return frozenset(v.strip() for v in str(value).split(";") if v.strip())


class Converter:
    """Turns one mapped field's values from our form to Salesforce's and back."""

    def __init__(self, fmap: FieldMap | None, lg_type: str, sf_field: dict) -> None:
        self.fmap = fmap
        self.lg_type = lg_type
        self.sf_type = sf_field["type"]
        self.length = sf_field.get("length") or 0
        self.transform = fmap.transform if fmap else None

    def same_sf(self, a, b) -> bool:
        """Two values in Salesforce's form, compared by the Salesforce field's type."""
        return equal(a, b, self.sf_type)

    def same_lg(self, a, b) -> bool:
        """Two values in our form, compared by our field's type."""
        return equal(a, b, self.lg_type)

    def to_salesforce(self, lg):
        value = lg
        if self.transform:
            value = self.transform.to_salesforce(value)
        if value is None:
            return None
        if self.sf_type == "boolean":
            return bool(value)
        if self.sf_type in NUMBER:
            return sf_native(value, self.sf_type)
        text = str(value)
        if (
            self.transform
            and self.transform.too_long == "truncate"
            and self.length
            and len(text) > self.length
        ):
            text = text[: self.length]
        return text

    def to_leadgen(self, sf):
        value = sf
        if self.transform:
            value = self.transform.to_leadgen(value)
        if value is None:
            return None
        if self.lg_type == "email":
            return str(value).strip().lower()
        if self.lg_type == "boolean":
            return bool(value)
        if self.lg_type == "number":
            return float(value)
        return str(value)
