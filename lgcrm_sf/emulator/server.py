"""Running the emulator: TLS on 127.0.0.1 with a CA made at start (trustme), served by
werkzeug's threaded WSGI server, in a background thread or in the foreground."""

from __future__ import annotations

import email.utils
import logging
import os
import secrets
import shutil
import socket
import ssl
import tempfile
import threading

import trustme
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SalesforceApp
from .control import Control
from .leadgen import LeadGen
from .seed import lead_statuses, opportunity_stages
from .seed import seed as seed_org
from .store import Org


class KeepAliveHandler(WSGIRequestHandler):
    # HTTP/1.1 keeps connections (and their TLS sessions) open between calls, as Salesforce does.
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm holds
        # the second one back until the client's delayed ACK, adding ~10 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, *args, **kwargs) -> None:  # quiet: tests and the demo read stdout
        pass

    def date_time_string(self, timestamp=None) -> str:
        # The Date header tells the org's time, as Salesforce's does: the same clock as
        # SystemModstamp, which tests move (a client may take "now" from it).
        clock_now = getattr(self.server, "clock_now", None)
        if timestamp is None and clock_now is not None:
            return email.utils.format_datetime(clock_now(), usegmt=True)
        return super().date_time_string(timestamp)


class Emulator:
    def __init__(
        self,
        port: int = 0,
        data: str | None = None,
        seed: str = "empty",
        host: str = "127.0.0.1",
        username: str | None = None,
        org_name: str | None = None,
        leadgen_rate: int | None = None,
        leadgen_daily_limit: int | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.data = data
        self.seed_kind = seed
        # The integration user's username and the org's name when given (`serve --username
        # --org-name`); by default each new org draws a username domain of its own.
        self.username, self.org_name = username, org_name
        self.leadgen_limits = (leadgen_rate, leadgen_daily_limit)
        self.leadgen: LeadGen | None = None
        self.workdir = tempfile.mkdtemp(prefix="lgcrm-sf-emulator-")
        self.control_token = secrets.token_urlsafe(24)
        self.org: Org | None = None
        self.credentials: dict = {}
        self._server = None
        self._thread: threading.Thread | None = None

    # --- the org --------------------------------------------------------------------------
    def _open_org(self) -> None:
        if self.data and os.path.exists(self.data):
            self.org = Org(self.data)
            self.credentials = self._credentials_from(self.org)
            if self.credentials:
                self._rename(self.org)
                return
            self.org.conn.close()
            os.unlink(self.data)
        self.org = Org(self.data or ":memory:")
        self.credentials = seed_org(
            self.org, self.seed_kind, username=self.username, org_name=self.org_name
        )

    def _rename(self, org: Org) -> None:
        """A data file keeps its usernames and name unless `serve` was told others."""
        c = self.credentials
        if self.username and self.username != c["username"]:
            org.update("User", c["user_id"], {"Username": self.username}, c["user_id"])
            c["username"] = self.username
        if self.org_name and self.org_name != c["org_name"]:
            org._touch(org.schema["Organization"], c["org_id"], c["user_id"], Name=self.org_name)
            c["org_name"] = self.org_name
        org.save_meta()

    def _open_leadgen(self) -> None:
        """The Lead Gen & CRM account: in `<data>.leadgen` beside the org's file (same account id
        and secret key after a restart), or in memory. It reads the org's clock, whichever org
        is current, so moving the clock moves both."""
        rate, daily = self.leadgen_limits
        self.leadgen = LeadGen(
            self.data + ".leadgen" if self.data else ":memory:",
            lambda: self.org.clock,
            lambda: self.instance_url,
            self.seed_kind,
            rate,
            daily,
        )

    @staticmethod
    def _credentials_from(org: Org) -> dict:
        apps = org.settings["connected_apps"]
        if not apps:
            return {}
        key, app = next(iter(apps.items()))
        user_id = app["run_as"]
        creds = org.settings["users"][user_id]
        admin = org.settings["seed_users"].get("admin")
        if admin is None:  # a data file from before seeding recorded its users
            admin = org.conn.execute(
                'SELECT u."Id" FROM "User" u JOIN "Profile" p ON p."Id" = u."ProfileId" '
                "WHERE p.\"Name\" = 'System Administrator' AND u.\"UserType\" = 'Standard' "
                'ORDER BY u."CreatedDate", u."Id" LIMIT 1'
            ).fetchone()[0]
        usernames = dict(org.conn.execute('SELECT "Id", "Username" FROM "User"').fetchall())
        org_id, org_name = org.conn.execute('SELECT "Id", "Name" FROM "Organization"').fetchone()
        if not org.conn.execute('SELECT 1 FROM "LeadStatus" LIMIT 1').fetchone():
            lead_statuses(org, admin)  # a data file from before LeadStatus was modelled
        if not org.conn.execute('SELECT 1 FROM "OpportunityStage" LIMIT 1').fetchone():
            opportunity_stages(org, admin)  # a data file from before OpportunityStage
        return {
            "org_id": org_id,
            "org_name": org_name,
            "username": usernames[user_id],
            "admin_username": usernames[admin],
            "password": creds["password"],
            "security_token": creds["security_token"],
            "consumer_key": key,
            "consumer_secret": app["secret"],
            "user_id": user_id,
            "users": {"admin": admin, "integration": user_id},
        }

    def reset(
        self,
        seed: str = "empty",
        custom_fields: dict | None = None,
        edition: str = "Enterprise Edition",
        username: str | None = None,
        org_name: str | None = None,
        leadgen_seed: str | None = None,
    ) -> None:
        """Replace the org with a freshly seeded one (sessions and jobs are dropped): a new org
        id and ids, and new usernames unless this emulator was given them. The Lead Gen & CRM
        account is emptied and seeded too (`leadgen_seed`, by default like the org); its account
        id and secret key stay."""
        old = self.org
        with old.lock:
            if self.data:
                old.conn.close()
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(self.data + suffix):
                        os.unlink(self.data + suffix)
            org = Org(self.data or ":memory:")
            self.credentials = seed_org(
                org,
                seed,
                custom_fields,
                edition,
                username=username or self.username,
                org_name=org_name or self.org_name,
            )
            self.org = org
            self.app.use_org(org)
        self.leadgen.reset(leadgen_seed or seed)

    def snapshot(self, name: str) -> None:
        """Keep a copy of the org under `name` (the Lead Gen & CRM account is not included)."""
        self.org.snapshot(self._snapshot_path(name))

    def restore(self, name: str) -> None:
        """Serve the org as it was at `snapshot(name)`, on the emulator's current clock
        (time does not go back). Sessions and jobs are dropped, as after reset()."""
        path = self._snapshot_path(name)
        if not os.path.exists(path):
            raise ValueError(f"no snapshot {name}")
        old = self.org
        with old.lock:
            if self.data:
                old.close()
                for suffix in ("-wal", "-shm"):
                    if os.path.exists(self.data + suffix):
                        os.unlink(self.data + suffix)
                shutil.copyfile(path, self.data)
                org = Org(self.data)
            else:
                org = Org(":memory:", copy_of=path)
            org.clock = old.clock
            self.credentials = self._credentials_from(org)
            self.org = org
            self.app.use_org(org)

    def _snapshot_path(self, name: str) -> str:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError("a snapshot name is letters, digits, - and _")
        return os.path.join(self.workdir, f"snapshot-{name}.db")

    # --- serving --------------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        ca = trustme.CA(organization_name="lgcrm-sf emulator")
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        self.ca_bundle = os.path.join(self.workdir, "ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle)
        return context

    def start(self) -> Emulator:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._open_org()
        self._open_leadgen()
        self.app = SalesforceApp(self.org, self.workdir, Control(self))
        self.app.leadgen = self.leadgen.api
        self._server = make_server(
            self.host,
            self.port,
            self.app,
            threaded=True,
            request_handler=KeepAliveHandler,
            ssl_context=self._ssl_context(),
        )
        self._server.daemon_threads = True
        self._server.clock_now = lambda: self.org.clock.now()
        self.port = self._server.server_port
        self.app.base_url = self.instance_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="salesforce-emulator"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.org is not None:
            if self.data:
                self.org.close()
            else:
                self.org.save_meta()
        if self.leadgen is not None:
            self.leadgen.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def instance_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def info(self) -> dict:
        c = self.credentials
        return {
            "login_url": self.instance_url,
            "instance_url": self.instance_url,
            "ca_bundle": self.ca_bundle,
            "username": c["username"],
            "password": c["password"],
            "security_token": c["security_token"],
            "consumer_key": c["consumer_key"],
            "consumer_secret": c["consumer_secret"],
            "org_id": c["org_id"],
            "org_name": c["org_name"],
            "admin_username": c["admin_username"],
            "user_id": c["user_id"],
            "control_token": self.control_token,
            "api_versions": "50.0-66.0",
            # The Lead Gen & CRM Open API v1.2 on the same port (leadgen/).
            "leadgen_url": self.instance_url + "/pubapi/v1.2/",
            "leadgen_account_id": self.leadgen.account.account_id,
            "leadgen_secret_key": self.leadgen.account.secret_key,
        }
