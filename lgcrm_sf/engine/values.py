"""Values as each side holds them, made comparable. Salesforce values arrive as REST JSON or Bulk
CSV text; ours are text, numbers and booleans. Both are normalised before any comparison so that
"" and null, 1 and 1.0, true and "true" are the same value."""

from __future__ import annotations

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
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-9 * max(1.0, abs(float(a)))
    return str(a) == str(b)


class Converter:
    """Turns one mapped field's values from our form to Salesforce's and back."""

    def __init__(self, fmap: FieldMap | None, lg_type: str, sf_field: dict) -> None:
        self.fmap = fmap
        self.lg_type = lg_type
        self.sf_type = sf_field["type"]
        self.length = sf_field.get("length") or 0
        self.transform = fmap.transform if fmap else None

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
