"""The commands of ``connect-admin`` other than ``serve`` (server/cli.py parses them)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from domain.services.registry import Services
from server.settings import Settings, is_sqlite_url, resolve_secret_key

EXIT_OK = 0

T = TypeVar("T")


class CommandError(Exception):
    """A failure the user can act on: printed as it is, exit code 1."""


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.migrate import revisions_between
    from server.preflight import current_revision, where

    before = asyncio.run(current_revision(settings.database_url))
    pending = revisions_between(before)
    if not pending:
        print(f"Nothing to do: the database is at revision {before}, this release's newest.")
        return EXIT_OK
    migrate_database(settings)
    print(f"Migrated {where(settings.database_url)} from revision {before or 'none'}:")
    for revision, message in pending:
        print(f"  {revision}  {message.splitlines()[0] if message else ''}")
    return EXIT_OK


def create_admin_command(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password()
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    new = NewAdministrator(
        login=args.login,
        password=password,
        last_name=args.last_name,
        first_name=args.first_name,
        email=args.email,
    )
    admin = _run_with_services(
        settings, lambda services: services.administrators.create_administrator(SYSTEM, new)
    )
    print(f"Created the system administrator {admin.login!r}.")
    return EXIT_OK


def _read_password() -> str:
    if sys.stdin is None:
        raise CommandError("no standard input to read the password from")
    # At a terminal the password is typed without echo; otherwise one line is read.
    line = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CommandError("the password on standard input is empty")
    return password


def demo_data_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo_data import (
        DEMO_ADMIN_LOGIN,
        DEMO_ADMIN_PASSWORD,
        load_demo_data,
    )

    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    if not _run_with_services(settings, load_demo_data):
        print("The database is not empty: demo data goes only into an empty database.")
        return EXIT_OK
    print(
        "Loaded the demo organisation. Sign in (demo only) as "
        f"{DEMO_ADMIN_LOGIN!r} with password {DEMO_ADMIN_PASSWORD!r}."
    )
    return EXIT_OK


def export_schema_command(args: argparse.Namespace, settings: Settings) -> int:
    from gql.limits import Limits
    from gql.schema import build_schema

    return _export(args.output, build_schema(Limits()).as_str() + "\n", "the schema")


def export_errors_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.error_catalogue import markdown

    return _export(args.output, markdown(), "the error catalogue")


def _export(output: str, text: str, what: str) -> int:
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        print(f"Wrote {what} to {output}.", file=sys.stderr)
    return EXIT_OK


def dispatch_mail_command(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the outbox dispatcher alone until interrupted (SIGINT or SIGTERM)."""
    import signal

    from persistence.database import create_engine
    from server.container import services_factory
    from server.dispatcher import run_dispatcher
    from server.logs import configure_logging

    configure_logging(settings.log_level)
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    resolve_secret_key(settings)
    check_database_ready(settings)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print("connect-admin: dispatching mail; stop with Ctrl-C", file=sys.stderr)
        try:
            await run_dispatcher(
                services_factory(engine, settings), stop, poll_seconds=settings.mail_poll_seconds
            )
        finally:
            await engine.dispose()

    asyncio.run(run())
    return EXIT_OK


def purge_undo_command(args: argparse.Namespace, settings: Settings) -> int:
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    purged = _run_with_services(settings, lambda services: services.reset_undo.purge_expired())
    print(f"Purged {purged} expired undo records of resets.")
    return EXIT_OK


def migrate_database(settings: Settings) -> None:
    from persistence.migrate import upgrade
    from server.preflight import check_sqlite_folder

    check_sqlite_folder(settings.database_url)
    upgrade(settings.database_url)


def check_database_ready(settings: Settings) -> None:
    """Before anything says it serves: the database answers and has this release's schema."""
    from server.preflight import check_database

    check_database(settings.database_url)


def _run_with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Runs ``work`` on its own event loop with a fresh engine, disposed afterwards."""
    from persistence.database import create_engine
    from server.container import build_services

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(build_services(engine, settings))
        except OSError as error:
            where = engine.url.render_as_string(hide_password=True)
            raise CommandError(f"cannot reach the database at {where}: {error}") from error
        finally:
            await engine.dispose()

    return asyncio.run(run())
