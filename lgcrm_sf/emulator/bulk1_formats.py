"""Bulk API 1.0 on the wire: job and batch info in XML or JSON, error documents, batch data in
CSV, JSON or XML, and the result files Salesforce writes for each content type.

Element order follows Salesforce's asyncapi schema; XML is in the namespace
http://www.force.com/2009/06/asyncapi/dataload.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_reference_jobinfo.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_reference_batchinfo.htm
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .clock import parse_datetime
from .query import Compiled
from .values import csv_text

NS = "http://www.force.com/2009/06/asyncapi/dataload"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MEDIA = {"CSV": "text/csv", "JSON": "application/json", "XML": "application/xml"}
JOB_FIELDS = (
    "id",
    "operation",
    "object",
    "createdById",
    "createdDate",
    "systemModstamp",
    "state",
    "externalIdFieldName",
    "concurrencyMode",
    "contentType",
    "numberBatchesQueued",
    "numberBatchesInProgress",
    "numberBatchesCompleted",
    "numberBatchesFailed",
    "numberBatchesTotal",
    "numberRecordsProcessed",
    "numberRetries",
    "apiVersion",
    "numberRecordsFailed",
    "totalProcessingTime",
    "apiActiveProcessingTime",
    "apexProcessingTime",
)
BATCH_FIELDS = (
    "id",
    "jobId",
    "state",
    "stateMessage",
    "createdDate",
    "systemModstamp",
    "numberRecordsProcessed",
    "numberRecordsFailed",
    "totalProcessingTime",
    "apiActiveProcessingTime",
    "apexProcessingTime",
)


class WireError(Exception):
    """A Bulk API 1.0 error document: <error><exceptionCode>...</exceptionCode>..."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def xml_datetime(rest_form: str) -> str:
    """2024-05-01T12:00:00.000+0000 (REST) -> 2024-05-01T12:00:00.000Z (Bulk API XML)."""
    return rest_form[:-5] + "Z"


def _element(tag: str, info: dict, order: tuple[str, ...]) -> str:
    inner = "".join(f"<{k}>{_xml_value(info[k])}</{k}>" for k in order if info.get(k) is not None)
    return f"<{tag}>{inner}</{tag}>"


def document(tag: str, info: dict, as_json: bool) -> tuple[str, str]:
    """(body, media type) of a jobInfo or batchInfo."""
    order = JOB_FIELDS if tag == "jobInfo" else BATCH_FIELDS
    if as_json:
        return json.dumps({k: info[k] for k in order if info.get(k) is not None}), MEDIA["JSON"]
    xml_info = dict(info)
    for key in ("createdDate", "systemModstamp"):
        if key in xml_info:
            xml_info[key] = xml_datetime(xml_info[key])
    body = _element(tag, xml_info, order).replace(f"<{tag}>", f'<{tag} xmlns="{NS}">', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>' + body, MEDIA["XML"]


def batch_list(infos: list[dict], as_json: bool) -> tuple[str, str]:
    if as_json:
        order = BATCH_FIELDS
        items = [{k: i[k] for k in order if i.get(k) is not None} for i in infos]
        return json.dumps({"batchInfo": items}), MEDIA["JSON"]
    parts = []
    for info in infos:
        xml_info = {**info, **{k: xml_datetime(info[k]) for k in ("createdDate", "systemModstamp")}}
        parts.append(_element("batchInfo", xml_info, BATCH_FIELDS))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><batchInfoList xmlns="{NS}">'
        + "".join(parts)
        + "</batchInfoList>",
        MEDIA["XML"],
    )


def result_list(ids: list[str], as_json: bool) -> tuple[str, str]:
    if as_json:
        return json.dumps(ids), MEDIA["JSON"]
    inner = "".join(f"<result>{i}</result>" for i in ids)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><result-list xmlns="{NS}">{inner}</result-list>',
        MEDIA["XML"],
    )


def error(code: str, message: str, as_json: bool) -> tuple[str, str]:
    if as_json:
        return json.dumps({"exceptionCode": code, "exceptionMessage": message}), MEDIA["JSON"]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><error xmlns="{NS}">'
        f"<exceptionCode>{escape(code)}</exceptionCode>"
        f"<exceptionMessage>{escape(message)}</exceptionMessage></error>",
        MEDIA["XML"],
    )


def parse_job_request(body: bytes, as_json: bool) -> dict:
    """The fields of a jobInfo sent to create or update a job."""
    if as_json:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise WireError("InvalidJob", "Unable to parse the JSON job request") from None
        if not isinstance(data, dict):
            raise WireError("InvalidJob", "The job request must be a JSON object")
        return {k: str(v) if v is not None else None for k, v in data.items()}
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise WireError("XmlParserError", f"Unable to parse the XML job request: {exc}") from None
    if root.tag != f"{{{NS}}}jobInfo":
        raise WireError("InvalidJob", f"Expected jobInfo in namespace {NS}")
    return {child.tag.split("}", 1)[-1]: (child.text or "").strip() for child in root}


# --- batch data ---------------------------------------------------------------------------
def parse_records(data: bytes, content_type: str) -> list[dict]:
    """The records of a load batch, as field -> value (text from CSV and XML, typed from
    JSON). Bulk CSV: an empty value leaves the field as it is; #N/A sets it to null."""
    if content_type == "JSON":
        try:
            records = json.loads(data or b"[]")
        except ValueError:
            raise WireError("InvalidBatch", "Unable to parse the JSON batch") from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise WireError("InvalidBatch", "A JSON batch is an array of records")
        return [{k: v for k, v in r.items() if k != "attributes"} for r in records]
    if content_type == "XML":
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as exc:
            raise WireError("InvalidBatch", f"Unable to parse the XML batch: {exc}") from None
        records = []
        for item in root:
            record = {}
            for child in item:
                name = child.tag.split("}", 1)[-1]
                nil = child.get(f"{{{XSI}}}nil") == "true"
                record[name] = "#N/A" if nil else (child.text or "")
            records.append(record)
        return records
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(rows[0]):
        raise WireError("InvalidBatch", "Field name not provided")
    header = [h.strip() for h in rows[0]]
    records = []
    for values in rows[1:]:
        if not values:
            continue
        if len(values) != len(header):
            records.append({"__invalid__": values})
            continue
        records.append(dict(zip(header, values, strict=True)))
    return records


def load_results(results: list[tuple], content_type: str) -> bytes:
    """Each record's (id, success, created, errors as [{statusCode, message, fields}])."""
    if content_type == "JSON":
        return json.dumps(
            [
                {"success": ok, "created": created, "id": rid or None, "errors": errors}
                for rid, ok, created, errors in results
            ]
        ).encode()
    if content_type == "XML":
        parts = []
        for rid, ok, created, errors in results:
            errs = "".join(
                "<errors>"
                + "".join(f"<fields>{escape(f)}</fields>" for f in e["fields"])
                + f"<message>{escape(e['message'])}</message>"
                f"<statusCode>{e['statusCode']}</statusCode></errors>"
                for e in errors
            )
            ident = f"<id>{rid}</id>" if rid else ""
            parts.append(
                f"<result>{errs}{ident}<success>{_xml_value(ok)}</success>"
                f"<created>{_xml_value(created)}</created></result>"
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><results xmlns="{NS}">'
            + "".join(parts)
            + "</results>"
        ).encode()
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["Id", "Success", "Created", "Error"])
    for rid, ok, created, errors in results:
        text = " ".join(
            f"{e['statusCode']}:{e['message']}:{','.join(e['fields'])} --" for e in errors
        )
        writer.writerow([rid or "", _xml_value(ok), _xml_value(created), text])
    return out.getvalue().encode()


# --- query results ------------------------------------------------------------------------
def _epoch_ms(field_type: str, value: str) -> int:
    """Bulk API JSON results give dates and datetimes as milliseconds since the epoch."""
    if field_type == "date":
        when = datetime.combine(date.fromisoformat(value), datetime.min.time())
        return int(parse_datetime(when.isoformat() + "Z").timestamp() * 1000)
    return int(parse_datetime(value).timestamp() * 1000)


def query_writer(content_type: str, compiled: Compiled, version: str, out) -> tuple:
    """(write rows, finish) writing a query's results to the binary file `out`."""
    columns = compiled.columns
    if content_type == "CSV":
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow([".".join(c.parts) for c in columns])

        def write_csv(rows):
            for row in rows:
                writer.writerow(
                    [
                        "" if row[c.index] is None else csv_text(c.field, row[c.index])
                        for c in columns
                    ]
                )
            out.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()

        write_csv([])
        return write_csv, lambda: None
    if content_type == "JSON":
        state = {"first": True}
        out.write(b"[")
        timed = [c for c in columns if c.field.type in ("date", "datetime")]

        def write_json(rows):
            for row in rows:
                record = compiled.render(row, version)
                for c in timed:
                    target = record
                    for rel in c.parts[:-1]:
                        target = target.get(rel) if isinstance(target, dict) else None
                    if isinstance(target, dict) and target.get(c.parts[-1]) is not None:
                        target[c.parts[-1]] = _epoch_ms(c.field.type, target[c.parts[-1]])
                out.write((b"" if state["first"] else b",") + json.dumps(record).encode())
                state["first"] = False

        return write_json, lambda: out.write(b"]")
    out.write(
        f'<?xml version="1.0" encoding="UTF-8"?><queryResult xmlns="{NS}" '
        f'xmlns:xsi="{XSI}">'.encode()
    )

    def write_xml(rows):
        for row in rows:
            out.write(_xml_record(compiled.render(row, version)).encode("utf-8"))

    return write_xml, lambda: out.write(b"</queryResult>")


def _xml_record(record: dict, tag: str = "records") -> str:
    inner = f"<type>{record['attributes']['type']}</type>"
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict):
            inner += _xml_record(value, key)
        elif value is None:
            inner += f'<{key} xsi:nil="true"/>'
        else:
            shown = xml_datetime(value) if _looks_like_datetime(value) else _xml_value(value)
            inner += f"<{key}>{shown}</{key}>"
    return f'<{tag} xsi:type="sObject">{inner}</{tag}>'


def _looks_like_datetime(value) -> bool:
    return (
        isinstance(value, str) and len(value) == 28 and value.endswith("+0000") and value[10] == "T"
    )
