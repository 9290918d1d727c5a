"""Files (Salesforce CRM Content): inserting a ContentVersion creates its ContentDocument, or
adds a version to the document named by ContentDocumentId, and fills the read-only fields
Salesforce computes (size, extension, file type, version number, IsLatest).
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentversion.htm
"""

from __future__ import annotations

import posixpath

from .errors import RecordError

# FileType as Salesforce reports it for common extensions; anything else is UNKNOWN.
FILE_TYPES = {
    "pdf": "PDF",
    "txt": "TEXT",
    "csv": "CSV",
    "png": "PNG",
    "jpg": "JPG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "doc": "WORD",
    "docx": "WORD_X",
    "xls": "EXCEL",
    "xlsx": "EXCEL_X",
    "ppt": "POWER_POINT",
    "pptx": "POWER_POINT_X",
    "zip": "ZIP",
    "html": "HTML",
    "xml": "XML",
    "json": "JSON",
}


def new_version(org, row: dict, user_id: str) -> None:
    """Derive a version's fields before it is stored, creating or updating its document."""
    path = row.get("PathOnClient") or ""
    name = posixpath.basename(path.replace("\\", "/"))
    stem, _, extension = name.rpartition(".") if "." in name else (name, "", "")
    extension = extension.lower()
    if not row.get("Title"):
        row["Title"] = stem or name
    data = row.get("VersionData") or b""
    row["ContentSize"] = len(data)
    row["FileExtension"] = extension or None
    row["FileType"] = FILE_TYPES.get(extension, "UNKNOWN")
    row["IsLatest"] = 1
    document_id = row.get("ContentDocumentId")
    summary = {
        "Title": row["Title"],
        "FileType": row["FileType"],
        "FileExtension": row["FileExtension"],
        "ContentSize": row["ContentSize"],
    }
    if document_id is None:
        row["VersionNumber"] = "1"
        document_id = org.insert(
            "ContentDocument",
            {**summary, "OwnerId": row.get("OwnerId") or user_id},
            user_id,
            system=True,
        )
        row["ContentDocumentId"] = document_id
    else:
        versions = org.conn.execute(
            'SELECT COUNT(*) FROM "ContentVersion" WHERE "ContentDocumentId" = ?', (document_id,)
        ).fetchone()[0]
        if not versions:
            raise RecordError(
                "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["ContentDocumentId"]
            )
        row["VersionNumber"] = str(versions + 1)
        org.conn.execute(
            'UPDATE "ContentVersion" SET "IsLatest" = 0 WHERE "ContentDocumentId" = ?',
            (document_id,),
        )
        org.update("ContentDocument", document_id, summary, user_id, system=True)
    # The version row is written right after this; the document points at it already.
    org.conn.execute(
        'UPDATE "ContentDocument" SET "LatestPublishedVersionId" = ? WHERE "Id" = ?',
        (row["Id"], document_id),
    )
