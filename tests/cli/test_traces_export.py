"""``connect-admin serve`` exports its traces by OTLP over HTTP once
OTEL_EXPORTER_OTLP_ENDPOINT names a collector, here a small one on 127.0.0.1 that
keeps what it is sent (when traces are off: tests/api/test_traces_api.py)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from server.commandline.demo_data import DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD
from tests.cli.serving import free_port, served
from tests.cli.test_command_line import connect_admin

SIGN_IN = (
    "mutation SignIn($login: String!, $password: String!) "
    "{ adminSignIn(login: $login, password: $password) { token } }"
)


class Collector:
    """The bodies POSTed to /v1/traces, as OTLP's HTTP exporter sends them."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.changed = threading.Condition()

    def wait_for_span(self, name: str, timeout: float = 60) -> list[str]:
        """The names of the spans that arrived, once one is ``name``."""
        with self.changed:
            self.changed.wait_for(lambda: name in self.names(), timeout)
            names = self.names()
        assert name in names, names
        return names

    def names(self) -> list[str]:
        names = []
        for body in self.bodies:
            request = ExportTraceServiceRequest.FromString(body)
            for resource in request.resource_spans:
                service = {a.key: a.value.string_value for a in resource.resource.attributes}
                assert service["service.name"] == "connect-admin"
                names += [span.name for scope in resource.scope_spans for span in scope.spans]
        return names


@contextmanager
def collector() -> Iterator[tuple[Collector, str]]:
    kept = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/v1/traces":
                with kept.changed:  # the lock of kept.bodies
                    kept.bodies.append(body)
                    kept.changed.notify_all()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield kept, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_serve_exports_its_traces_to_the_configured_collector(tmp_path: Path) -> None:
    assert connect_admin(tmp_path, "demo-data").returncode == 0
    port = free_port()
    with collector() as (kept, endpoint):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECT_", "OTEL_"))}
        env.update(
            CONNECT_MAIL_DISPATCHER="false",
            OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
            # Export within a tenth of a second rather than OpenTelemetry's 5 s.
            OTEL_BSP_SCHEDULE_DELAY="100",
        )
        args = [sys.executable, "-m", "connect_admin", "serve", "--port", str(port)]
        with served(args, tmp_path, env) as server:
            server.wait_until_started()
            response = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={
                    "query": SIGN_IN,
                    "variables": {"login": DEMO_ADMIN_LOGIN, "password": DEMO_ADMIN_PASSWORD},
                },
                timeout=30,
            )
            assert response.status_code == 200, response.text
            token = response.json()["data"]["adminSignIn"]["token"]
            names = kept.wait_for_span("mutation SignIn")

    assert any(name.startswith("db ") for name in names)
    sent = b"".join(kept.bodies)
    assert DEMO_ADMIN_PASSWORD.encode() not in sent
    assert token.encode() not in sent


def test_serve_refuses_an_exporter_it_does_not_bring(tmp_path: Path) -> None:
    result = connect_admin(tmp_path, "serve", "--port", "0", env={"OTEL_TRACES_EXPORTER": "zipkin"})

    assert result.returncode == 2
    assert "OTEL_TRACES_EXPORTER=zipkin" in result.stderr
    assert "otlp" in result.stderr
    assert "Connect Admin serves" not in result.stdout
