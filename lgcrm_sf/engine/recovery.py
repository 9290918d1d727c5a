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
        ours = [r for r in pending if r["id"] in found]
        with sync.state.conn:
            # Ours, made by the interrupted run: linked (with the mirror its journal row holds)
            # rather than created again, as a settled create would have been.
            sync.state.links.set_links(sobject, [(r["person_id"], found[r["id"]]) for r in ours])
            sync.state.links.set_mirrors_from_journal(sobject, [r["id"] for r in ours])
    with sync.state.conn:
        sync.state.journal.abandon([r["id"] for r in leftover])
