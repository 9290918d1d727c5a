"""`lgcrm-sf emulator serve`: run the emulator in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import json
import signal
import sys
import threading

from .server import Emulator


def serve(
    port: int = 0,
    data: str | None = None,
    seed: str = "empty",
    out=None,
    username: str | None = None,
    org_name: str | None = None,
    leadgen_rate: int | None = None,
    leadgen_daily_limit: int | None = None,
) -> None:
    out = out or sys.stdout
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    emulator = Emulator(
        port=port,
        data=data,
        seed=seed,
        username=username,
        org_name=org_name,
        leadgen_rate=leadgen_rate,
        leadgen_daily_limit=leadgen_daily_limit,
    ).start()
    try:
        # Exactly one JSON line on stdout, so a parent process can read where to connect.
        out.write(json.dumps(emulator.info) + "\n")
        out.flush()
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
