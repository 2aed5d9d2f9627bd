"""Starts one server for the benchmark: ``python -m bench.serve ours|baseline --port N``.

``ours`` is ``server.http.app.create_app_from_environment()`` (configured by the
``CONNECT_…`` environment, CONNECT_MAIL_DISPATCHER=false from the harness);
``baseline`` is :mod:`bench.baseline`. Both run with the same uvicorn options
(uvloop and httptools when installed, as uvicorn picks them; no access log).
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette

# The apps are imported where each is built, lazily on purpose: a server process loads
# its own app only, so the baseline's memory figure (VmHWM) carries none of ours.


def ours() -> Starlette:
    # What `connect-admin serve --workers N` runs in each worker.
    from server.http.app import create_app_from_environment

    return create_app_from_environment()


def baseline() -> Starlette:
    from bench.baseline import create_app

    return create_app()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["ours", "baseline"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        f"bench.serve:{args.which}",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        access_log=False,
        # info: the harness waits for each worker's "Application startup complete".
        log_level="info",
    )


if __name__ == "__main__":
    main()
