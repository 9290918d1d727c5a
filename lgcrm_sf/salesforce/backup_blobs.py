"""Binary fields in a backup (base64 fields such as ContentVersion.VersionData).

Neither Bulk API nor a query returns their bytes: a query gives each record's blob URL
(/services/data/vXX.X/sobjects/ContentVersion/{id}/VersionData) and a GET of that URL gives
the bytes (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_blob_retrieve.htm).
Each one goes to `<Object>.<Field>/<record id>` beside the CSVs, hashed as it is written; the
manifest lists every file with its size and SHA-256 so `backup verify` checks them too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from simple_salesforce.util import exception_handler

from ..i18n import N_, deferred
from .client import SalesforceClient

CHUNK_BYTES = 1024 * 1024
# the manifest says why a file is missing, in English
GONE = deferred(N_("deleted before its content could be read"))


def blob_dir(sobject: str, field: str) -> str:
    return f"{sobject}.{field}"


def fetch_blobs(
    client: SalesforceClient,
    directory: Path,
    sobject: str,
    fields: list[str],
    include_deleted: bool,
) -> list[dict]:
    """Download every non-empty binary field of `sobject`; one manifest entry per file."""
    for name in fields:
        (directory / blob_dir(sobject, name)).mkdir(mode=0o700, exist_ok=True)
    soql = f"SELECT Id, {', '.join(fields)} FROM {sobject} ORDER BY Id"
    what = deferred(N_("the binary fields of {sobject}"), sobject=sobject)
    page = client.call(lambda sf: sf.query(soql, include_deleted=include_deleted), what)
    entries = []
    while True:
        for record in page["records"]:
            for name in fields:
                url = record.get(name)
                if url:
                    entries.append(_fetch(client, directory, sobject, record["Id"], name, url))
        if page.get("done", True):
            return entries
        page = client.call(
            lambda sf, url=page["nextRecordsUrl"]: sf.query_more(
                url, identifier_is_url=True, include_deleted=include_deleted
            ),
            what,
        )


def _fetch(
    client: SalesforceClient, directory: Path, sobject: str, record_id: str, name: str, url: str
) -> dict:
    file = f"{blob_dir(sobject, name)}/{record_id}"
    target = directory / file

    def get(sf):
        # A retry starts the file again from its first byte (O_TRUNC).
        with sf.session.get(
            f"https://{sf.sf_instance}{url}", headers=sf.headers, stream=True
        ) as response:
            if response.status_code == 404:
                return None
            if response.status_code >= 300:
                response.content  # noqa: B018 - read the error body for the exception
                exception_handler(response, "a binary field")
            sha, size = hashlib.sha256(), 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                for chunk in response.iter_content(CHUNK_BYTES):
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            return size, sha.hexdigest()

    got = client.call(
        get, deferred(N_("the {name} of {record_id}"), name=name, record_id=record_id)
    )
    if got is None:
        return {"id": record_id, "field": name, "file": None, "missing": GONE}
    size, sha = got
    return {"id": record_id, "field": name, "file": file, "bytes": size, "sha256": sha}
