"""Whose records are these in the target org? A record's owner (and, with *Set Audit Fields upon
Record Creation*, its creator) is a user of the source org; users are never copied, they are
found in the target by username: the same one, or the same with a sandbox's suffix added or
removed (Salesforce makes a sandbox's usernames by appending `.<sandbox name>`:
`ana@acme.com` in production is `ana@acme.com.uat` in the sandbox UAT,
https://help.salesforce.com/s/articleView?id=sf.data_sandbox_create.htm). A user missing from
the target, inactive there (Salesforce refuses an inactive owner), or matched twice gets the
default owner, when one was given."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import N_, deferred

SUFFIX = re.compile(r"^(?P<base>[^@\s]+@[^@\s]+\.[^@\s.]+)\.(?P<suffix>[A-Za-z0-9_-]+)$")

SAME = "same username"
ADDED = "sandbox suffix added"
REMOVED = "sandbox suffix removed"
DEFAULT = "default owner"


def without_suffix(username: str) -> str | None:
    """`ana@acme.com.uat` -> `ana@acme.com`; None when nothing could be a suffix (the part
    left must still be a domain with a dot: `ana@acme.com` is not `ana@acme` + `.com`)."""
    match = SUFFIX.match(username.strip())
    return match.group("base") if match else None


@dataclass
class Match:
    user_id: str | None
    username: str | None
    how: str  # SAME, ADDED, REMOVED, DEFAULT, or why there is none


@dataclass
class UserDirectory:
    """The target's users, by lower-cased username: (id, username, active)."""

    users: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    by_base: dict[str, list[str]] = field(default_factory=dict)  # base -> usernames with suffix

    @classmethod
    def of(cls, rows) -> UserDirectory:
        directory = cls()
        for user_id, username, active in rows:
            key = username.lower()
            directory.users[key] = (user_id, username, bool(active))
            base = without_suffix(key)
            if base:
                directory.by_base.setdefault(base, []).append(key)
        return directory

    def find(self, source_username: str) -> Match:
        """The target user a source username stands for, or why there is none."""
        key = source_username.strip().lower()
        if key in self.users:
            return self._active(key, SAME)
        suffixed = self.by_base.get(key, [])
        if len(suffixed) == 1:
            return self._active(suffixed[0], ADDED)
        if len(suffixed) > 1:
            return Match(
                None, None, deferred(N_("{count} users with a sandbox suffix"), count=len(suffixed))
            )
        base = without_suffix(key)
        if base and base in self.users:
            return self._active(base, REMOVED)
        return Match(None, None, deferred(N_("no such user in the target")))

    def _active(self, key: str, how: str) -> Match:
        user_id, username, active = self.users[key]
        if not active:
            return Match(
                None,
                username,
                deferred(N_("{username} is inactive in the target"), username=username),
            )
        return Match(user_id, username, how)


@dataclass
class OwnerResolver:
    """Source user ids to target user ids, through the source's usernames (from the backup's
    User.csv); remembers how each was found, for the report."""

    source_usernames: dict[str, str]  # source user id -> username
    directory: UserDirectory
    default: Match | None = None
    matches: dict[str, Match] = field(default_factory=dict)  # source user id -> match

    def target_user(self, source_user_id: str | None, use_default: bool = True) -> str | None:
        if not source_user_id:
            return None
        match = self.matches.get(source_user_id)
        if match is None:
            username = self.source_usernames.get(source_user_id)
            match = (
                self.directory.find(username)
                if username
                else Match(None, None, deferred(N_("the backup has no User.csv naming this user")))
            )
            self.matches[source_user_id] = match
        if match.user_id is None and use_default and self.default is not None:
            return self.default.user_id
        return match.user_id

    def unresolved(self) -> dict[str, str]:
        """Source username (or id) -> why no target user stands for it."""
        return {
            self.source_usernames.get(uid, uid): m.how
            for uid, m in self.matches.items()
            if m.user_id is None
        }

    def summary(self) -> list[dict]:
        """Each source user met, the target user standing for it, and how it was found."""
        out = []
        for uid, match in sorted(self.matches.items()):
            found = match.user_id is not None
            default = self.default if not found else None
            out.append(
                {
                    "source": self.source_usernames.get(uid, uid),
                    "target": match.username if found else (default and default.username),
                    "how": match.how
                    if found
                    else (f"{DEFAULT} ({match.how})" if default else f"unresolved ({match.how})"),
                }
            )
        return out
