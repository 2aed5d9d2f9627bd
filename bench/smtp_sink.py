"""An SMTP sink on 127.0.0.1 that accepts everything and counts.

``python -m bench.smtp_sink --port N --stats FILE``: after each connection and
each message, FILE holds ``<connections> <messages>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class Stats:
    def __init__(self, path: str) -> None:
        self.path = path
        self.connections = 0
        self.messages = 0

    def write(self) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{self.connections} {self.messages}\n")
        os.replace(tmp, self.path)


class Handler:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.stats.messages += len(envelope.rcpt_tos)
        self.stats.write()
        return "250 OK"


async def serve(port: int, stats: Stats) -> None:
    handler = Handler(stats)
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        stats.connections += 1
        stats.write()
        return SMTP(handler, hostname="sink.bench.example", loop=loop)

    server = await loop.create_server(factory, "127.0.0.1", port)
    stats.write()
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, Stats(args.stats)))


if __name__ == "__main__":
    main()
