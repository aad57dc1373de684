"""A loopback TCP proxy in front of a real service that can cut a connection after the request
went through and before the response comes back: the request reached the service, the
client never hears the answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class CuttingProxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target_port`. After `cut_next()`, the next
    response to arrive from the target is dropped and both sides of its connection closed."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.cuts = 0
        self._armed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._start(self._accept)

    def cut_next(self) -> None:
        with self._lock:
            self._armed = True

    def close(self) -> None:
        self._closed = True
        for sock in [self.listener, *self._sockets]:
            _shut(sock)
        for thread in self._threads:
            thread.join(5)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            self._start(self._pump, client, upstream, False)
            self._start(self._pump, upstream, client, True)

    def _pump(self, source: socket.socket, sink: socket.socket, responses: bool) -> None:
        try:
            while data := source.recv(65536):
                if responses and self._take_cut():
                    break
                sink.sendall(data)
        except OSError:
            pass
        _shut(source)
        _shut(sink)

    def _take_cut(self) -> bool:
        with self._lock:
            armed, self._armed = self._armed, False
        self.cuts += armed
        return armed


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
