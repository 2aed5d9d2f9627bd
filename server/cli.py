"""The ``connect-admin`` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from sqlalchemy.exc import SQLAlchemyError

from domain.errors import DomainError
from domain.principals import SYSTEM
from domain.services.administrators import NewAdministrator
from domain.services.registry import Services
from server.preflight import DatabaseUnreachable
from server.settings import (
    ConfigurationError,
    Settings,
    is_sqlite_url,
    resolve_secret_key,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIGURATION = 2
# The database could not be reached: it may come back by itself, a supervisor may retry.
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130

# prometheus-client's multiprocess mode: read by each worker as it starts (server/metrics.py).
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# uvicorn's import string for ``serve --workers N`` (N > 1).
APP_FACTORY = "server.app:create_app_from_environment"

T = TypeVar("T")


class CommandError(Exception):
    """A failure the user can act on: printed as it is, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace, Settings], int] = args.command
    try:
        return command(args, Settings())
    except pydantic.ValidationError as error:
        # Only where and what: the value itself may hold a password (a database URL).
        problems = "\n".join(
            f"  {'.'.join(str(part) for part in e['loc'])}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        )
        _error(f"invalid configuration:\n{problems}")
        return EXIT_CONFIGURATION
    except ConfigurationError as error:
        _error(str(error))
        return EXIT_CONFIGURATION
    except DatabaseUnreachable as error:
        _error(str(error))
        return EXIT_UNREACHABLE
    except DomainError as error:
        for problem in error.problems:
            field = f" ({'.'.join(problem.field)})" if problem.field else ""
            _error(f"{problem.code}: {problem.message}{field}")
        return EXIT_FAILED
    except CommandError as error:
        _error(str(error))
        return EXIT_FAILED
    except SQLAlchemyError as error:
        _error(f"database error: {error}")
        return EXIT_FAILED
    except OSError as error:
        _error(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-admin",
        description="Connect Admin: GraphQL API for the user administration. "
        "Configured by CONNECT_DATABASE_URL, CONNECT_SECRET_KEY, CONNECT_CORS_ORIGINS.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "serve", help="serve /graphql (migrates the embedded SQLite database first)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    serve.add_argument("--port", type=int, default=8000, help="default: %(default)s")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes, each with its own database pool; default: %(default)s",
    )
    serve.set_defaults(command=serve_command)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(command=migrate_command)

    create_admin = commands.add_parser(
        "create-admin", help="make a system administrator; the password comes on stdin"
    )
    create_admin.add_argument("--login", required=True)
    create_admin.add_argument("--last-name", required=True)
    create_admin.add_argument("--first-name")
    create_admin.add_argument("--email")
    create_admin.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    create_admin.set_defaults(command=create_admin_command)

    demo = commands.add_parser("demo-data", help="fill an empty database with a demo organisation")
    demo.set_defaults(command=demo_data_command)

    for name, output, what, command in (
        ("export-schema", "schema.graphql", "the GraphQL schema (SDL)", export_schema_command),
        ("export-errors", "docs/errors.md", "the error catalogue", export_errors_command),
    ):
        export = commands.add_parser(name, help=f"write {what}")
        export.add_argument(
            "--output", default=output, help="file, or - for stdout; default: %(default)s"
        )
        export.set_defaults(command=command)

    dispatch = commands.add_parser("dispatch-mail", help="run the mail dispatcher alone")
    dispatch.set_defaults(command=dispatch_mail_command)

    purge_undo = commands.add_parser(
        "purge-undo", help="remove what resets kept for undoReset once it expired"
    )
    purge_undo.set_defaults(command=purge_undo_command)
    return parser


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers > 1 and args.port == 0:
        # Each worker binds its own socket: port 0 would give each another port.
        raise ConfigurationError("--port 0 (any free port) needs --workers 1")
    if is_sqlite_url(settings.database_url):
        _migrate(settings)
    # Fails early with a clear message when PostgreSQL has no key; makes the SQLite one.
    resolve_secret_key(settings)
    _check_database(settings)
    if args.port != 0:
        _refuse_taken_port(args.host, args.port)

    from server.logs import configure_logging, logging_config

    configure_logging(settings.log_level)
    if args.workers > 1 and is_sqlite_url(settings.database_url):
        logging.getLogger("connect_admin.server").warning(
            "%d workers on SQLite: one writer at a time; PostgreSQL suits several workers",
            args.workers,
        )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        # JSON lines in every worker; uvicorn's access log is off (see server/logs.py).
        "log_config": logging_config(settings.log_level),
        "access_log": False,
    }
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Connect Admin: GraphiQL at http://{host}:{args.port}/graphql", flush=True)
    if args.workers > 1:
        with _metrics_folder():
            return _serve_workers(args, options)
    import uvicorn

    from server.app import create_app

    uvicorn.run(create_app(settings, freeze_heap=True), **options)
    return EXIT_OK


@contextlib.contextmanager
def _metrics_folder() -> Iterator[None]:
    """Where each worker writes its metrics, for /metrics to add them up (prometheus-client's
    multiprocess mode); made for this run unless PROMETHEUS_MULTIPROC_DIR names one."""
    import shutil
    import tempfile

    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        yield
        return
    folder = tempfile.mkdtemp(prefix="connect-admin-metrics-")
    os.environ[MULTIPROCESS_DIR_VARIABLE] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR_VARIABLE]
        shutil.rmtree(folder, ignore_errors=True)


def _serve_workers(args: argparse.Namespace, options: dict[str, Any]) -> int:
    import uvicorn

    from server.workers import SPREADS_CONNECTIONS, ReusePortMultiprocess

    # Each worker process builds its own app and engine from the environment,
    # and on Linux listens on a socket of its own (server/workers.py).
    if not SPREADS_CONNECTIONS:
        uvicorn.run(APP_FACTORY, factory=True, workers=args.workers, **options)
        return EXIT_OK
    config = uvicorn.Config(APP_FACTORY, factory=True, workers=args.workers, **options)
    with contextlib.suppress(KeyboardInterrupt):
        ReusePortMultiprocess(config).run()
    return EXIT_OK


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _refuse_taken_port(host: str, port: int) -> None:
    from server.workers import refuse_taken

    try:
        refuse_taken(host, port)
    except OSError as error:
        raise ConfigurationError(
            f"cannot listen on {host}:{port}: {error.strerror or error} "
            "(another server runs there? choose another --port)"
        ) from None


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    from persistence.migrate import revisions_between
    from server.preflight import current_revision, where

    before = asyncio.run(current_revision(settings.database_url))
    pending = revisions_between(before)
    if not pending:
        print(f"Nothing to do: the database is at revision {before}, this release's newest.")
        return EXIT_OK
    _migrate(settings)
    print(f"Migrated {where(settings.database_url)} from revision {before or 'none'}:")
    for revision, message in pending:
        print(f"  {revision}  {message.splitlines()[0] if message else ''}")
    return EXIT_OK


def create_admin_command(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password()
    if is_sqlite_url(settings.database_url):
        _migrate(settings)
    _check_database(settings)
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
        _migrate(settings)
    _check_database(settings)
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
        _migrate(settings)
    resolve_secret_key(settings)
    _check_database(settings)

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
        _migrate(settings)
    _check_database(settings)
    purged = _run_with_services(settings, lambda services: services.reset_undo.purge_expired())
    print(f"Purged {purged} expired undo records of resets.")
    return EXIT_OK


def _migrate(settings: Settings) -> None:
    from persistence.migrate import upgrade
    from server.preflight import check_sqlite_folder

    check_sqlite_folder(settings.database_url)
    upgrade(settings.database_url)


def _check_database(settings: Settings) -> None:
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


def _error(message: str) -> None:
    print(f"connect-admin: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
