"""A TCP proxy on 127.0.0.1 to stand between the tests and Redis, and be stopped and restarted.

Stopping it closes the listening socket and every connection through it, which is what a Redis
server that goes away looks like to its clients. ``silent=True`` accepts connections and never
answers: a server that hangs; ``delay`` holds back every answer: a server that is slow.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class Proxy:
    def __init__(
        self,
        target: tuple[str, int] = ("127.0.0.1", 6379),
        silent: bool = False,
        delay: float = 0.0,
    ):
        self.target = target
        self.silent = silent
        self.delay = delay
        self.port = 0
        self._server: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/15"

    def start(self) -> Proxy:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            sockets, self._sockets = self._sockets, []
        for sock in [*sockets, *([server] if server else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with self._lock:
                if self._server is not server:
                    client.close()
                    return
                self._sockets.append(client)
            if self.silent:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is b and self.delay:
                        time.sleep(self.delay)  # a slow server: every answer comes late
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
