"""POST /api/events: one NDJSON batch, and what the server made of each event."""

import http.client
import json
import urllib.parse

from ._event import EventError


class Unreachable(Exception):
    """The server could not take the batch now (no connection, a timeout, 408, 429, 5xx): retry, or spool it."""


class Refused(Exception):
    """The server will never take this batch as sent (401, 403, 413, 415, any other 4xx): retrying cannot help."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Outcome(tuple):
    """What became of one event: ``seq`` (its position in the log, 0 when not stored), ``error`` (an EventError
    saying why it was rejected, or None) and ``spooled`` (it waits in the disk spool; its seq is not known yet)."""

    __slots__ = ()

    def __new__(cls, seq=0, error=None, spooled=False):
        return tuple.__new__(cls, (seq, error, spooled))

    seq = property(lambda self: self[0])
    error = property(lambda self: self[1])
    spooled = property(lambda self: self[2])
    stored = property(lambda self: self[1] is None, doc="True when the event is in the log, or in the spool on its way there.")

    def __repr__(self):
        return "Outcome(seq=%r, error=%r, spooled=%r)" % self


class Connection:
    """One keep-alive HTTP connection to the server, reopened after any failure. Used by the writer thread only."""

    def __init__(self, url, token, client_id, timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url: %r is not an http:// or https:// address; pass e.g. http://127.0.0.1:5080" % url)
        self._parts = parts
        self._path = parts.path.rstrip("/") + "/api/events?positions=true"
        self._headers = {"Content-Type": "application/x-ndjson", "Pulseboard-Client": client_id}
        if token:
            self._headers["Authorization"] = "Bearer " + token
        self._timeout = timeout
        self._connection = None

    def post(self, body, count, durable, dropped):
        """Sends ``count`` events as NDJSON and returns an Outcome for each; raises Unreachable or Refused."""
        headers = dict(self._headers)
        headers["Pulseboard-Client-Dropped"] = str(dropped)  # the server's /metrics shows what agents lost
        try:
            if self._connection is None:
                kind = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
                self._connection = kind(self._parts.hostname, self._parts.port, timeout=self._timeout)
            self._connection.request("POST", self._path + ("&durable=true" if durable else ""), body, headers)
            response = self._connection.getresponse()
            status, answer = response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise Unreachable("the server at %s cannot be reached (%s)" % (self._parts.netloc, error or type(error).__name__)) from None
        if status in (202, 400):
            return _outcomes(status, answer, count)
        if status in (408, 429) or status >= 500:
            raise Unreachable("the server answered %d %s" % (status, _detail(answer)))
        raise Refused(status, "the server refused the batch: %d %s" % (status, _detail(answer)))  # 401, 403, 404, 413...

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _detail(answer):
    try:
        return json.loads(answer).get("detail") or answer[:300].decode("utf-8", "replace")
    except (ValueError, AttributeError):
        return answer[:300].decode("utf-8", "replace")


def _outcomes(status, answer, count):
    try:
        root = json.loads(answer)
    except ValueError:
        root = {}
    if not isinstance(root, dict):
        root = {}
    positions = root.get("positions") or []
    outcomes = [Outcome(positions[i] if i < len(positions) else 0) for i in range(count)]
    rejected = root.get("rejected") if status == 202 else root.get("errors")
    if status == 400 and not rejected:  # the body as a whole was refused: every event shares its detail
        return [Outcome(0, EventError("", "event: " + str(root.get("detail", "the server refused the batch"))))] * count
    for item in rejected or []:
        index = item.get("index", -1)
        if 0 <= index < count:
            outcomes[index] = Outcome(0, EventError(str(item.get("field", "")), str(item.get("message", "rejected"))))
    return outcomes
