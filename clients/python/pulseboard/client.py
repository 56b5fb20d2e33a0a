"""The one call every agent makes: ``Client.append`` queues an event and returns at once."""

import asyncio
import atexit
import collections
import itertools
import threading
import time
import uuid
import weakref

from . import _event
from ._event import EventError
from ._http import Connection, Outcome
from ._spool import Spool
from ._writer import Writer

STAMP_BYTES = len(b'"timestamp":"2026-11-22T14:03:00.123456Z",')


class Client(Writer):
    """Sends events to a Pulseboard server from a background thread.

    ``append`` never blocks and never raises for back-pressure or a dead server: the event goes into a bounded
    in-memory queue (full: dropped and counted in ``dropped``), and one daemon thread sends what the queue holds as
    one NDJSON batch. Every event gets an id (``client_id``-counter) unless it has one, so a retried batch is stored
    once. A server that cannot be reached: batches go to the spool in ``spool_dir`` (bounded by ``spool_max_bytes``;
    when full the oldest events go, counted in ``spool_dropped``) and are sent, oldest first and ahead of newer
    events, once it answers again: from this process or the next one using the same folder. Failures the caller
    cannot be told of by a return value (invalid events, rejections, refused batches, spool drops) go to
    ``on_error(exception)``, called on the caller's thread or the writer thread; what it raises is swallowed and
    counted in ``listener_failures``.

    Thread-safe. ``close`` is idempotent and also runs when the interpreter exits. A ``kill -9`` loses the events
    still in the in-memory queue (not yet handed to the spool or the server); the spool keeps everything written to
    it (each write is fsynced), and a batch in flight is either stored by the server or not, never half.
    """

    def __init__(self, url="http://127.0.0.1:5080", token=None, spool_dir=None, *, on_error=None, queue_size=10000,
                 max_batch=512, spool_max_bytes=64 * 1024 * 1024, max_event_bytes=_event.DEFAULT_MAX_EVENT_BYTES,
                 timeout=10.0, max_attempts=4, first_backoff=0.1, client_id=None, exit_timeout=5.0):
        if queue_size < 1 or max_batch < 1 or max_attempts < 1:
            raise ValueError("queue_size, max_batch and max_attempts must be at least 1 (defaults 10000, 512, 4)")
        if max_event_bytes < 256:
            raise ValueError("max_event_bytes must be at least 256, as on the server (default 65536)")
        if client_id is not None and not _event.NAME.fullmatch(client_id):
            raise ValueError("client_id: %s is not a name (%s); it prefixes every id" % (_event.quote(client_id), _event.NAME_RULE))
        self.client_id = client_id or uuid.uuid4().hex[:12]
        self._http = Connection(url, token, self.client_id, timeout)
        self._spool = Spool(spool_dir, spool_max_bytes) if spool_dir is not None else None
        self._on_error = on_error
        self._queue_size = queue_size
        self._max_batch = max_batch
        self._max_event_bytes = max_event_bytes
        self._max_attempts = max_attempts
        self._first_backoff = max(first_backoff, 0.001)
        self._ids = itertools.count(1)
        self._queue = collections.deque()
        self._wake = threading.Event()
        self._idle = False
        self._progress = threading.Condition()
        self._parked = []  # flush markers waiting for the spool to empty
        self._down_until = 0.0
        self._down_for = 0.0
        self._spool_waiting = self._spool is not None and self._spool.size() > 0  # left by an earlier run: it goes first
        self._closed = False
        self._stop = False  # close gave up on the server: spool the rest, then end
        self._halt = threading.Event()  # set with _stop: cuts a backoff short
        self._count_lock = threading.Lock()
        self.dropped = 0
        self.invalid = 0
        self.rejected = 0
        self.failed = 0
        self.delivered = 0
        self.spooled = 0
        self.spool_dropped = 0
        self.listener_failures = 0
        self.requests = 0
        self._thread = threading.Thread(target=self._run, name="pulseboard-writer", daemon=True)
        self._thread.start()
        reference = weakref.ref(self)
        self._at_exit = lambda: reference() is not None and reference().close(reference()._exit_timeout)
        self._exit_timeout = exit_timeout
        atexit.register(self._at_exit)

    # -- the caller's side ------------------------------------------------------------------------------------------

    def append(self, dashboard, section, action, content=None, priority="normal", source=None, id=None, timestamp=None):
        """Queues one event and returns at once. True when queued; False when invalid (told to on_error) or dropped
        (queue full, client closed), each counted. Never raises for back-pressure or a dead server."""
        line = self._encode(dashboard, section, action, content, priority, source, id, timestamp)
        if line is None:
            return False
        if self._closed or len(self._queue) >= self._queue_size:
            with self._count_lock:
                self.dropped += 1
            return False
        self._queue.append((line, timestamp is None, None, False))
        if self._idle:
            self._wake.set()
        return True

    async def append_async(self, dashboard, section, action, content=None, priority="normal", source=None, id=None,
                           timestamp=None, durable=False):
        """Queues one event and completes with its Outcome: ``seq`` once stored (``durable=True``: once fsynced),
        ``spooled`` when it waits in the spool, ``error`` when invalid or rejected. Not bound by ``queue_size``:
        the caller awaits each one. Raises RuntimeError after close."""
        errors = []
        line = self._encode(dashboard, section, action, content, priority, source, id, timestamp, errors.append)
        if line is None:
            return Outcome(0, errors[0])
        if self._closed:
            raise RuntimeError("the client is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def answer(outcome):
            loop.call_soon_threadsafe(lambda: future.done() or future.set_result(outcome))

        self._queue.append((line, timestamp is None, answer, durable))
        self._wake.set()
        return await future

    def flush(self, timeout=10):
        """Waits until every event queued before the call is answered by the server (stored or rejected), spooled
        ones included. True when that happened within ``timeout`` seconds."""
        if not self._thread.is_alive():
            return not self._queue and not self._spool_waiting
        done = threading.Event()
        self._queue.append((None, False, done, False))
        self._wake.set()
        return done.wait(timeout)

    def close(self, timeout=10):
        """Flushes what it can within ``timeout`` seconds and spools the rest; then the writer ends. Idempotent.

        Returns at once, leaving the spool for the next process, when the server is unreachable and every event
        is in the spool. Events appended later are dropped and counted."""
        if self._closed:
            self._thread.join(timeout)
            return
        self._closed = True
        atexit.unregister(self._at_exit)
        deadline = time.monotonic() + timeout
        handed = threading.Event()
        self._queue.append((None, False, handed, "handed"))
        self._wake.set()
        if handed.wait(timeout) and self._spool_waiting and self._down_until > time.monotonic():
            pass  # all in the spool and the server away: the next process sends it
        elif self._spool_waiting or not handed.is_set():
            self.flush(max(deadline - time.monotonic(), 0))
        self._stop = True
        self._halt.set()
        self._wake.set()
        self._thread.join(max(deadline - time.monotonic(), 0) + self._http._timeout)
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _encode(self, dashboard, section, action, content, priority, source, id, timestamp, tell=None):
        try:
            own = id is None
            if own:
                id = "%s-%d" % (self.client_id, next(self._ids))
            limit = self._max_event_bytes - (STAMP_BYTES if timestamp is None else 0)  # room for a spool stamp
            return _event.encode(dashboard, section, action, content, priority, source, id, timestamp, limit, own)
        except EventError as error:
            with self._count_lock:
                self.invalid += 1
            (tell or self._report)(error)
            return None

    def _report(self, error):
        if self._on_error is None:
            return
        try:
            self._on_error(error)
        except Exception:  # a failing listener must reach neither the agent nor the writer
            with self._count_lock:
                self.listener_failures += 1

    def _wait_for(self, condition, timeout):
        """For tests: waits (bounded) until condition() holds after a batch."""
        with self._progress:
            return self._progress.wait_for(condition, timeout)
