"""The commands of ``connect-admin`` other than ``serve`` (``cli.py`` parses them)."""

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
from server.commandline.banner import Occupancy
from server.settings import Settings, check_secret_key, is_sqlite_url, resolve_secret_key

EXIT_OK = 0

T = TypeVar("T")


class CommandError(Exception):
    """A failure the user can act on: printed as it is, exit code 1."""


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.migrate import revisions_between
    from server.commandline.preflight import check_revision, database_state, where

    state = asyncio.run(database_state(settings.database_url))
    if state.migrated_by_a_newer_release():
        # A rolling upgrade's older hosts may run their own migrate before serving.
        print(f"Nothing to do: {check_revision(settings.database_url, state)}.")
        return EXIT_OK
    before = state.revision
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
    from server.commandline.demo_data import (
        DEMO_ADMIN_LOGIN,
        DEMO_ADMIN_PASSWORD,
        load_demo_data,
    )

    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    if not _run_with_services(settings, load_demo_data):
        from server.commandline.preflight import where

        raise CommandError(
            f"the database at {where(settings.database_url)} is not empty (it has a location "
            "or an administrator); demo data goes only into an empty database, so that its "
            "passwords are the ones stored. Nothing changed. For the demo, point "
            "CONNECT_DATABASE_URL at a new database file"
        )
    print(
        "Loaded the demo organisation. Sign in (demo only) as "
        f"{DEMO_ADMIN_LOGIN!r} with password {DEMO_ADMIN_PASSWORD!r}."
    )
    return EXIT_OK


def config_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.commandline.environment import effective_configuration

    for entry in effective_configuration(settings):
        print(f"{entry.source:<11}  {entry.variable}{entry.value}")
    return EXIT_OK


def occupancy(settings: Settings) -> Occupancy:
    """Whether anyone can sign in yet, for what ``serve`` says as it starts."""

    async def look(services: Services) -> Occupancy:
        async with services.uow as uow:
            return Occupancy(
                administrators=bool(await uow.administrators.list()),
                locations=bool(await uow.locations.list()),
            )

    return _run_with_services(settings, look)


def export_schema_command(args: argparse.Namespace, settings: Settings) -> int:
    from gql.limits import Limits
    from gql.schema import build_schema

    return _export(args.output, build_schema(Limits()).as_str() + "\n", "the schema")


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

    from domain.services.progress import ProgressBroker
    from persistence.database import create_engine
    from persistence.progress import SqlProgressStore
    from server.container import services_factory
    from server.dispatcher import run_dispatcher
    from server.http.logs import configure_logging
    from server.reset_job_worker import run_reset_jobs, stop_reset_jobs
    from server.tracing import configure_tracing, instrument_engine

    configure_logging(settings.log_level)
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_secret_key(resolve_secret_key(settings))
    check_database_ready(settings)
    # Traces of the sends when the OTEL_… variables ask for them (docs/operators/traces.md).
    traced = configure_tracing()

    async def run() -> None:
        engine = create_engine(settings.database_url)
        if traced:
            instrument_engine(engine)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print("connect-admin: dispatching mail; stop with Ctrl-C", file=sys.stderr)
        make_services = services_factory(engine, settings)
        progress = ProgressBroker(SqlProgressStore(engine))
        jobs = asyncio.create_task(
            run_reset_jobs(
                make_services, stop, poll_seconds=settings.mail_poll_seconds, progress=progress
            )
        )
        try:
            await run_dispatcher(make_services, stop, poll_seconds=settings.mail_poll_seconds)
        finally:
            await stop_reset_jobs(jobs)
            await engine.dispose()

    from server.commandline.database_lock import hold_database

    with hold_database(settings):
        asyncio.run(run())
    return EXIT_OK


def purge_undo_command(args: argparse.Namespace, settings: Settings) -> int:
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    purged = _run_with_services(settings, lambda services: services.reset_undo.purge_expired())
    print(f"Purged {purged} expired undo records of resets.")
    return EXIT_OK


def unlock_command(args: argparse.Namespace, settings: Settings) -> int:
    """Lifts the sign-in lockouts of a login (an administrator's and a user's, from every
    address): the way back in for an administrator that guesses kept out."""
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    check_database_ready(settings)
    login: str = args.login
    lifted = _run_with_services(settings, lambda services: services.auth.unlock(SYSTEM, login))
    print(f"Lifted {lifted} sign-in lockouts of {login}; its failed sign-ins are forgotten.")
    return EXIT_OK


def migrate_database(settings: Settings) -> None:
    from persistence.migrate import upgrade
    from server.commandline.preflight import check_sqlite_folder, database_state

    check_sqlite_folder(settings.database_url)
    if asyncio.run(database_state(settings.database_url)).migrated_by_a_newer_release():
        return  # nothing this release could apply; check_database_ready decides
    upgrade(settings.database_url)


def check_database_ready(settings: Settings) -> None:
    """Before anything says it serves: the database answers and has a schema this
    release serves; a database a newer release migrated is said on stderr."""
    from server.commandline.preflight import check_database

    notice = check_database(settings.database_url)
    if notice is not None:
        print(f"warning: {notice}", file=sys.stderr, flush=True)


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
