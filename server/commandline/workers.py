"""``serve --workers N``: uvicorn's supervisor, each worker on a listening socket of its own.

uvicorn binds one socket in the parent and hands it to every worker. A worker
woken by a new connection accepts everything waiting in the queue, so a burst
of connections (a load balancer filling its pool, 16 clients starting at once)
lands on whichever worker wakes first, and with keep-alive it stays there:
measured with 16 connections and 2 workers, one worker served all of them and
the other idled. With SO_REUSEPORT each worker listens on a socket of its own
on the same address, and the kernel spreads new connections over them.

The parent keeps no listening socket: a worker's socket lives and dies with
it, and its replacement binds a new one. Connections still queued on a worker
that stops are reset (Linux moves them to another worker only with
net.ipv4.tcp_migrate_req=1). Linux only: elsewhere SO_REUSEPORT does not
spread connections, and ``serve`` keeps uvicorn's shared socket.

It relies on how uvicorn's ``Multiprocess`` starts a worker (it reads
``self.sockets`` for each one); constraints.txt pins the uvicorn it was
tested with.
"""

from __future__ import annotations

import socket
import sys

from uvicorn import Config
from uvicorn.supervisors import Multiprocess


def bind_reuse_port(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` that other workers may bind as well.

    It listens at once: the kernel hands connections only to listening sockets,
    and a worker still starting would otherwise get none of a first burst.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


SPREADS_CONNECTIONS = sys.platform == "linux"


def refuse_taken(host: str, port: int) -> None:
    """Raises OSError when something listens on ``host:port`` already. SO_REUSEPORT
    would let a second server (a stale one, say) share the port without a word."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR: connections of a previous run in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


class ReusePortMultiprocess(Multiprocess):
    """uvicorn's ``Multiprocess``, whose every new worker gets a socket of its own."""

    def __init__(self, config: Config) -> None:
        self._handed_out: list[socket.socket] = []
        super().__init__(config, sockets=[])

    # uvicorn reads ``self.sockets`` once for each worker it starts (at start,
    # on restart, for a replacement): each read binds a new socket.
    @property
    def sockets(self) -> list[socket.socket]:
        sock = bind_reuse_port(self.config.host, self.config.port, self.config.backlog)
        self._handed_out.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, _ignored: list[socket.socket]) -> None:
        pass

    def run(self) -> None:
        refuse_taken(self.config.host, self.config.port)
        try:
            super().run()
        except BaseException:
            # A socket that could not be bound for a new worker, say: the others
            # must not serve on without a supervisor.
            self.terminate_all()
            self.join_all()
            raise

    def keep_subprocess_alive(self) -> None:
        # The started workers hold their sockets now (multiprocessing passed
        # duplicates): the parent's copies go, or a dead worker's socket would
        # live on in the parent and take connections nobody accepts.
        for sock in self._handed_out:
            sock.close()
        self._handed_out.clear()
        super().keep_subprocess_alive()
