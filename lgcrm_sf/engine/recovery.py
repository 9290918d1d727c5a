"""After a run that was killed: settle what it journaled but never settled, before this run
plans anything. Planned rows never left: dropped (this run plans again). Sent updates: dropped
too (sending a value twice is harmless, and the record's change comes back to be merged). A sent
create may have reached Salesforce: looked up (by our external id, or the e-mail among the
integration user's creates) and linked rather than created again; a Bulk job it left is first
finished or aborted."""

from __future__ import annotations

from .apply import find_created
from .context import Sync


def settle_leftovers(sync: Sync) -> None:
    leftover = sync.state.journal.leftovers()
    if not leftover:
        return
    creates = [r for r in leftover if r["op"] == "create" and r["state"] == "sent"]
    for job_id in sorted({r["batch"] for r in creates if r["batch"]}):
        sync.sf.ingest.finish_interrupted(job_id)
    by_object: dict[str, list[dict]] = {}
    for row in creates:
        by_object.setdefault(row["sf_object"], []).append(row)
    for sobject, rows in by_object.items():
        pending = [r for r in rows if sync.state.links.link_of(r["person_id"]) is None]
        if not pending:
            continue
        found = find_created(sync, sobject, [r["id"] for r in pending])
        with sync.state.conn:
            for row in pending:
                if row["id"] in found:
                    # Ours, made by the interrupted run: link it rather than create it again.
                    entry = sync.state.journal.entry(row["id"])
                    sync.state.links.set_link(row["person_id"], sobject, found[row["id"]], None)
                    sync.state.links.set_mirror(row["person_id"], sobject, entry["mirror"])
    with sync.state.conn:
        sync.state.journal.abandon([r["id"] for r in leftover])
