"""The recycle bin: delete (with Salesforce's cascade to children), undelete, hard delete and
merge, as operations of the org (store.Org mixes this class in).

Each deleted record has an entry naming the record whose delete put it there: itself, or the
parent whose delete cascaded to it, so undelete brings back exactly what went together
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_undelete.htm).
"""

from __future__ import annotations

from .errors import ApiError, RecordError
from .ids import to18


class RecycleBin:
    # Children that Salesforce deletes with their parent (a simplification of cascade delete).
    # A record's attachments go with it (and come back with it).
    CASCADE = {
        "Account": [
            ("Contact", "AccountId"),
            ("Opportunity", "AccountId"),
            ("Attachment", "ParentId"),
        ],
        "Opportunity": [("OpportunityContactRole", "OpportunityId"), ("Attachment", "ParentId")],
        "Lead": [
            ("CampaignMember", "LeadId"),
            ("Task", "WhoId"),
            ("Event", "WhoId"),
            ("Attachment", "ParentId"),
        ],
        "Contact": [
            ("CampaignMember", "ContactId"),
            ("Task", "WhoId"),
            ("Event", "WhoId"),
            ("OpportunityContactRole", "ContactId"),
            ("Attachment", "ParentId"),
        ],
        "Campaign": [("CampaignMember", "CampaignId")],
        "ContentDocument": [("ContentVersion", "ContentDocumentId")],
    }

    def delete(
        self, object_name: str, record_id: str, user_id: str, _cascade_root: str | None = None
    ) -> None:
        obj = self.sobject(object_name)
        # A child goes with its parent even when it cannot be deleted on its own (a file's
        # versions go with the file).
        if not obj.deletable and _cascade_root is None:
            raise RecordError(
                "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id"
            )
        with self.lock, self.atomic():
            row = self._live_row(obj, record_id)
            self._touch(obj, row["Id"], user_id, IsDeleted=1)
            root = _cascade_root or row["Id"]
            self._to_recycle_bin(row["Id"], root)
            for child_name, ref in self.CASCADE.get(obj.name, []):
                child = self.schema[child_name]
                for (child_id,) in self.conn.execute(
                    f'SELECT "Id" FROM "{child_name}" WHERE "{ref}" = ? AND "IsDeleted" = 0',
                    (row["Id"],),
                ).fetchall():
                    self.delete(child.name, child_id, user_id, root)

    def _to_recycle_bin(self, record_id: str, root: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO _recycle_bin VALUES (?, ?)", (record_id, root))

    def undelete(self, record_id: str, user_id: str) -> list[str]:
        """Restore a record from the recycle bin with the records its delete cascaded to
        (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_undelete.htm).
        Returns the ids restored. Records merged away come back, but what the merge moved to the
        master stays there, as in Salesforce."""
        try:
            record_id = to18(record_id)
        except ValueError:
            raise RecordError("MALFORMED_ID", f"malformed id {record_id}") from None
        not_in_bin = RecordError("UNDELETE_FAILED", "Entity is not in the recycle bin")
        obj = self.object_for_id(record_id)
        if obj is None:
            raise not_in_bin
        with self.lock, self.atomic():
            row = self.row(obj, record_id)
            if row is None or not row["IsDeleted"]:
                raise not_in_bin
            entry = self.conn.execute(
                'SELECT "RootId" FROM _recycle_bin WHERE "Id" = ?', (record_id,)
            ).fetchone()
            if entry and entry[0] != record_id:
                # Deleted with its parent: the bin holds the parent's entry, not this record's.
                raise not_in_bin
            group = [record_id] + [
                r[0]
                for r in self.conn.execute(
                    'SELECT "Id" FROM _recycle_bin WHERE "RootId" = ? AND "Id" != ?',
                    (record_id, record_id),
                )
            ]
            for member in group:
                member_obj = self.object_for_id(member)
                member_row = self.row(member_obj, member)
                if member_row is None or not member_row["IsDeleted"]:
                    continue  # purged, or already restored
                member_row["IsDeleted"] = 0
                self._check_unique(member_obj, member_row)  # a live record may hold its value
                changes = {"IsDeleted": 0}
                if member_obj.field("MasterRecordId"):
                    changes["MasterRecordId"] = None
                self._touch(member_obj, member, user_id, **changes)
            self.conn.execute('DELETE FROM _recycle_bin WHERE "RootId" = ?', (record_id,))
            return group

    def hard_delete(self, record_id: str) -> None:
        """Purge a record and what its delete cascaded to (Bulk hardDelete, emptying the bin)."""
        with self.lock:
            group = [record_id] + [
                r[0]
                for r in self.conn.execute(
                    'SELECT "Id" FROM _recycle_bin WHERE "RootId" = ?', (record_id,)
                )
            ]
            for member in group:
                obj = self.object_for_id(member)
                if obj is not None:
                    self.conn.execute(f'DELETE FROM "{obj.name}" WHERE "Id" = ?', (member,))
            self.conn.execute(
                'DELETE FROM _recycle_bin WHERE "RootId" = ? OR "Id" = ?', (record_id, record_id)
            )

    def merge(
        self, object_name: str, master_id: str, duplicate_ids: list[str], user_id: str
    ) -> None:
        """Salesforce merge: duplicates go to the recycle bin with MasterRecordId set; their
        related records move to the master."""
        obj = self.sobject(object_name)
        if not obj.mergeable:
            raise ApiError(400, "INVALID_TYPE", f"merge is not supported for {obj.name}")
        if not 1 <= len(duplicate_ids) <= 2:
            raise ApiError(400, "INVALID_OPERATION", "merge takes one or two duplicates")
        with self.lock, self.atomic():
            master = self._live_row(obj, master_id)
            children = {
                "Lead": [("Task", "WhoId"), ("Event", "WhoId"), ("CampaignMember", "LeadId")],
                "Contact": [
                    ("Task", "WhoId"),
                    ("Event", "WhoId"),
                    ("CampaignMember", "ContactId"),
                    ("OpportunityContactRole", "ContactId"),
                ],
                "Account": [
                    ("Contact", "AccountId"),
                    ("Opportunity", "AccountId"),
                    ("Task", "WhatId"),
                ],
            }[obj.name]
            for dup_id in duplicate_ids:
                dup = self._live_row(obj, dup_id)
                for child, ref in children:
                    for (child_id,) in self.conn.execute(
                        f'SELECT "Id" FROM "{child}" WHERE "{ref}" = ?', (dup["Id"],)
                    ).fetchall():
                        self._touch(self.schema[child], child_id, user_id, **{ref: master["Id"]})
                self._touch(obj, dup["Id"], user_id, IsDeleted=1, MasterRecordId=master["Id"])
                self._to_recycle_bin(dup["Id"], dup["Id"])
            self._touch(obj, master["Id"], user_id)
