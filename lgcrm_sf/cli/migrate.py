"""`lgcrm-sf restore` and `lgcrm-sf backup diff`: the consultant's one-off moves. Parses, calls
lgcrm_sf.migrate, renders. Registered on the app by `register()` (cli/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..config import Profile
from ..errors import ExitCode, UsageError
from ..formats import number
from ..i18n import _, shown
from . import _render as ui
from ._context import profile_of, typed_confirmation
from ._runs import recorded
from .backup import backup_app


def _names(text: str | None, option: str) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(
            _("{option} {text!r} names nothing.").format(option=option, text=text),
            _("give API names: {option} A,B.").format(option=option),
        )
    return names


def _backup_dir(profile: Profile, given: str) -> Path:
    from ..store.catalog import Catalog

    return Catalog(profile.state_path).backup_path(given)


def _target(profile: Profile, name: str | None) -> Profile:
    if not name:
        return profile
    target = Profile(profile.home, name)
    if not target.settings_path.exists():
        raise UsageError(
            _("--target-profile {name}: no profile of that name in {home}.").format(
                name=name, home=profile.home
            ),
            _("connect it first: `lgcrm-sf connect --profile NAME ...` (a sandbox or a new org)."),
        )
    return target


def register(app: typer.Typer) -> None:
    """Add `restore` to the app and `diff` to the `backup` group."""
    app.command("restore")(_restore_command(profile_of))
    backup_app.command("diff")(_diff_command(profile_of))


# The options of `restore`, named once (the command's signature stays readable).
BackupArg = Annotated[
    str, typer.Argument(metavar="BACKUP", help="A backup directory or its catalog id.")
]
ModeOpt = Annotated[
    str, typer.Option(help="update (undo a bad sync in the same org) or copy (into another).")
]
ObjectsOpt = Annotated[
    str | None, typer.Option(help="Comma-separated objects (default: all in the backup).")
]
FieldsOpt = Annotated[
    str | None, typer.Option(help="Comma-separated fields to write (default: all writable).")
]
TargetOpt = Annotated[
    str | None, typer.Option(help="Restore into this profile's org (default: --profile's).")
]
OwnerOpt = Annotated[
    str | None, typer.Option(help="Owner (username) of records whose owner is not in the target.")
]
NonemptyOpt = Annotated[
    bool, typer.Option("--allow-nonempty", help="Copy into an org that already holds records.")
]
SourceIdOpt = Annotated[
    str, typer.Option(help="Text field that keeps each record's source id, where it exists.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
]
YesOpt = Annotated[bool, typer.Option("--yes", help="Skip typing Confirm (scripts).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _restore_command(profile_of: Callable):
    def restore(
        ctx: typer.Context,
        backup: BackupArg,
        mode: ModeOpt,
        objects: ObjectsOpt = None,
        fields: FieldsOpt = None,
        target_profile: TargetOpt = None,
        default_owner: OwnerOpt = None,
        allow_nonempty: NonemptyOpt = False,
        source_id_field: SourceIdOpt = "LGCRM_Source_Id__c",
        dry_run: DryRunOpt = False,
        yes: YesOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Restore a verified backup: write back what a bad sync changed (--mode update), or
        copy it into another org (--mode copy)."""
        from ..migrate.backup_files import open_verified
        from ..migrate.job import RestoreRequest
        from ..migrate.restore import MODES
        from ..migrate.tuning import RestoreTuning

        if mode not in MODES:
            raise UsageError(
                _("--mode {mode!r} is not a restore mode.").format(mode=mode),
                _("use update or copy."),
            )
        names, chosen = _names(objects, "--objects"), _names(fields, "--fields")
        profile = profile_of(ctx)
        target = _target(profile, target_profile)
        tuning = RestoreTuning.from_environment()
        request = RestoreRequest(
            open_verified(_backup_dir(profile, backup)),
            mode,
            target,
            objects=names,
            fields=chosen,
            default_owner=default_owner,
            allow_nonempty=allow_nonempty,
            source_id_field=source_id_field,
            dry_run=dry_run,
            tuning=tuning,
        )
        _run(request, target, yes, as_json)

    return restore


def _run(request, target: Profile, yes: bool, as_json: bool) -> None:
    from ..migrate.restore import restore as run_restore
    from ..store.sync_state import SyncState

    with recorded(target, "restore") as record:
        runs = SyncState(target.state_path, target.log_path).runs
        record.run_id = runs.start("restore", request.dry_run)
        report = run_restore(request, _confirm(yes, as_json))
        code = int(ExitCode.RECORD_ERRORS) if report.failed else 0
        record.status = "dry_run" if request.dry_run else ("record_errors" if code else "ok")
        record.exit_code = code
        record.details = {
            "mode": report.mode,
            "backup": report.backup,
            "target_org": report.target_org,
            "writes": report.writes,
            "failed": report.failed,
            "api_calls": report.api_calls,
        }
        if as_json:
            ui.print_json({"ok": not code, "exit_code": code, **report.as_dict()})
        else:
            _show(report, planned=request.dry_run)
        if code:
            raise typer.Exit(code)


def _confirm(yes: bool, as_json: bool):
    def confirm(report) -> bool:
        if not as_json:
            _show(report, planned=True)
        if yes or not report.writes:
            return True
        return typed_confirmation(
            _("This writes {count} changes to {org} ({org_id}). Type Confirm to go on.").format(
                count=number(report.writes), org=report.target_org_name, org_id=report.target_org
            ),
            _("Restoring writes to an org: it needs the word Confirm typed."),
        )

    return confirm


def _show(report, planned: bool) -> None:
    """The plan (before the confirmation, or for --dry-run) or what was done."""
    rows = [_object_row(report.objects[name], planned) for name in report.order]
    title = _("Restore ({mode}) into {org} ({org_id})").format(
        mode=report.mode, org=report.target_org_name, org_id=report.target_org
    )
    title += _(": plan") if planned else _(": done")
    ui.show_rows(title, rows, list(rows[0]) if rows else [])
    for name in report.order:
        plan = report.objects[name]
        for reason, n in plan.skip.most_common():
            ui.line(
                _("{object}: {count} skipped: {reason}").format(
                    object=name, count=number(n), reason=shown(reason)
                )
            )
        for note, n in plan.notes.most_common():
            ui.line(
                _("{object}: {count} {note}").format(object=name, count=number(n), note=shown(note))
            )
        if plan.fields:
            changed = ", ".join(f"{f} {number(n)}" for f, n in plan.fields.most_common(8))
            ui.line(
                _("{object}: fields written back: {fields}").format(object=name, fields=changed)
            )
    if planned:
        _show_fields_skipped(report)
        for owner in report.owners:
            ui.line(
                _("owner {source} -> {target} ({how})").format(
                    source=owner["source"], target=owner["target"] or "-", how=shown(owner["how"])
                )
            )
        return
    for failure in report.failures[:20]:
        ui.line(
            _("{object}: {count} {operation} refused ({code}: {message}), e.g. {example}").format(
                object=failure["object"],
                count=number(failure["records"]),
                operation=failure["op"],
                code=failure["code"],
                message=failure["message"],
                example=failure["example"],
            ),
            "red",
        )
    ui.line(
        _(
            "{writes} writes planned, {failed} refused, {calls} API calls, {seconds} s. "
            "Progress: {path}"
        ).format(
            writes=number(report.writes),
            failed=number(report.failed),
            calls=number(report.api_calls),
            seconds=number(report.seconds, 1),
            path=report.progress_file,
        )
    )


def _object_row(plan, planned: bool) -> dict:
    done = plan.done
    return {
        "object": plan.name,
        "create": plan.create if planned else done["created"],
        "update": plan.update if planned else done["updated"],
        "undelete": plan.undelete if planned else done["undeleted"],
        "2nd pass": plan.second_pass,
        "skip": sum(plan.skip.values()),
        "failed": "" if planned else done["failed"],
        "api": plan.api,
    }


def _show_fields_skipped(report) -> None:
    """Fields never written, once: by reason, each field with the objects it is skipped on
    (or "every object")."""
    every = len(report.order)
    by_reason: dict[str, dict[str, list[str]]] = {}
    for name, skipped in report.fields_skipped.items():
        for field, why in skipped.items():
            by_reason.setdefault(why, {}).setdefault(field, []).append(name)
    for why, fields in by_reason.items():
        listed = ", ".join(
            field if len(names) == every else f"{field} ({', '.join(names)})"
            for field, names in fields.items()
        )
        ui.line(_("not written, {why}: {fields}").format(why=shown(why), fields=listed), "yellow")


def _diff_command(profile_of: Callable):
    def diff(
        ctx: typer.Context,
        a: Annotated[str, typer.Argument(metavar="A", help="The older backup: directory or id.")],
        b: Annotated[str, typer.Argument(metavar="B", help="The newer backup: directory or id.")],
        objects: Annotated[
            str | None, typer.Option(help="Comma-separated objects (default: every one).")
        ] = None,
        records: Annotated[int, typer.Option(help="Show up to N example records per object.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    ) -> None:
        """What changed from backup A to backup B: rows added, deleted, changed, and which
        fields changed."""
        from ..migrate.backup_files import open_verified
        from ..migrate.diff import diff_backups

        if records < 0:
            raise UsageError(
                _("--records {records} is not a number of records.").format(records=records),
                _("give 0 or more."),
            )
        names = _names(objects, "--objects")
        profile = profile_of(ctx)
        first = open_verified(_backup_dir(profile, a))
        second = open_verified(_backup_dir(profile, b))
        if names:
            known = set(first.objects()) | set(second.objects())
            lower = {n.lower(): n for n in known}
            missing = [n for n in names if n.lower() not in lower]
            if missing:
                raise UsageError(
                    _("--objects: neither backup holds {objects}.").format(
                        objects=", ".join(missing)
                    ),
                    _("name objects they hold: {objects}.").format(
                        objects=", ".join(sorted(known))
                    ),
                )
            names = [lower[n.lower()] for n in names]
        result = diff_backups(first, second, names, records)
        if as_json:
            ui.print_json(
                {
                    "a": str(first.path),
                    "b": str(second.path),
                    "objects": {name: d.as_dict() for name, d in result.items()},
                }
            )
            return
        _show_diff(first.path, second.path, result, records)

    return diff


def _show_diff(a: Path, b: Path, result: dict, records: int) -> None:
    rows = [
        {
            "object": name,
            "added": d.added,
            "deleted": d.deleted,
            "changed": d.changed,
            "unchanged": d.unchanged,
            "fields changed": ", ".join(
                f"{f} {number(n)}" for f, n in list(d.as_dict()["fields"].items())[:6]
            ),
        }
        for name, d in result.items()
    ]
    ui.show_rows(
        _("From {a} to {b}").format(a=a.name, b=b.name), rows, list(rows[0]) if rows else ["object"]
    )
    for name, d in result.items():
        if d.note:
            ui.line(f"{name}: {d.note}", "yellow")
        for example in d.examples[:records]:
            fields = "; ".join(
                f"{f}: {x!r} -> {y!r}" for f, (x, y) in example.get("fields", {}).items()
            )
            ui.line(
                f"{name} {example['id']} {example['change']}" + (f": {fields}" if fields else "")
            )
