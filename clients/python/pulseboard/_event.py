"""The event contract (DESIGN.md, /schema/event.json), checked on the caller's thread before an event is queued."""

import datetime
import json
import re

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})")
PRIORITIES = ("low", "normal", "high", "critical")
MAX_ID_LENGTH = 128
DEFAULT_MAX_EVENT_BYTES = 64 * 1024
SLUG_RULE = "^[a-z0-9][a-z0-9-]{0,62}$"
NAME_RULE = "^[A-Za-z0-9_.:-]{1,64}$"


class EventError(ValueError):
    """An event broke a rule of the contract: ``field`` names it ("" for the whole event), the message says what to fix."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def quote(value):
    """An untrusted value for a message: JSON-escaped and cut to 64 characters, as the server quotes it."""
    text = str(value)
    cut = json.dumps(text[:64])
    return cut[:-1] + "\u2026\"" if len(text) > 64 else cut


def _slug(field, value):
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        what = "is required, a slug" if value is None else quote(value) + " is not a slug"
        raise EventError(field, "%s: %s (%s)" % (field, what, SLUG_RULE))


def _name(field, value):
    if not isinstance(value, str) or not NAME.fullmatch(value):
        what = "is required, a name" if value is None else quote(value) + " is not a name"
        raise EventError(field, "%s: %s (%s)" % (field, what, NAME_RULE))


def _timestamp(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise EventError("timestamp", "timestamp: a datetime without tzinfo is ambiguous; pass datetime.now(timezone.utc)")
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
        raise EventError("timestamp", "timestamp: %s is not an RFC 3339 date-time; write it like 2026-11-22T14:03:00Z" % quote(value))
    return value


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_slugs = set()  # values already checked: agents write the same few dashboards, sections, actions and sources
_names = set()
_KNOWN_MAX = 4096


def _learn(known, check, field, value):
    check(field, value)
    if len(known) >= _KNOWN_MAX:
        known.clear()
    known.add(value)


def encode(dashboard, section, action, content, priority, source, id, timestamp, max_event_bytes, own_id=False):
    """The event as one line of UTF-8 JSON in the wire format, with its newline; raises EventError for a broken rule.

    Every field but the id and the content is checked against a rule that allows no character JSON must escape,
    so the line is written around them and only those two go through the JSON encoder (``own_id``: the id is the
    client's own, a name and a counter, which needs no escaping either). The line starts with ``{"id":``, which the
    spool's stamp relies on.
    """
    if dashboard not in _slugs:
        _learn(_slugs, _slug, "dashboard", dashboard)
    if section not in _slugs:
        _learn(_slugs, _slug, "section", section)
    if action not in _names:
        _learn(_names, _name, "action", action)
    if own_id:
        head = '{"id":"%s","dashboard":"%s","section":"%s","action":"%s"' % (id, dashboard, section, action)
    elif isinstance(id, str) and 1 <= len(id) <= MAX_ID_LENGTH:
        head = '{"id":%s,"dashboard":"%s","section":"%s","action":"%s"' % (_ENCODER.encode(id), dashboard, section, action)
    else:
        raise EventError("id", "id: must be a string of 1 to %d characters" % MAX_ID_LENGTH)
    if priority is not None and priority != "normal":
        if priority not in PRIORITIES:
            raise EventError("priority", "priority: %s is not one of %s" % (quote(priority), ", ".join(PRIORITIES)))
        head += ',"priority":"%s"' % priority
    if timestamp is not None:
        head += ',"timestamp":"%s"' % _timestamp(timestamp)
    if source is not None:
        if source not in _names:
            _learn(_names, _name, "source", source)
        head += ',"source":"%s"' % source
    try:
        line = ("%s,\"content\":%s}\n" % (head, _ENCODER.encode(content))).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:  # a set, NaN, a cycle, a lone surrogate: not JSON
        raise EventError("content", "content: not JSON-serializable (%s); send dicts, lists, str, int, float, bool, None" % error) from None
    if len(line) > max_event_bytes + 1:
        raise EventError("", "event: %d bytes serialized, over the limit of %d bytes; send less content or raise the limit"
                         % (len(line) - 1, max_event_bytes))
    return line
