"""Salesforce's error shape: HTTP status plus a JSON array of {message, errorCode, fields}."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.errors = [{"message": message, "errorCode": code, "fields": fields or []}]

    @property
    def code(self) -> str:
        return self.errors[0]["errorCode"]

    @property
    def message(self) -> str:
        return self.errors[0]["message"]


class RecordError(ApiError):
    """A write Salesforce refuses for one record; collections report it per record."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None, status=400):
        super().__init__(status, code, message, fields)

    def as_status(self) -> dict:
        """The per-record form used by sObject Collections and Bulk results."""
        e = self.errors[0]
        return {"statusCode": e["errorCode"], "message": e["message"], "fields": e["fields"]}


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")
