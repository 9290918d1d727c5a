"""The Tooling API's query and describe for the objects clients read at login.

`sf` asks the Tooling API about sandboxes (SandboxProcess), source tracking (SourceMember),
code (ApexClass, ApexTrigger...) and debug logs. The emulated org holds none of these, so a
valid query gets a well-formed empty answer, and an invalid one Salesforce's error: each query
is compiled by the same SOQL compiler against the tooling objects' fields.
https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/intro_rest_resources.htm
"""

from __future__ import annotations

import sqlite3
import threading

from .errors import ApiError, not_found
from .query import compile_query
from .schema import Field, SObject, _obj
from .soql import SoqlError
from .store import Org

_S = {"createable": False, "updateable": False}


def _f(name: str, kind: str = "string", **kw) -> Field:
    return Field(name, kind, **{**_S, **kw})


def _objects() -> list[SObject]:
    named = [_f("Name"), _f("NamespacePrefix", length=15), _f("ApiVersion", "double")]
    return [
        _obj(
            "ApexClass",
            "01p",
            [
                *named,
                _f("Body", "textarea", length=1000000),
                _f("Status"),
                _f("IsValid", "boolean"),
            ],
        ),
        _obj(
            "ApexTrigger",
            "01q",
            [*named, _f("TableEnumOrId"), _f("Body", "textarea", length=1000000), _f("Status")],
        ),
        _obj(
            "ApexPage", "066", [*named, _f("MasterLabel"), _f("Markup", "textarea", length=1000000)]
        ),
        _obj("ApexComponent", "099", [*named, _f("MasterLabel")]),
        _obj(
            "SandboxInfo",
            "0GQ",
            [
                _f("SandboxName"),
                _f("LicenseType"),
                _f("Description"),
                _f("HistoryDays", "int"),
                _f("CopyChatter", "boolean"),
                _f("AutoActivate", "boolean"),
                _f("SourceId", "reference", reference_to=("SandboxInfo",)),
            ],
        ),
        _obj(
            "SandboxProcess",
            "0GR",
            [
                _f("SandboxName"),
                _f("SandboxInfoId", "reference", reference_to=("SandboxInfo",)),
                _f("LicenseType"),
                _f("Status"),
                _f("CopyProgress", "int"),
                _f("SandboxOrganization", length=18),
                _f("Description"),
                _f("StartDate", "datetime"),
                _f("EndDate", "datetime"),
                _f("ActivatedDate", "datetime"),
                _f("RefreshAction"),
                _f("SourceId", length=18),
                _f("AutoActivate", "boolean"),
            ],
        ),
        _obj(
            "SourceMember",
            "0MZ",
            [
                _f("MemberName"),
                _f("MemberType"),
                _f("RevisionCounter", "int"),
                _f("RevisionNum", "int"),
                _f("IsNameObsolete", "boolean"),
                _f("IsNewMember", "boolean"),
                _f("ChangedBy", length=18),
            ],
        ),
        _obj("FlexiPage", "0M0", [_f("DeveloperName"), _f("MasterLabel"), _f("Type")]),
        _obj(
            "FlowDefinition",
            "300",
            [_f("DeveloperName"), _f("MasterLabel"), _f("ActiveVersionId", length=18)],
        ),
        _obj(
            "Flow",
            "301",
            [_f("MasterLabel"), _f("Status"), _f("VersionNumber", "int"), _f("ProcessType")],
        ),
        _obj("StaticResource", "081", [*named, _f("ContentType"), _f("BodyLength", "int")]),
        _obj("AuraDefinitionBundle", "0Ab", [_f("DeveloperName"), _f("MasterLabel")]),
        _obj(
            "LightningComponentBundle",
            "0Rb",
            [_f("DeveloperName"), _f("MasterLabel"), _f("IsExposed", "boolean")],
        ),
        _obj(
            "ApexLog",
            "07L",
            [
                _f("LogUserId", "reference", reference_to=("User",)),
                _f("LogLength", "int"),
                _f("Operation"),
                _f("Request"),
                _f("Status"),
                _f("StartTime", "datetime"),
                _f("Application"),
                _f("DurationMilliseconds", "int"),
                _f("Location"),
            ],
        ),
        _obj(
            "DebugLevel",
            "7dl",
            [_f("DeveloperName"), _f("MasterLabel"), _f("ApexCode"), _f("System"), _f("Database")],
        ),
        _obj(
            "TraceFlag",
            "7tf",
            [
                _f("TracedEntityId", length=18),
                _f("DebugLevelId", "reference", reference_to=("DebugLevel",)),
                _f("LogType"),
                _f("StartDate", "datetime"),
                _f("ExpirationDate", "datetime"),
            ],
        ),
    ]


class Tooling:
    """The tooling objects, each an empty table the SOQL compiler's SQL runs against."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.schema = {o.name: o for o in _objects()}
        self.schema["User"] = org.schema["User"]  # ApexLog.LogUser.Name and the like
        self._by_lower = {k.lower(): v for k, v in self.schema.items()}
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        for obj in self.schema.values():
            cols = ", ".join(f'"{f.name}" {f.sql_type}' for f in obj.fields.values())
            self.conn.execute(f'CREATE TABLE "{obj.name}" ({cols})')

    def sobject(self, name: str) -> SObject:
        obj = self._by_lower.get(name.lower())
        if obj is None or obj.name == "User":
            raise not_found()
        return obj

    def query(self, text: str, version: str) -> dict:
        try:
            compiled = compile_query(text, self.schema, self.org.clock.today(), False)
        except SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from None
        if compiled.sobject.name == "User":
            raise ApiError(
                400,
                "INVALID_TYPE",
                f"sObject type '{compiled.sobject.name}' is not supported by the Tooling API.",
            )
        with self.lock:
            rows = self.conn.execute(compiled.sql, compiled.params).fetchall()
        if compiled.count_only or compiled.is_aggregate:
            rows = []  # an empty object counts nothing and has no groups
        records = [compiled.render(r, version) for r in rows]
        for record in records:
            record["attributes"]["url"] = record["attributes"]["url"].replace(
                "/sobjects/", "/tooling/sobjects/"
            )
        size = len(records) if not compiled.count_only else 0
        return {
            "size": size,
            "totalSize": size,
            "done": True,
            "queryLocator": None,
            "entityTypeName": compiled.sobject.name,
            "records": records,
        }

    def describe_global(self, version: str) -> dict:
        return {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [
                _tooling_urls(o.summary(version)) for o in self.schema.values() if o.name != "User"
            ],
        }

    def describe(self, name: str, version: str) -> dict:
        return _tooling_urls(self.sobject(name).describe(version))


def _tooling_urls(summary: dict) -> dict:
    summary["urls"] = {
        k: v.replace("/sobjects/", "/tooling/sobjects/") for k, v in summary["urls"].items()
    }
    return summary
