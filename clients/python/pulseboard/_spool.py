"""The disk spool: NDJSON batches the server could not take, oldest first, bounded, shared by the processes that use
the same folder.

Two OS locks (flock; the kernel lets go of them when a process dies, so neither can outlive its owner):
``spool.lock`` is held only while the spool's files are read or written, never across a network call, so another
process appending to the same folder waits for a file operation, not for a server; ``spool.drain.lock`` is held by
the one process sending the spool (taken without waiting: when another process is sending it, this one leaves it
to that one and tries again later). Between the read and the removal of what was sent, other processes may append
(at the end) or drop the oldest lines to make room (at the start); the removal takes both into account.
"""

import contextlib
import os

try:
    import fcntl
except ImportError:  # Windows: one process per spool folder, unchecked
    fcntl = None

CHUNK_BYTES = 4 * 1024 * 1024  # one request of spooled events, cut at a line end (the server takes 8 MiB bodies)


class Spool:
    """``spool.ndjson`` in ``folder`` (the C# client's format): whole lines, each one event, fsynced on write.

    Invariant outside the lock: the file holds exactly the events not yet delivered, oldest first.
    """

    def __init__(self, folder, max_bytes):
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(os.path.abspath(folder), "spool.ndjson")
        self._lock_path = os.path.join(os.path.abspath(folder), "spool.lock")
        self._drain_lock_path = os.path.join(os.path.abspath(folder), "spool.drain.lock")
        self.max_bytes = max_bytes

    def size(self):
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    @contextlib.contextmanager
    def locked(self):
        """Holds the folder's lock for a file operation: another process using the same spool waits (a dead one
        holds nothing). Never held across a network call."""
        with open(self._lock_path, "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    @contextlib.contextmanager
    def _draining(self):
        """Holds the drain lock if it is free: yields True, or False when another process is sending the spool."""
        with open(self._drain_lock_path, "a") as lock:
            if fcntl is not None:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
            yield True

    def append(self, lines):
        """Appends ``lines`` (whole NDJSON lines); when the spool would grow past its bound, the oldest lines go.

        Returns how many lines were dropped to make room (some of ``lines`` themselves when they alone are too big).
        """
        body = b"".join(lines)
        with self.locked():
            size = self.size()
            dropped = 0
            if size + len(body) > self.max_bytes:
                dropped, body = self._make_room(size, body)
            if body:
                with open(self.path, "ab") as file:
                    if size and not dropped and _last_byte(self.path) != b"\n":
                        file.write(b"\n")  # a line torn by a kill stays one bad line, not glued to ours
                    file.write(body)
                    file.flush()
                    os.fsync(file.fileno())  # the point of the spool is to survive the agent
            return dropped

    def _make_room(self, size, body):
        data = _read(self.path) if size else b""
        if data and not data.endswith(b"\n"):
            data += b"\n"
        data += body
        cut = 0
        dropped = 0
        while len(data) - cut > self.max_bytes:
            end = data.find(b"\n", cut)
            cut = len(data) if end < 0 else end + 1
            dropped += 1
        self._replace(data[cut:])
        return dropped, b""

    def _replace(self, data):
        temporary = self.path + ".tmp"
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)

    def drain(self, send):
        """Sends the spool oldest first, ``send(chunk, lines)`` per chunk, until it is empty or ``send`` raises; what
        was sent goes from the file, the rest stays. The lock is held only to read the file and to remove what was
        sent, not while ``send`` runs. Returns True when this process sent the spool; False when another process is
        sending it now (that one sends what this one spooled too)."""
        with self._draining() as mine:
            if not mine:
                return False
            with self.locked():
                data = _read(self.path) if self.size() else b""
            sent = 0
            try:
                while sent < len(data):
                    end = data.rfind(b"\n", sent, sent + CHUNK_BYTES) + 1 if len(data) - sent > CHUNK_BYTES else len(data)
                    if end <= sent:  # one line longer than a chunk: it goes alone
                        newline = data.find(b"\n", sent)
                        end = len(data) if newline < 0 else newline + 1
                    chunk = data[sent:end]
                    send(chunk, chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1))
                    sent = end
            finally:
                if sent:
                    with self.locked():
                        self._forget(data, sent)  # the sent part must not go twice (though its ids would make that harmless)
            return True

    def _forget(self, data, sent):
        """Under the lock: removes ``data[:sent]`` (read earlier, now sent) from the file, keeping what other
        processes appended since. When the oldest lines were dropped to make room meanwhile, the file starts inside
        ``data``, at a line end: only what of the sent part is still there goes. When neither can be told, the file
        stays as it is: sent events going again is harmless (their ids), losing one is not."""
        current = _read(self.path)
        if current[:sent] == data[:sent]:
            rest = current[sent:]
        else:
            rest = current
            first = current[:current.find(b"\n") + 1]
            start = data.find(first) if first else -1
            if start >= 0 and current[:len(data) - start] == data[start:]:
                rest = current[max(sent - start, 0):]
        if not rest:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)
        elif len(rest) != len(current):
            self._replace(rest)


def _read(path):
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return b""


def _last_byte(path):
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1)
