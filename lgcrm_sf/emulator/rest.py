"""REST API resources under /services/data/vXX.X/: describe, records, upsert, getUpdated and
getDeleted, query/queryAll with cursors, sObject Collections and limits."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from .clock import parse_datetime, sf_datetime
from .columns import column_metadata
from .errors import ApiError, RecordError, not_found
from .ids import to18
from .query import Compiled
from .schema import Field, SObject
from .soql import SoqlError
from .store import Org

MAX_BATCH = 2000
MAX_GROUPS = 2000  # an aggregate query answers in one batch: it has no query locator
MIN_BATCH = 200
COLLECTION_LIMIT = 200
CURSOR_IDLE_SECONDS = 15 * 60  # query locators expire after 15 minutes of inactivity


@dataclass
class Cursor:
    compiled: Compiled
    rowids: list[int]
    batch: int
    version: str
    last_used: float


class Cursors:
    def __init__(self) -> None:
        self._cursors: dict[str, Cursor] = {}
        self._lock = threading.Lock()

    def add(self, cursor: Cursor) -> str:
        locator = "01g5g" + secrets.token_hex(7)[:13].upper()
        with self._lock:
            self._cursors[locator] = cursor
        return locator

    def get(self, locator: str) -> Cursor:
        with self._lock:
            cursor = self._cursors.get(locator)
            if cursor is None or time.monotonic() - cursor.last_used > CURSOR_IDLE_SECONDS:
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            cursor.last_used = time.monotonic()
            return cursor

    def drop(self, locator: str) -> None:
        with self._lock:
            self._cursors.pop(locator, None)


def batch_size(header: str | None) -> int:
    """`Sforce-Query-Options: batchSize=N`: 200..2000, a hint Salesforce may lower."""
    if not header:
        return MAX_BATCH
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize":
            try:
                return max(MIN_BATCH, min(MAX_BATCH, int(value)))
            except ValueError:
                raise ApiError(
                    400, "INVALID_QUERY_OPTIONS", f"Invalid batchSize: {value}"
                ) from None
    return MAX_BATCH


def run_query(
    org: Org,
    cursors: Cursors,
    text: str,
    include_deleted: bool,
    version: str,
    batch: int,
    resource: str,
) -> dict:
    try:
        compiled = org.query(text, include_deleted)
    except SoqlError as exc:
        raise ApiError(400, exc.code, exc.message) from None
    with org.lock:
        if compiled.count_only:
            count_sql = f"SELECT COUNT(*) FROM ({compiled.sql})"
            total = org.conn.execute(count_sql, compiled.params).fetchone()[0]
            return {"totalSize": total, "done": True, "records": []}
        if compiled.is_aggregate:
            rows = org.conn.execute(compiled.sql, compiled.params).fetchmany(MAX_GROUPS + 1)
            if len(rows) > MAX_GROUPS:
                raise ApiError(
                    400,
                    "EXCEEDED_ID_LIMIT",
                    "Aggregate query does not support queryMore(), use LIMIT to restrict the "
                    "results to a single batch",
                )
            records = [compiled.aggregate.render(r) for r in rows]
            return {"totalSize": len(records), "done": True, "records": records}
        # Snapshot the matching rows (by rowid) so later pages are stable, as a locator is.
        rowid_sql = compiled.sql.replace('SELECT t0."Id"', 'SELECT t0.rowid, t0."Id"', 1)
        cur = org.conn.execute(rowid_sql, compiled.params)
        first_rows, rowids = [], []
        for row in cur:
            rowids.append(row[0])
            if len(first_rows) < batch:
                first_rows.append(row[1:])
        if compiled.for_clause:
            mark_viewed(org, compiled, rowids)
    records = [compiled.render(r, version) for r in first_rows]
    result = {"totalSize": len(rowids), "done": len(rowids) <= batch, "records": records}
    if len(rowids) > batch:
        locator = cursors.add(Cursor(compiled, rowids, batch, version, time.monotonic()))
        result["nextRecordsUrl"] = f"/services/data/v{version}/{resource}/{locator}-{batch}"
    return result


def mark_viewed(org: Org, compiled: Compiled, rowids: list[int]) -> None:
    """FOR VIEW / FOR REFERENCE stamp the records returned, as opening them in the UI would,
    without changing SystemModstamp
    (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_for_view.htm)."""
    obj = compiled.sobject
    if obj.field("LastReferencedDate") is None or not rowids:
        return
    names = ["LastReferencedDate"] + (["LastViewedDate"] if compiled.for_clause == "VIEW" else [])
    sets = ", ".join(f'"{n}" = ?' for n in names)
    now = org.now()
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        org.conn.execute(
            f'UPDATE "{obj.name}" SET {sets} WHERE rowid IN ({",".join("?" * len(chunk))})',
            [now] * len(names) + chunk,
        )


def query_more(org: Org, cursors: Cursors, locator_part: str, resource: str) -> dict:
    locator, _, offset_text = locator_part.rpartition("-")
    if not locator or not offset_text.isdigit():
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    cursor = cursors.get(locator)
    offset = int(offset_text)
    chunk = cursor.rowids[offset : offset + cursor.batch]
    compiled = cursor.compiled
    if chunk:
        sql = compiled.sql.replace('SELECT t0."Id"', 'SELECT t0.rowid, t0."Id"', 1)
        unordered = sql.split(" ORDER BY ")[0].split(" LIMIT ")[0]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT * FROM ({unordered}) WHERE rowid IN ({marks})"
        with org.lock:
            by_rowid = {r[0]: r[1:] for r in org.conn.execute(sql, [*compiled.params, *chunk])}
        rows = [by_rowid[r] for r in chunk if r in by_rowid]
    else:
        rows = []
    records = [compiled.render(r, cursor.version) for r in rows]
    next_offset = offset + cursor.batch
    result = {
        "totalSize": len(cursor.rowids),
        "done": next_offset >= len(cursor.rowids),
        "records": records,
    }
    if result["done"]:
        cursors.drop(locator)
    else:
        result["nextRecordsUrl"] = (
            f"/services/data/v{cursor.version}/{resource}/{locator}-{next_offset}"
        )
    return result


def query_columns(org: Org, text: str, include_deleted: bool) -> dict:
    """`query?q=...&columns=true`: the columns the query would return (see columns.py)."""
    try:
        compiled = org.query(text, include_deleted)
    except SoqlError as exc:
        raise ApiError(400, exc.code, exc.message) from None
    return column_metadata(compiled)


# --- records --------------------------------------------------------------------------------
def multipart_body(obj: SObject, request) -> dict:
    """A record with binary content sent as multipart/form-data: its JSON in the part named
    entity_<object> (entity_content for ContentVersion, as clients send), the bytes in the
    part named after the base64 field
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_insert_update_blob.htm)."""
    entity = None
    for name in request.form:
        if name.lower().startswith("entity_"):
            entity = request.form[name]
    for name, upload in request.files.items():
        if name.lower().startswith("entity_"):
            entity = upload.read().decode("utf-8")
    if entity is None:
        raise ApiError(
            400, "MISSING_ARGUMENT", "multipart requests need a part named entity_<object> (JSON)"
        )
    body = parse_json(entity.encode("utf-8"))
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of SObject")
    for name, upload in request.files.items():
        f = obj.field(name)
        if f is not None and f.type == "base64":
            body[f.name] = upload.read()
    return body


def blob(org: Org, obj: SObject, record_id: str, f) -> bytes:
    """The bytes of a base64 field: what the blob URL in query results serves."""
    try:
        record_id = to18(record_id)
    except ValueError:
        raise not_found() from None
    with org.lock:
        row = org.conn.execute(
            f'SELECT "{f.name}", "IsDeleted" FROM "{obj.name}" WHERE "Id" = ?', (record_id,)
        ).fetchone()
    if row is None or row[1] or row[0] is None:
        raise not_found()
    return bytes(row[0])


def parse_json(body: bytes):
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None


def create(org: Org, user_id: str, object_name: str, body: dict) -> dict:
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of SObject")
    if "Id" in body:
        raise RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: Id. Please check the security settings of this field "
            "and verify that it is read/write for your profile or permission set.",
            ["Id"],
        )
    record_id = org.insert(object_name, body, user_id)
    return {"id": record_id, "success": True, "errors": []}


def upsert(
    org: Org, user_id: str, object_name: str, field_name: str, value: str, body: dict
) -> tuple[int, dict | list]:
    """PATCH sobjects/{Obj}/{ExtIdField}/{value}: 201 created, 200 updated, 300 several matches."""
    obj = org.sobject(object_name)
    f = obj.field(field_name)
    if f is None or not (f.external_id or f.name == "Id"):
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {field_name}",
        )
    if f.name == "Id":
        try:
            matches = [to18(value)] if org.row(obj, to18(value), include_deleted=False) else []
        except ValueError:
            raise ApiError(400, "MALFORMED_ID", f"Id in upsert is not valid: {value}") from None
    else:
        matches = org.find_ids(obj, f.name, value)
    body = {k: v for k, v in body.items() if k.lower() != f.name.lower()}
    if len(matches) > 1:
        return 300, [f"/services/data/v{{version}}/sobjects/{obj.name}/{m}" for m in matches]
    if matches:
        org.update(obj.name, matches[0], body, user_id)
        return 200, {"id": matches[0], "success": True, "errors": [], "created": False}
    if f.name != "Id":
        body[f.name] = value
    record_id = org.insert(obj.name, body, user_id)
    return 201, {"id": record_id, "success": True, "errors": [], "created": True}


UPSERT_CHUNK = 200  # Salesforce runs an upsert's records through the database 200 at a time


def repeated_external_ids(obj: SObject, field_name: str, values: list) -> set[str]:
    """External id values that occur more than once among `values` (one chunk of an upsert),
    compared as the field compares them. Salesforce refuses every record carrying one,
    "Duplicate external id specified", rather than pick which to apply."""
    f = obj.field(field_name)
    if f is None or f.name == "Id":
        return set()
    seen: dict[str, int] = {}
    for value in values:
        if value is not None:
            key = external_id_key(f, value)
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count > 1}


def external_id_key(f: Field, value: object) -> str:
    text = str(value)
    return text if f.case_sensitive else text.casefold()


def refuse_repeated(f: Field, value: object, repeated: set[str]) -> None:
    if repeated and external_id_key(f, value) in repeated:
        raise RecordError("DUPLICATE_VALUE", f"Duplicate external id specified: {value}", [f.name])


def updated_or_deleted(
    org: Org, object_name: str, kind: str, start: str | None, end: str | None
) -> dict:
    """getUpdated()/getDeleted(): ids changed in [start, end], minutes-granular, within 30 days
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm)."""
    obj = org.sobject(object_name)
    if not start or not end:
        raise ApiError(400, "MALFORMED_QUERY", "start and end are required")
    try:
        start_dt, end_dt = parse_datetime(start), parse_datetime(end)
    except ValueError:
        raise ApiError(400, "MALFORMED_QUERY", "Invalid date format") from None
    now = org.clock.now()
    earliest = now - timedelta(days=30)
    if start_dt < earliest:
        raise ApiError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
    if end_dt <= start_dt:
        raise ApiError(400, "INVALID_REPLICATION_DATE", "EndDate must be after StartDate")
    # Salesforce rounds both ends down to the minute and never covers the current minute.
    start_dt = start_dt.replace(second=0, microsecond=0)
    end_dt = min(end_dt, now).replace(second=0, microsecond=0)
    lo, hi = sf_datetime(start_dt), sf_datetime(end_dt)
    deleted = 1 if kind == "deleted" else 0
    with org.lock:
        rows = org.conn.execute(
            f'SELECT "Id", "SystemModstamp" FROM "{obj.name}" WHERE "SystemModstamp" >= ? AND '
            f'"SystemModstamp" < ? AND "IsDeleted" = ? ORDER BY "SystemModstamp"',
            (lo, hi, deleted),
        ).fetchall()
    if len(rows) > 600000:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. narrow the time window")
    if kind == "updated":
        return {"ids": [r[0] for r in rows], "latestDateCovered": hi}
    return {
        "deletedRecords": [{"id": r[0], "deletedDate": r[1]} for r in rows],
        "earliestDateAvailable": sf_datetime(earliest.replace(second=0, microsecond=0)),
        "latestDateCovered": hi,
    }


# --- sObject Collections ----------------------------------------------------------------------
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
    "fields": [],
}


def _collection(org: Org, items: list, all_or_none: bool, apply) -> list[dict]:
    if len(items) > COLLECTION_LIMIT:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"Record limit reached. You can submit up to {COLLECTION_LIMIT} records",
        )
    results: list[dict] = []

    class _Abort(Exception):
        pass

    try:
        with org.atomic():
            for item in items:
                try:
                    with org.atomic():
                        results.append(apply(item))
                except RecordError as exc:
                    results.append(
                        {"id": _item_id(item), "success": False, "errors": [exc.as_status()]}
                    )
            if all_or_none and any(not r["success"] for r in results):
                raise _Abort
    except _Abort:
        return [
            r if not r["success"] else {"id": None, "success": False, "errors": [_ROLLED_BACK]}
            for r in results
        ]
    return results


def _item_id(item) -> str | None:
    if isinstance(item, dict):
        return item.get("Id") or item.get("id")
    return item if isinstance(item, str) else None


def collection_write(
    org: Org,
    user_id: str,
    method: str,
    body,
    object_name: str | None = None,
    ext_field: str | None = None,
    version: str = "",
) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must have a records array")
    all_or_none = bool(body.get("allOrNone", False))

    def record_type(record) -> str:
        kind = (record.get("attributes") or {}).get("type")
        if not kind:
            raise RecordError("INVALID_TYPE", "Must send a concrete entity type.")
        return kind

    def do_create(record):
        if record.get("Id"):
            raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        return {
            "id": org.insert(record_type(record), record, user_id),
            "success": True,
            "errors": [],
        }

    def do_update(record):
        if not record.get("Id"):
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
        values = {k: v for k, v in record.items() if k != "Id"}
        org.update(record_type(record), record["Id"], values, user_id)
        return {"id": to18(record["Id"]), "success": True, "errors": []}

    def ext_value(record):
        value = record.get(ext_field)
        if value is None:
            value = next((v for k, v in record.items() if k.lower() == ext_field.lower()), None)
        return value

    repeated = set()
    if ext_field and isinstance(body["records"], list):
        values = [ext_value(r) for r in body["records"] if isinstance(r, dict)]
        repeated = repeated_external_ids(org.sobject(object_name), ext_field, values)

    def do_upsert(record):
        value = ext_value(record)
        if value is None:
            raise RecordError("MISSING_ARGUMENT", f"{ext_field} not specified", [ext_field])
        refuse_repeated(org.sobject(object_name).field(ext_field), value, repeated)
        status, result = upsert(org, user_id, object_name, ext_field, str(value), dict(record))
        if status == 300:
            raise RecordError(
                "DUPLICATE_EXTERNAL_ID",
                f"{ext_field}: more than one record found for external id field: {result}",
                [ext_field],
            )
        return result

    apply = {"POST": do_create, "PATCH": do_upsert if ext_field else do_update}[method]
    for record in body["records"]:
        if not isinstance(record, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
    return _collection(org, body["records"], all_or_none, apply)


def collection_delete(org: Org, user_id: str, ids: list[str], all_or_none: bool) -> list[dict]:
    def do_delete(record_id):
        try:
            record_id = to18(record_id)
        except ValueError:
            raise RecordError("MALFORMED_ID", f"malformed id {record_id}") from None
        obj = org.object_for_id(record_id)
        if obj is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        try:
            org.delete(obj.name, record_id, user_id)
        except RecordError as exc:
            if exc.code == "NOT_FOUND":
                raise RecordError(
                    "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"
                ) from None
            raise
        return {"id": record_id, "success": True, "errors": []}

    return _collection(org, ids, all_or_none, do_delete)


def collection_retrieve(
    org: Org, object_name: str, ids: list[str], fields: list[str], version: str
) -> list:
    obj = org.sobject(object_name)
    if len(ids) > 2000:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "Record limit reached")
    if not fields:
        raise ApiError(400, "MISSING_ARGUMENT", "fields are required")
    out = []
    for record_id in ids:
        try:
            row = org.row(obj, to18(record_id), include_deleted=False)
        except ValueError:
            row = None
        out.append(org.record(obj, row, version, fields) if row else None)
    return out


def describe_global(org: Org, version: str) -> dict:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [o.summary(version) for o in org.schema.values()],
    }


def sobject_basic(org: Org, object_name: str, version: str) -> dict:
    obj = org.sobject(object_name)
    with org.lock:
        recent = org.conn.execute(
            f'SELECT "Id" FROM "{obj.name}" WHERE "IsDeleted" = 0 ORDER BY "LastModifiedDate" '
            "DESC LIMIT 5"
        ).fetchall()
    return {
        "objectDescribe": obj.summary(version),
        "recentItems": [
            {
                "attributes": {
                    "type": obj.name,
                    "url": f"/services/data/v{version}/sobjects/{obj.name}/{r[0]}",
                },
                "Id": r[0],
            }
            for r in recent
        ],
    }


__all__ = ["not_found"]
