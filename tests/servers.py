"""Real local HTTP servers for tests: scripted routes, counted requests, real faults."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

Handler = Callable[[Request], Response]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    """A threaded werkzeug server on 127.0.0.1 whose routes tests set and whose hits they count."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.get_data()
        with self._lock:
            self.hits[request.path] += 1
            self.requests.append(request)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            handler = self.routes.get(request.path)
            response = handler(request) if handler else Response("no route", 404)
        finally:
            with self._lock:
                self.in_flight -= 1
        return response(environ, start_response)

    def __enter__(self) -> LiveServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()


def json_response(payload: str, status: int = 200, **headers: str) -> Response:
    return Response(payload, status, headers=headers, content_type="application/json")


def slow(seconds: float, then: Handler) -> Handler:
    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return then(request)

    return handler


def sequence(*responses: Response) -> Handler:
    """Answer with each response in turn, then repeat the last one."""
    queue = list(responses)

    def handler(request: Request) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


@contextmanager
def dropping_server() -> Iterator[str]:
    """Accepts connections and closes them without a word: a dropped connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            connection.recv(65536)
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def refused_url() -> str:
    """A URL on a port nobody listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


class Drip:
    """A raw-socket server that answers every request one byte at a time, `interval`
    seconds apart: the headers too when `headers_too`, else only the body. `sent` counts
    the bytes it got out before the client hung up."""

    def __init__(self, body: bytes, interval: float, headers_too: bool = False) -> None:
        self.head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        self.body = body
        self.interval = interval
        self.headers_too = headers_too
        self.sent = 0
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            if not self.headers_too:
                connection.sendall(self.head)
            slow = (self.head if self.headers_too else b"") + self.body
            for byte in slow:
                if self._stop.wait(self.interval):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                self.sent += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def __enter__(self) -> Drip:
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()


def gzip_bomb(members: int, member_mib: int = 64) -> list[bytes]:
    """A gzip body, as the pieces to stream, of `members` members of `member_mib` MiB of
    zeros each (about 1000-fold compressed): 160 members of 64 MiB is 10 MiB on the wire,
    10 GiB decoded. One piece is built; the list repeats it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    member = b"".join(compressor.compress(zeros) for _ in range(member_mib))
    return [member + compressor.flush()] * members


def gzip_twice(data: bytes) -> bytes:
    """`data` gzipped, then gzipped again (`Content-Encoding: gzip, gzip`)."""
    return gzip.compress(gzip.compress(data, 9), 9)
