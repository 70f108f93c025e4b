"""Serving the portal with uvicorn: on a port (``pingan portal``), or in a thread (tests, benchmark).

Behind a reverse proxy that terminates HTTPS on the same machine, uvicorn trusts its X-Forwarded-Proto
and X-Forwarded-For (``forwarded_allow_ips``, loopback by default): the portal then knows it is served
over HTTPS (Secure cookies, HSTS) and logs the client's own address. SIGTERM and Ctrl-C stop it within
seconds: open requests get ``GRACEFUL_SECONDS``, the intake worker finishes or leaves its batch queued.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from base.settings import Settings
from portal.app import create_app
from portal.config import PortalConfig

GRACEFUL_SECONDS = 3
TRUSTED_PROXIES = "127.0.0.1"


def server_config(
    settings: Settings, host: str, port: int, config: PortalConfig | None = None, **options
) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, config),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=TRUSTED_PROXIES,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        log_level="warning",
        server_header=False,
        timeout_keep_alive=75,  # longer than a clerk reads a page (uvicorn closes idle connections after 5 s)
        **options,
    )


def serve(settings: Settings, host: str, port: int, config: PortalConfig | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C."""
    uvicorn.Server(server_config(settings, host, port, config)).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving_in_thread(
    settings: Settings, config: PortalConfig | None = None, host: str = "127.0.0.1"
) -> Iterator[str]:
    """The portal on a free loopback port in a thread of this process; yields its base URL, stops after.
    The socket is bound here and handed to the server, so no other process can take the port between
    finding it free and listening on it."""
    listening = socket.socket()
    listening.bind((host, 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(server_config(settings, host, port, config))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="pingan-portal", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("门户未能启动")
            time.sleep(0.05)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        listening.close()
