"""The ``connect-admin`` command line."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pydantic
from sqlalchemy.exc import SQLAlchemyError

from domain.errors import DomainError
from server.commands import (
    EXIT_OK,
    CommandError,
    check_database_ready,
    create_admin_command,
    demo_data_command,
    dispatch_mail_command,
    export_errors_command,
    export_schema_command,
    migrate_command,
    migrate_database,
    purge_undo_command,
)
from server.preflight import DatabaseUnreachable
from server.settings import (
    ConfigurationError,
    Settings,
    is_sqlite_url,
    resolve_secret_key,
)

EXIT_FAILED = 1
EXIT_CONFIGURATION = 2
# The database could not be reached: it may come back by itself, a supervisor may retry.
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130

# prometheus-client's multiprocess mode: read by each worker as it starts (server/metrics.py).
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# uvicorn's import string for ``serve --workers N`` (N > 1).
APP_FACTORY = "server.app:create_app_from_environment"


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
        migrate_database(settings)
    # Fails early with a clear message when PostgreSQL has no key; makes the SQLite one.
    resolve_secret_key(settings)
    check_database_ready(settings)
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


def _error(message: str) -> None:
    print(f"connect-admin: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
