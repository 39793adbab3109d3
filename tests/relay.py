"""A TCP relay a test can cut and restore, to stand between a server and PostgreSQL or Redis.

cut() closes every relayed connection and stops listening (new connections are refused), as
when the database restarts or the network drops; restore() listens again on the same port.
"""

import contextlib
import selectors
import socket
import threading
import time


class Relay:
    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Relay":
        self._listen()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.port))
        listener.listen(64)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            listener.close()
        for a, b in pairs:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def restore(self) -> None:
        self._listen()

    def stop(self) -> None:
        self._stop.set()
        self.cut()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        buffers: dict[socket.socket, socket.socket] = {}
        while not self._stop.is_set():
            with self._lock:
                listener = self._listener
                pairs = list(self._pairs)
            sel = selectors.DefaultSelector()
            try:
                if listener is not None:
                    sel.register(listener, selectors.EVENT_READ)
                live = set()
                for a, b in pairs:
                    if a.fileno() >= 0 and b.fileno() >= 0:
                        sel.register(a, selectors.EVENT_READ)
                        sel.register(b, selectors.EVENT_READ)
                        buffers[a], buffers[b] = b, a
                        live.update((a, b))
                ready = sel.select(timeout=0.05)
            except (OSError, ValueError):
                sel.close()
                continue
            for key, _ in ready:
                sock = key.fileobj
                if sock is listener:
                    self._accept(listener)
                    continue
                if sock not in live:
                    continue
                try:
                    data = sock.recv(65536)
                    if data:
                        buffers[sock].sendall(data)
                        continue
                except OSError:
                    pass
                self._drop(sock, buffers[sock])
            sel.close()

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        client.setblocking(True)
        upstream.settimeout(None)
        with self._lock:
            self._pairs.append((client, upstream))

    def _drop(self, a: socket.socket, b: socket.socket) -> None:
        with self._lock:
            self._pairs = [p for p in self._pairs if a not in p]
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class CuttingRelay:
    """A TCP relay that drops the connection in flight after a given number of bytes: each cut
    is ("up", n) (n bytes from client to server, so a request arrives truncated) or ("down", n)
    (n bytes from server to client, so an answer is lost after the server acted). Bytes count
    from the start, per direction; after each cut the relay goes on accepting connections. With
    `every_up`, it also cuts each time that many more bytes have gone up (a lossy link)."""

    def __init__(self, target_port: int, cuts=(), every_up: int = 0):
        self.target = ("127.0.0.1", target_port)
        self.pending = list(cuts)  # cuts still to make
        self.every_up = every_up
        self.sent = {"up": 0, "down": 0}
        self.made = 0
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "CuttingRelay":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            threading.Thread(
                target=self._pump, args=(client, upstream, "up", pair), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, "down", pair), daemon=True
            ).start()

    def _budget(self, direction: str) -> int | None:
        """Bytes that may still pass in this direction before the next cut (None: no limit)."""
        limits = [n for d, n in self.pending if d == direction]
        if direction == "up" and self.every_up:
            limits.append((self.sent["up"] // self.every_up + 1) * self.every_up)
        if not limits:
            return None
        return min(limits) - self.sent[direction]

    def _pump(self, source, sink, direction, pair) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self._lock:
                    budget = self._budget(direction)
                    if budget is not None and len(data) >= budget:
                        data = data[: max(budget, 0)]
                        self.sent[direction] += len(data)
                        cut = True
                        self.made += 1
                        if (direction, self.sent[direction]) in self.pending:
                            self.pending.remove((direction, self.sent[direction]))
                    else:
                        self.sent[direction] += len(data)
                        cut = False
                if data:
                    sink.sendall(data)
                if cut:
                    break
        except OSError:
            pass
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class ThrottlingRelay:
    """A TCP relay that lets bytes through no faster than `up_bps` from client to server (and
    `down_bps` back, if given): a field kit's uplink on a weak mobile signal. Each direction is
    paced against its own clock, in small chunks, so a request of n bytes takes n / rate
    seconds to arrive."""

    CHUNK = 256

    def __init__(self, target_port: int, up_bps: int, down_bps: int | None = None):
        self.target = ("127.0.0.1", target_port)
        self.rates = {"up": up_bps, "down": down_bps}
        self.sent = {"up": 0, "down": 0}
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ThrottlingRelay":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                client.close()
                continue
            # Small kernel buffers: the sender feels the slow link instead of filling megabytes.
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            pair = (client, upstream)
            for source, sink, direction in ((client, upstream, "up"), (upstream, client, "down")):
                threading.Thread(
                    target=self._pump, args=(source, sink, direction, pair), daemon=True
                ).start()

    def _pump(self, source, sink, direction, pair) -> None:
        rate = self.rates[direction]
        started, passed = time.monotonic(), 0
        try:
            while not self._stop.is_set():
                data = source.recv(self.CHUNK if rate else 65536)
                if not data:
                    break
                if rate:
                    passed += len(data)
                    ahead = passed / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                sink.sendall(data)
                self.sent[direction] += len(data)
        except OSError:
            pass
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
