"""Pulseboard's Python client: ``Client.append`` returns at once; a background thread batches, retries with ids,
and spools to disk while the server is down. Standard library only."""

from ._event import EventError
from ._http import Outcome, Refused, Unreachable
from ._writer import SpoolFull
from .client import Client

__all__ = ["Client", "EventError", "Outcome", "Refused", "SpoolFull", "Unreachable"]
__version__ = "0.1.0"
