"""`lgcrm-sf check-prereqs` for a profile: log in with its stored settings, read its backup
catalog for a verified backup of the org, and run every check of the help article."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Profile
from ..salesforce.backup import FIRST_SYNC_OBJECTS
from ..salesforce.connection import open_client
from ..salesforce.prereqs import Check, all_pass, check_prereqs
from ..store.catalog import Catalog


@dataclass
class PrereqsReport:
    profile: str
    org_id: str | None
    org_name: str | None
    checks: list[Check]

    @property
    def ok(self) -> bool:
        """Warnings are allowed; a fail or an unknown is not a pass."""
        return all_pass(self.checks)

    def as_dict(self) -> dict:
        return {
            "profile": self.profile,
            "org_id": self.org_id,
            "org_name": self.org_name,
            "ok": self.ok,
            "checks": [c.as_dict() for c in self.checks],
        }


def check_profile(profile: Profile) -> PrereqsReport:
    settings, client = open_client(profile)
    backup = Catalog(profile.state_path).backup_covering(settings.org_id, FIRST_SYNC_OBJECTS)
    checks = check_prereqs(client, settings.user_id, settings.org_id, backup)
    if settings.account_mode:
        from ..leadgen.prereqs import account_checks
        from ..mapping.service import mapping_for

        owners = [o.user for o in mapping_for(profile).owners]
        checks += account_checks(profile, settings, owners)
    return PrereqsReport(profile.name, settings.org_id, settings.org_name, checks)
