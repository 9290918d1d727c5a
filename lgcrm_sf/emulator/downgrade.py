"""Downgraded URLs, for testing that a client refuses them (control surface, not Salesforce's).

A client that takes whatever URL a login hands back, or follows a redirect, could be talked into
sending its session (or password) in clear text. The control setting `downgrade_urls` makes
the emulator do exactly that, per kind:

- "soap": login() answers with http:// serverUrl and metadataServerUrl;
- "oauth": the token endpoint answers with an http:// instance_url (and id);
- "redirect": every API request is answered with a redirect to the same URL over http:// (302
  for GET and HEAD, 307 otherwise, which asks the client to resend the request and its body).

The http:// URLs name the emulator's own host and port, which speak only TLS: only the scheme
differs, so a client that ignores the scheme is caught by its own refusal check, not by a
connection error.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

KINDS = ("soap", "oauth", "redirect")


def kinds(value) -> list[str]:
    """The setting's stored form from what the control surface was sent: None, a kind, or a
    list of kinds."""
    if value is None or value is False:
        return []
    chosen = [value] if isinstance(value, str) else list(value)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown downgrade_urls {unknown}: use {', '.join(KINDS)}")
    return sorted(set(chosen))


def base_url(settings: dict, base: str, kind: str) -> str:
    """The base URL a response of this kind names: http:// when that kind is downgraded."""
    if kind in settings.get("downgrade_urls", ()) and base.startswith("https://"):
        return "http://" + base[len("https://") :]
    return base


def redirect(settings: dict, base: str, request: Request) -> Response | None:
    """The redirect to http:// when "redirect" is on, else None."""
    if "redirect" not in settings.get("downgrade_urls", ()):
        return None
    target = base_url({"downgrade_urls": ["redirect"]}, base, "redirect") + request.full_path
    if not request.query_string:
        target = target.rstrip("?")
    status = 302 if request.method in ("GET", "HEAD") else 307
    return Response(status=status, headers={"Location": target})
