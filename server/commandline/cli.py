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

from domain.errors import DomainError, ServiceUnavailable
from server.commandline.backup import backup_command, restore_command
from server.commandline.commands import (
    EXIT_OK,
    CommandError,
    check_database_ready,
    config_command,
    create_admin_command,
    demo_data_command,
    dispatch_mail_command,
    export_schema_command,
    migrate_command,
    migrate_database,
    occupancy,
    purge_undo_command,
    unlock_command,
)
from server.commandline.database_lock import DatabaseInUse, hold_database
from server.commandline.preflight import DatabaseUnreachable
from server.settings import (
    ConfigurationError,
    Settings,
    check_secret_key,
    is_sqlite_url,
    resolve_secret_key,
)

EXIT_FAILED = 1
EXIT_CONFIGURATION = 2
# The database could not be reached: it may come back by itself, a supervisor may retry.
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130

# prometheus-client's multiprocess mode: read by each worker as it starts (server/http/metrics.py).
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# uvicorn's import string for ``serve --workers N`` (N > 1).
APP_FACTORY = "server.http.app:create_app_from_environment"


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
    except (CommandError, DatabaseInUse) as error:
        _error(str(error))
        return EXIT_FAILED
    except ServiceUnavailable as error:
        _error(f"the database is busy or unreachable ({type(error.__cause__).__name__}); try again")
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
    from server.commandline.environment import environment_help

    parser = argparse.ArgumentParser(
        prog="connect-admin",
        description="Connect Admin: the GraphQL API and the Web Administration for the user\n"
        "administration. Each command says more: connect-admin COMMAND --help",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=description)

    serve = command(
        "serve",
        "serve the API, GraphiQL, the Web Administration and /metrics",
        "Serves /graphql (the API; GraphiQL in a browser), /admin (the Web Administration) "
        "and /metrics. On SQLite it applies pending migrations first and makes the secret "
        "key if there is none. Says at start what it serves where, which database it uses, "
        "and how to make an administrator while there is none.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on; default: %(default)s"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="the port, 0 to 65535 (0: any free one); default: %(default)s",
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes, each with its own database pool; default: %(default)s",
    )
    serve.set_defaults(command=serve_command)

    migrate = command(
        "migrate",
        "apply pending database migrations",
        "Applies the migrations the database lacks (Alembic) and prints each, or says there "
        "is nothing to do. `serve` does it itself on SQLite; run it before `serve` on "
        "PostgreSQL.",
    )
    migrate.set_defaults(command=migrate_command)

    create_admin = command(
        "create-admin",
        "make a system administrator; the password comes on stdin",
        "Makes a system administrator (every location, every right). The password is the "
        "first line of standard input, typed without echo at a terminal.",
    )
    create_admin.add_argument("--login", required=True, help="the sign-in name")
    create_admin.add_argument("--last-name", required=True, help="the last name")
    create_admin.add_argument("--first-name", help="the first name; default: none")
    create_admin.add_argument("--email", help="the e-mail address; default: none")
    create_admin.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    create_admin.set_defaults(command=create_admin_command)

    demo = command(
        "demo-data",
        "fill an empty database with a demo organisation",
        "Fills an empty database (migrated first on SQLite) with a demo organisation and "
        "prints how to sign in. A database with any location or administrator is left as "
        "it is, and the command fails saying so.",
    )
    demo.set_defaults(command=demo_data_command)

    config = command(
        "config",
        "print the configuration in effect, secrets masked",
        "Prints each setting's value in effect and where it comes from (the environment or "
        "the default); passwords and keys are masked.",
    )
    config.set_defaults(command=config_command)

    export = command(
        "export-schema",
        "write the GraphQL schema (SDL)",
        "Writes the GraphQL schema this release serves, as SDL.",
    )
    export.add_argument(
        "--output", default="schema.graphql", help="file, or - for stdout; default: %(default)s"
    )
    export.set_defaults(command=export_schema_command)

    dispatch = command(
        "dispatch-mail",
        "run the mail dispatcher alone",
        "Sends the outbox's mail and webhook deliveries and runs due reset jobs until "
        "Ctrl-C or SIGTERM, for a server started with CONNECT_MAIL_DISPATCHER=false. "
        "Several may run at once on PostgreSQL.",
    )
    dispatch.set_defaults(command=dispatch_mail_command)

    purge_undo = command(
        "purge-undo",
        "remove what resets kept for undoReset once it expired",
        "Removes what resets kept for undoReset once CONNECT_RESET_UNDO_DAYS have passed, "
        "and prints how many records. The mail dispatcher does it as well, every 10 minutes.",
    )
    purge_undo.set_defaults(command=purge_undo_command)

    unlock = command(
        "unlock",
        "lift the sign-in lockouts of a login, from every address",
        "Lifts every sign-in lockout of the login, an administrator's and a user's, from "
        "every client address, and forgets its failed sign-ins: the way back in when "
        "guesses kept an administrator out. Audited (SIGN_IN_UNLOCKED).",
    )
    unlock.add_argument("login", help="the administrator's or user's login")
    unlock.set_defaults(command=unlock_command)

    backup = command(
        "backup",
        "copy the embedded SQLite database and its secret key, while the server runs",
        "Makes a consistent copy of the SQLite database while the server runs, with its "
        "secret key beside it. On PostgreSQL use pg_dump.",
    )
    backup.add_argument("path", help="the backup file to make; its key goes beside it, PATH.secret")
    backup.set_defaults(command=backup_command)

    restore = command(
        "restore",
        "put a backup (and its key) in place of the configured SQLite database; "
        "the server must be stopped",
        "Puts a backup and its key in place of the configured SQLite database and migrates "
        "it. Refuses while a server or dispatcher uses the database.",
    )
    restore.add_argument("path", help="the backup file, with its key beside it (PATH.secret)")
    restore.add_argument(
        "--replace", action="store_true", help="overwrite the database that is there"
    )
    restore.set_defaults(command=restore_command)
    return parser


def parsers() -> dict[str, argparse.ArgumentParser]:
    """The parser of ``connect-admin`` (under "") and of each command, by name."""
    parser = _parser()
    found = {"": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("connect-admin")
    except PackageNotFoundError:
        return "(not installed)"


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers > 1 and args.port == 0:
        # Each worker binds its own socket: port 0 would give each another port.
        raise ConfigurationError("--port 0 (any free port) needs --workers 1")
    if is_sqlite_url(settings.database_url):
        migrate_database(settings)
    # Fails early with a clear message when PostgreSQL has no key or the key is no key;
    # makes the SQLite one.
    check_secret_key(resolve_secret_key(settings))
    # An OTEL_TRACES_EXPORTER this server cannot honour is refused before it serves.
    from server.tracing import tracing_wanted

    tracing_wanted()
    check_database_ready(settings)
    if args.port != 0:
        _refuse_taken_port(args.host, args.port)

    from server.http.logs import configure_logging, logging_config

    configure_logging(settings.log_level)
    if args.workers > 1 and is_sqlite_url(settings.database_url):
        logging.getLogger("connect_admin.server").warning(
            "%d workers on SQLite: one writer at a time; PostgreSQL suits several workers",
            args.workers,
        )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        # JSON lines in every worker; uvicorn's access log is off (see server/http/logs.py).
        "log_config": logging_config(settings.log_level),
        "access_log": False,
        # Websocket messages bounded in the web server too, before the app reads them
        # (server/http/sockets.py checks them again, whatever serves the app).
        "ws_max_size": settings.max_body_bytes,
    }
    from server.commandline.banner import startup_lines

    for line in startup_lines(settings, args.host, args.port, occupancy(settings)):
        print(line, flush=True)
    with hold_database(settings):
        if args.workers > 1:
            with _metrics_folder():
                return _serve_workers(args, options)
        import uvicorn

        from server.http.app import create_app

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


# How long the supervisor waits for a worker's answer to its health check before it
# kills the worker. Uvicorn's 5 s also covers a new worker's imports, which take longer
# than that on a busy host: the supervisor would kill every new worker in turn.
WORKER_HEALTH_CHECK_SECONDS = 60


def _serve_workers(args: argparse.Namespace, options: dict[str, Any]) -> int:
    import uvicorn

    from server.commandline.workers import SPREADS_CONNECTIONS, ReusePortMultiprocess

    options = {**options, "timeout_worker_healthcheck": WORKER_HEALTH_CHECK_SECONDS}

    # Each worker process builds its own app and engine from the environment,
    # and on Linux listens on a socket of its own (server/commandline/workers.py).
    if not SPREADS_CONNECTIONS:
        uvicorn.run(APP_FACTORY, factory=True, workers=args.workers, **options)
        return EXIT_OK
    config = uvicorn.Config(APP_FACTORY, factory=True, workers=args.workers, **options)
    with contextlib.suppress(KeyboardInterrupt):
        ReusePortMultiprocess(config).run()
    return EXIT_OK


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is no port: from 0 to 65535")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _refuse_taken_port(host: str, port: int) -> None:
    from server.commandline.workers import refuse_taken

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
