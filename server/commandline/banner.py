"""What ``connect-admin serve`` says as it starts: what it serves where, which database it
uses, and, while nobody can sign in, how to make an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from server.settings import Settings, is_sqlite_url

CREATE_ADMIN = (
    "connect-admin create-admin --login LOGIN --last-name NAME --password-stdin < password.txt"
)
DEMO_DATA = "connect-admin demo-data"


@dataclass(frozen=True)
class Occupancy:
    """Whether the database has anyone to sign in as, and anything at all."""

    administrators: bool
    locations: bool


def database_text(settings: Settings) -> str:
    """The database in words, never with a password."""
    from persistence.database import sqlite_file
    from server.commandline.preflight import where

    if is_sqlite_url(settings.database_url):
        path = sqlite_file(settings.database_url)
        return "SQLite in memory" if path is None else f"the SQLite file {path}"
    return f"PostgreSQL {where(settings.database_url)}"


def startup_lines(settings: Settings, host: str, port: int, occupancy: Occupancy) -> list[str]:
    name = f"[{host}]" if ":" in host else host
    base = f"http://{name}:{port}"
    lines = [
        f"Connect Admin serves {base}",
        f"  API:                {base}/graphql (GraphiQL in a browser)",
        f"  Web Administration: {base}/admin",
        f"  Metrics:            {base}/metrics (Prometheus)",
        f"  Database:           {database_text(settings)}",
    ]
    if not occupancy.administrators:
        lines.append("No administrator yet, so nobody can sign in. Make one:")
        lines.append(f"  {CREATE_ADMIN}")
        if not occupancy.locations:
            lines.append(f"or fill this empty database with a demo organisation: {DEMO_DATA}")
    return lines
