"""driftcheck: catch API contract drift between recorded responses, fresh ones and mocks."""

from __future__ import annotations

__version__ = "0.1.0"
