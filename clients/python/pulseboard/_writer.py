"""The client's writer thread: takes batches off the queue, sends them, and keeps the spool when the server is away."""

import datetime
import time

from ._event import EventError
from ._http import Outcome, Refused, Unreachable

MAX_BACKOFF = 5.0
MAX_BATCH_BYTES = 4 * 1024 * 1024  # under the server's 8 MiB body limit


class SpoolFull(Exception):
    """The spool reached its bound: the oldest events in it were dropped to make room."""


class Writer:
    """The writer half of Client (a mixin): every method here runs on the one writer thread, which alone touches the
    connection, the spool and the down state; counters it writes are read by other threads."""

    def _run(self):
        while True:
            self._drain_spool_if_due()
            if not self._queue:
                if self._stop:
                    return
                self._wake.clear()
                self._idle = True
                if not self._queue and not self._stop:
                    self._wake.wait(self._spool_due_in())
                self._idle = False
                continue
            batch, markers = self._take()
            if batch:
                self._drain_spool_if_due()  # spooled events go before newer ones
                self._send(batch)
            for done, kind in markers:
                if kind == "handed" or not self._spool_waiting:
                    done.set()
                else:
                    self._parked.append(done)
            with self._progress:
                self._progress.notify_all()

    def _take(self):
        batch, markers, size = [], [], 0
        while self._queue and len(batch) < self._max_batch and size < MAX_BATCH_BYTES:
            item = self._queue.popleft()
            if item[0] is None:
                markers.append((item[2], item[3]))
                break  # answered once what came before it is
            batch.append(item)
            size += len(item[0])
        return batch, markers

    def _spool_due_in(self):
        if not self._spool_waiting:
            return None
        return max(self._down_until - time.monotonic(), 0.0)

    def _mark_down(self):
        self._down_for = self._first_backoff if self._down_for == 0 else min(self._down_for * 2, MAX_BACKOFF)
        self._down_until = time.monotonic() + self._down_for

    def _send(self, batch):
        durable = any(item[3] is True for item in batch)
        if self._spool is not None and (self._spool_waiting or self._down_until > time.monotonic() or self._stop):
            return self._to_spool(batch)  # behind what waits, or down a moment ago: no network attempt
        body = b"".join(item[0] for item in batch)
        try:
            outcomes = self._post(body, len(batch), durable, self._max_attempts)
        except Unreachable as error:
            if self._spool is None:
                return self._fail(batch, Unreachable("%s; no spool_dir, so %d events were lost" % (error, len(batch))))
            self._mark_down()
            return self._to_spool(batch)
        except Refused as error:
            return self._fail(batch, error)
        for item, outcome in zip(batch, outcomes):
            self._answer(item, outcome)

    def _post(self, body, count, durable, attempts):
        delay = self._first_backoff
        for attempt in range(1, attempts + 1):
            try:
                self.requests += 1
                outcomes = self._http.post(body, count, durable, self.dropped)
                self._down_for = 0.0
                return outcomes
            except Unreachable:
                if attempt == attempts or self._stop:
                    raise
            self._halt.wait(delay)  # close() cuts the backoff short
            delay = min(delay * 2, MAX_BACKOFF)

    def _answer(self, item, outcome):
        if outcome.error is None:
            self.delivered += 1
        else:
            self.rejected += 1
            self._report(outcome.error)
        if item[2] is not None:
            item[2](outcome)

    def _fail(self, batch, error):
        self.failed += len(batch)
        self._report(error)
        for item in batch:
            if item[2] is not None:
                item[2](Outcome(0, EventError("", "event: %s" % error)))

    def _to_spool(self, batch):
        stamp = None
        lines = []
        for line, unstamped, _, _ in batch:
            if unstamped:  # it may wait a while: keep when it happened, not when it finally arrives
                stamp = stamp or ('{"timestamp":"%s",' % _now()).encode()
                line = stamp + line[1:]
            lines.append(line)
        try:
            dropped = self._spool.append(lines)
        except OSError as error:
            return self._fail(batch, error)
        self._spool_waiting = True
        self.spooled += len(batch)
        if dropped:
            self.spool_dropped += dropped
            self._report(SpoolFull("the spool %s is full (%d bytes): its %d oldest events were dropped"
                                   % (self._spool.path, self._spool.max_bytes, dropped)))
        for item in batch:
            if item[2] is not None:
                item[2](Outcome(0, None, True))

    def _drain_spool_if_due(self):
        if not self._spool_waiting or self._stop or self._down_until > time.monotonic():
            return
        attempts = 1 if self._down_for else self._max_attempts  # one try tells whether a down server is back
        try:
            if not self._spool.drain(lambda chunk, lines: self._send_spooled(chunk, lines, attempts)):
                # Another process is sending the spool (ours with it): new batches join it; look again soon.
                self._down_until = time.monotonic() + self._first_backoff
                return
        except Unreachable:
            self._mark_down()
            return
        except OSError as error:
            self._mark_down()
            self._report(error)
            return
        self._spool_waiting = False
        for done in self._parked:
            done.set()
        self._parked.clear()

    def _send_spooled(self, chunk, lines, attempts):
        try:
            outcomes = self._post(chunk, lines, False, attempts)
        except Refused as error:  # refused for good, as a live batch would be: sending it again cannot help
            self.failed += lines
            self._report(error)
            return
        for outcome in outcomes:
            if outcome.error is None:
                self.delivered += 1
            else:
                self.rejected += 1
                self._report(outcome.error)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
