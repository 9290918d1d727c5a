"""Logins and sessions: SOAP partner login(), the OAuth 2.0 token endpoint (password,
client_credentials, JWT bearer, refresh_token), userinfo and the identity URL.

Failure shapes follow Salesforce: SOAP faults with HTTP 500 and `sf:exceptionCode`
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_login.htm),
OAuth errors as {"error", "error_description"} with HTTP 400.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import jwt
from cryptography import x509

from .errors import ApiError
from .store import Org

MAX_FAILED_LOGINS = 10


@dataclass
class Session:
    token: str
    user_id: str
    last_used: float


class LoginFailed(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        oauth_error: str = "invalid_grant",
        oauth_description: str = "authentication failure",
    ):
        super().__init__(message)
        self.code, self.message = code, message
        self.oauth_error, self.oauth_description = oauth_error, oauth_description


class Sessions:
    def __init__(self, org: Org) -> None:
        self.org = org
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _clock(self) -> float:
        return self.org.clock.now().timestamp()

    def open(self, user_id: str) -> str:
        org_id = self.org.conn.execute('SELECT "Id" FROM "Organization"').fetchone()[0]
        token = f"{org_id[:15]}!AR" + secrets.token_urlsafe(72).replace("-", "x").replace("_", "y")
        with self._lock:
            self._sessions[token] = Session(token, user_id, self._clock())
        return token

    def check(self, authorization: str | None) -> Session:
        if not authorization or not authorization.lower().startswith(("bearer ", "oauth ")):
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        token = authorization.split(" ", 1)[1].strip()
        idle = self.org.settings["session_idle_seconds"]
        with self._lock:
            session = self._sessions.get(token)
            now = self._clock()
            if session is None or now - session.last_used > idle:
                self._sessions.pop(token, None)
                raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            session.last_used = max(session.last_used, now)  # the test clock may go back
        return session

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
        return count


def _user_row(org: Org, username: str) -> dict | None:
    with org.lock:
        cur = org.conn.execute(
            'SELECT * FROM "User" WHERE "Username" = ? AND "IsDeleted" = 0', (username,)
        )
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def effective_permission(org: Org, user_id: str, permission: str) -> bool:
    """A user permission from the profile's permission set or any assigned permission set."""
    with org.lock:
        profile_has = org.conn.execute(
            f'SELECT p."{permission}" FROM "User" u JOIN "Profile" p ON p."Id" = u."ProfileId" '
            'WHERE u."Id" = ?',
            (user_id,),
        ).fetchone()
        if profile_has and profile_has[0]:
            return True
        assigned = org.conn.execute(
            f'SELECT 1 FROM "PermissionSetAssignment" a JOIN "PermissionSet" s ON '
            f's."Id" = a."PermissionSetId" WHERE a."AssigneeId" = ? AND a."IsDeleted" = 0 '
            f'AND s."{permission}" = 1 LIMIT 1',
            (user_id,),
        ).fetchone()
        return bool(assigned)


def _allowed(org: Org, user: dict) -> None:
    if not org.settings["api_enabled"]:
        raise LoginFailed(
            "API_DISABLED_FOR_ORG",
            "API is not enabled for this Organization or Partner",
            "invalid_grant",
            "API is not enabled for this Organization or Partner",
        )
    if not effective_permission(org, user["Id"], "PermissionsApiEnabled"):
        raise LoginFailed(
            "API_CURRENTLY_DISABLED",
            "API is disabled for this User",
            "invalid_grant",
            "API is disabled for this User",
        )


def check_password(org: Org, username: str, supplied: str) -> dict:
    """Username + password (+ security token) as login() and the OAuth password flow do."""
    user = _user_row(org, username)
    bad = LoginFailed(
        "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."
    )
    if user is None or not user["IsActive"]:
        raise bad
    creds = org.settings["users"].get(user["Id"])
    if creds is None or creds.get("locked"):
        raise bad
    if supplied == creds["password"] + creds["security_token"]:
        pass
    elif supplied == creds["password"] and not org.settings["require_security_token"]:
        pass
    elif supplied == creds["password"]:
        # Right password, no token, from an IP outside the trusted ranges.
        raise LoginFailed(
            "LOGIN_MUST_USE_SECURITY_TOKEN",
            "Invalid username, password, security token; or user locked out. Are "
            "you at a new location? When accessing Salesforce--either via a desktop "
            "client or the API--from outside of your company's trusted networks, "
            "you must add a security token to your password to log in.",
        )
    else:
        with org.lock:
            creds["failed"] = creds.get("failed", 0) + 1
            if creds["failed"] >= MAX_FAILED_LOGINS:
                creds["locked"] = True
        raise bad
    creds["failed"] = 0
    _allowed(org, user)
    return user


def _login_done(org: Org, user: dict) -> None:
    with org.lock:
        org.conn.execute(
            'UPDATE "User" SET "LastLoginDate" = ? WHERE "Id" = ?', (org.now(), user["Id"])
        )


# --- SOAP ---------------------------------------------------------------------------------
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER_NS = "urn:partner.soap.sforce.com"


def soap_fault(code: str, message: str, fault_type: str = "LoginFault") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        f'xmlns:soapenv="{SOAP_NS}" xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
        f'<detail><sf:{fault_type} xsi:type="sf:{fault_type}"><sf:exceptionCode>{code}'
        f"</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        f"</sf:{fault_type}></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


def soap_login(
    org: Org, sessions: Sessions, body: bytes, base_url: str, version: str
) -> tuple[int, str]:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return 500, soap_fault(
            "INVALID_REQUEST", "Could not parse the SOAP request", "UnexpectedErrorFault"
        )
    login = root.find(f".//{{{PARTNER_NS}}}login")
    if login is None:
        return 500, soap_fault(
            "INVALID_OPERATION", "No operation available for request", "UnexpectedErrorFault"
        )
    username = (login.findtext(f"{{{PARTNER_NS}}}username") or "").strip()
    password = login.findtext(f"{{{PARTNER_NS}}}password") or ""
    try:
        user = check_password(org, username, password)
    except LoginFailed as failure:
        return 500, soap_fault(failure.code, failure.message)
    _login_done(org, user)
    token = sessions.open(user["Id"])
    org_row = org.conn.execute('SELECT "Id", "Name", "IsSandbox" FROM "Organization"').fetchone()
    expired = bool(org.settings["users"][user["Id"]].get("password_expired"))
    result = (
        f"<metadataServerUrl>{base_url}/services/Soap/m/{version}/{org_row[0][:15]}</metadataServerUrl>"
        f"<passwordExpired>{str(expired).lower()}</passwordExpired>"
        f"<sandbox>{str(bool(org_row[2])).lower()}</sandbox>"
        f"<serverUrl>{base_url}/services/Soap/u/{version}/{org_row[0][:15]}</serverUrl>"
        f"<sessionId>{token}</sessionId><userId>{user['Id']}</userId>"
        f"<userInfo><currencySymbol>R$</currencySymbol><organizationId>{org_row[0]}</organizationId>"
        f"<organizationName>{escape(org_row[1])}</organizationName>"
        f"<userEmail>{escape(user['Email'])}</userEmail><userFullName>{escape(user['Name'])}</userFullName>"
        f"<userId>{user['Id']}</userId><userName>{escape(user['Username'])}</userName>"
        f"<userTimeZone>{user['TimeZoneSidKey']}</userTimeZone></userInfo>"
    )
    return 200, (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_NS}" '
        f'xmlns="{PARTNER_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body><loginResponse><result>{result}</result></loginResponse>"
        "</soapenv:Body></soapenv:Envelope>"
    )


# --- OAuth 2.0 ----------------------------------------------------------------------------
class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _app(org: Org, client_id: str | None) -> dict:
    app = org.settings["connected_apps"].get(client_id or "")
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    return app


def token(
    org: Org,
    sessions: Sessions,
    form: dict,
    authorization: str | None,
    base_url: str,
    audiences: tuple[str, ...],
) -> dict:
    grant = form.get("grant_type")
    user_id = None
    if grant == "password":
        app = _app(org, form.get("client_id"))
        if form.get("client_secret") != app["secret"]:
            raise OAuthError("invalid_client", "invalid client credentials")
        try:
            user_id = check_password(org, form.get("username", ""), form.get("password", ""))["Id"]
        except LoginFailed as failure:
            raise OAuthError(failure.oauth_error, failure.oauth_description) from None
    elif grant == "client_credentials":
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization.split(" ", 1)[1]).decode()
            client_id, _, secret = decoded.partition(":")
        app = _app(org, client_id)
        if secret != app["secret"]:
            raise OAuthError("invalid_client", "invalid client credentials")
        if not app.get("run_as"):
            raise OAuthError("invalid_grant", "no client credentials user enabled")
        user_id = app["run_as"]
    elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        user_id = _jwt_user(org, form.get("assertion", ""), audiences)
    elif grant == "refresh_token":
        app = _app(org, form.get("client_id"))
        user_id = org.settings["refresh_tokens"].get(form.get("refresh_token", ""))
        if user_id is None:
            raise OAuthError("invalid_grant", "expired access/refresh token")
    else:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    user = org.conn.execute(
        'SELECT "Id", "IsActive" FROM "User" WHERE "Id" = ?', (user_id,)
    ).fetchone()
    if user is None or not user[1]:
        raise OAuthError("invalid_grant", "inactive user")
    if grant != "password":
        try:
            _allowed(org, {"Id": user_id})
        except LoginFailed as failure:
            raise OAuthError(failure.oauth_error, failure.oauth_description) from None
    _login_done(org, {"Id": user_id})
    access = sessions.open(user_id)
    org_id = org.conn.execute('SELECT "Id" FROM "Organization"').fetchone()[0]
    issued = str(int(time.time() * 1000))
    return {
        "access_token": access,
        "instance_url": base_url,
        "id": f"{base_url}/id/{org_id}/{user_id}",
        "token_type": "Bearer",
        "issued_at": issued,
        "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
        "scope": "api",
    }


def _jwt_user(org: Org, assertion: str, audiences: tuple[str, ...]) -> str:
    """Verify an RS256 JWT bearer assertion against the connected app's certificate
    (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm)."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    app = _app(org, claims.get("iss"))
    if not app.get("certificate"):
        raise OAuthError("invalid_grant", "invalid assertion")
    public_key = x509.load_pem_x509_certificate(app["certificate"].encode()).public_key()
    try:
        claims = jwt.decode(
            assertion,
            public_key,
            algorithms=["RS256"],
            audience=list(audiences),
            leeway=0,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise OAuthError("invalid_grant", "expired authorization code") from None
    except jwt.InvalidAudienceError:
        raise OAuthError("invalid_grant", "audience is invalid") from None
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    user = _user_row(org, claims["sub"])
    if user is None:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    return user["Id"]


def identity(org: Org, user_id: str, base_url: str, version: str) -> dict:
    cur = org.conn.execute('SELECT * FROM "User" WHERE "Id" = ?', (user_id,))
    user = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    org_id = org.conn.execute('SELECT "Id" FROM "Organization"').fetchone()[0]
    base = f"{base_url}/services/data/v{version}/"
    return {
        "id": f"{base_url}/id/{org_id}/{user_id}",
        "asserted_user": True,
        "user_id": user_id,
        "organization_id": org_id,
        "username": user["Username"],
        "nick_name": user["Alias"],
        "display_name": user["Name"],
        "email": user["Email"],
        "first_name": user["FirstName"],
        "last_name": user["LastName"],
        "timezone": user["TimeZoneSidKey"],
        "active": bool(user["IsActive"]),
        "user_type": "STANDARD",
        "language": user["LanguageLocaleKey"],
        "locale": user["LocaleSidKey"],
        "utcOffset": -10800000,
        "last_modified_date": user["LastModifiedDate"],
        "urls": {
            "enterprise": f"{base_url}/services/Soap/c/{version}/{org_id[:15]}",
            "partner": f"{base_url}/services/Soap/u/{version}/{org_id[:15]}",
            "metadata": f"{base_url}/services/Soap/m/{version}/{org_id[:15]}",
            "rest": base,
            "sobjects": base + "sobjects/",
            "query": base + "query/",
            "limits": base + "limits/",
            "profile": f"{base_url}/{user_id}",
        },
    }


def userinfo(org: Org, user_id: str, base_url: str, version: str) -> dict:
    ident = identity(org, user_id, base_url, version)
    return {
        "sub": ident["id"],
        "user_id": user_id,
        "organization_id": ident["organization_id"],
        "preferred_username": ident["username"],
        "nickname": ident["nick_name"],
        "name": ident["display_name"],
        "email": ident["email"],
        "email_verified": True,
        "given_name": ident["first_name"],
        "family_name": ident["last_name"],
        "zoneinfo": ident["timezone"],
        "active": ident["active"],
        "user_type": "STANDARD",
        "language": ident["language"],
        "locale": ident["locale"],
        "utcOffset": ident["utcOffset"],
        "urls": ident["urls"],
    }
