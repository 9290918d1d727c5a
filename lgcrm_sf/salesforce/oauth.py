"""The OAuth logins of an integration user, posted here: the JWT bearer flow and the client
credentials flow. simple-salesforce only builds *.salesforce.com token URLs, and My Domain,
sandboxes and the emulator need others.
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm"""

from __future__ import annotations

import time

import jwt
import requests

from ..errors import AuthError
from ..i18n import _
from .addresses import refuse_insecure
from .failures import auth_error

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def oauth_token(http: requests.Session, target, secrets, timeout: float) -> dict:
    """The token answer (access_token, instance_url, id) of a jwt or client_credentials login;
    a refusal is an AuthError naming its likely cause."""
    url = f"{target.login_url}/services/oauth2/token"
    if target.auth_method == "jwt":
        form = {"grant_type": JWT_GRANT, "assertion": _assertion(target, secrets.private_key)}
        response = http.post(url, data=form, timeout=timeout)
    else:
        response = http.post(
            url,
            data={"grant_type": "client_credentials"},
            auth=(target.consumer_key or "", secrets.consumer_secret or ""),
            timeout=timeout,
        )
    try:
        body = response.json()
    except ValueError:
        raise AuthError(
            _("Salesforce answered the login with HTTP {status_code} and no JSON.").format(
                status_code=response.status_code
            )
        ) from None
    if response.status_code != 200:
        raise auth_error(body.get("error", "unknown"), body.get("error_description", ""))
    refuse_insecure(body.get("instance_url", ""), "the instance URL")
    return body


def _assertion(target, private_key: str | None) -> str:
    claims = {
        "iss": target.consumer_key,
        "sub": target.username,
        # The audience is login/test.salesforce.com, or the My Domain / server URL otherwise.
        "aud": target.login_url.rstrip("/"),
        "exp": int(time.time()) + 180,
    }
    try:
        return jwt.encode(claims, private_key or "", algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise AuthError(
            _(
                "The private key for the JWT login could not be used: {error}. Give the PEM "
                "file of the key whose certificate is on the connected app."
            ).format(error=type(exc).__name__)
        ) from None
