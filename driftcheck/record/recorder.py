"""Record configured live endpoints into cassettes, concurrently, scrubbed, atomically.

Every sample of every endpoint is one task in a thread pool; an endpoint's cassette
is written (temp file, then rename) only once all its samples succeeded, so a
failure or an interrupt never touches a committed cassette.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from driftcheck import __version__
from driftcheck.config import Config, Endpoint
from driftcheck.core.model import Outcome
from driftcheck.errors import DriftcheckError
from driftcheck.files import write_atomic
from driftcheck.record.exchange import (
    BodyCheck,
    LeakError,
    Received,
    SampleError,
    cassette_text,
    check_response,
    to_exchange,
)
from driftcheck.record.scrub import Scrubbing
from driftcheck.record.writer import Exchange

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One request of an endpoint: its URL filled from one combination of params."""

    endpoint: Endpoint
    index: int
    url: str


@dataclass(frozen=True, slots=True)
class Settings:
    """How to talk to live servers; `backoff` is the first retry delay in seconds."""

    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5
    scrubbing: Scrubbing = field(default_factory=Scrubbing)
    check_body: BodyCheck | None = None  # why a body cannot be read, for refusing it

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> Settings:
        scrubbing = Scrubbing(
            headers=config.scrub_headers,
            query=config.scrub_query,
            body=config.scrub_body,
            secrets=dict(config.secrets),
        )
        return cls(timeout=config.timeout, retries=config.retries, scrubbing=scrubbing, **overrides)


def samples(endpoint: Endpoint) -> Iterator[Sample]:
    """One sample per combination of `params`; params not in the URL go to the query."""
    names = sorted(endpoint.params)
    in_url = set(endpoint.placeholders)
    combos = itertools.product(*(endpoint.params[name] for name in names))
    for index, combo in enumerate(combos):
        values = dict(zip(names, combo, strict=True))
        url = endpoint.url.format_map({k: v for k, v in values.items() if k in in_url})
        extra = {k: v for k, v in values.items() if k not in in_url}
        query = {**endpoint.query, **{k: str(v) for k, v in extra.items()}}
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        yield Sample(endpoint, index, url)


_local = threading.local()


def _session() -> requests.Session:
    """One session per worker thread: connection reuse without sharing a Session."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.headers["User-Agent"] = f"driftcheck/{__version__}"
        # No cookie jar: one endpoint's Set-Cookie must not ride along to the next.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when - time.time(), MAX_RETRY_AFTER))


_CAUSES = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "host not found"),
    ("nodename nor servname", "host not found"),
    ("Temporary failure in name resolution", "host not found"),
    ("RemoteDisconnected", "connection closed by the server without a response"),
    ("Connection reset", "connection reset by the server"),
    ("Connection aborted", "connection closed by the server"),
    ("SSLError", "TLS handshake failed"),
)


def _connection_reason(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    for needle, reason in _CAUSES:
        if needle in text:
            return reason
    return f"connection failed ({type(error).__name__})"


def fetch(sample: Sample, settings: Settings) -> requests.Response:
    """Send one request, retrying connection errors, 5xx and 429 with backoff."""
    endpoint = sample.endpoint
    for attempt in range(settings.retries + 1):
        last = attempt == settings.retries
        delay = settings.backoff * 2**attempt
        try:
            response = _session().request(
                endpoint.method,
                sample.url,
                headers=dict(endpoint.headers),
                json=endpoint.json,
                timeout=settings.timeout,
            )
        except requests.Timeout:
            raise SampleError(f"timed out after {settings.timeout:g} s") from None
        except requests.RequestException as error:
            if last:
                raise SampleError(_connection_reason(error)) from None
            time.sleep(delay)
            continue
        if response.status_code in RETRY_STATUSES and not last:
            time.sleep(_retry_after(response) or delay)
            continue
        return response
    raise AssertionError("unreachable: the last attempt returns or raises")


def received(sample: Sample, response: requests.Response) -> Received:
    """The response as plain values, for checking and scrubbing (`record/exchange.py`)."""
    request = response.request
    raw_request = request.body.encode() if isinstance(request.body, str) else request.body
    return Received(
        url=request.url or sample.url,
        status=response.status_code,
        reason=response.reason or "",
        headers=dict(response.headers),
        body=response.content,
        request_headers={k: str(v) for k, v in request.headers.items()},
        request_body=raw_request or None,
    )


def record_sample(sample: Sample, settings: Settings) -> Exchange:
    got = received(sample, fetch(sample, settings))
    check_response(sample.url, sample.endpoint.expect_status, got, settings.check_body)
    try:
        return to_exchange(sample.endpoint.method, got, settings.scrubbing)
    except DriftcheckError as error:  # e.g. a body too deep to scrub: refused, never written
        raise SampleError(f"{error} (from {sample.url})") from None


def write_endpoint(
    endpoint: Endpoint, exchanges: list[Exchange], out: Path, settings: Settings
) -> Outcome:
    """Serialize, scan for leaked secrets, then write atomically."""
    try:
        text = cassette_text(exchanges, settings.scrubbing)
    except LeakError as error:
        return Outcome(endpoint.name, len(exchanges), error=str(error))
    path = out / f"{endpoint.name}.yaml"
    write_atomic(path, text, durable=True, mode=0o644)
    return Outcome(endpoint.name, len(exchanges), path=str(path))


def record(
    endpoints: tuple[Endpoint, ...],
    out: Path,
    settings: Settings,
    concurrency: int = 8,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Record every endpoint into `out/<name>.yaml`; return one outcome per endpoint."""
    plan = {endpoint.name: list(samples(endpoint)) for endpoint in endpoints}
    results: dict[str, list[Exchange | None]] = {name: [None] * len(s) for name, s in plan.items()}
    outcomes: dict[str, Outcome] = {}

    def finish(outcome: Outcome) -> None:
        outcomes[outcome.endpoint] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    for endpoint in endpoints:
        if not plan[endpoint.name]:
            finish(Outcome(endpoint.name, 0, error="no samples: a `params` list is empty"))
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="driftcheck-record")
    futures: dict[Future[Exchange], Sample] = {
        executor.submit(record_sample, sample, settings): sample
        for sample_list in plan.values()
        for sample in sample_list
    }
    try:
        for future in as_completed(futures):
            sample = futures[future]
            name = sample.endpoint.name
            if name in outcomes:
                continue  # this endpoint already failed
            try:
                results[name][sample.index] = future.result()
            except SampleError as error:
                finish(Outcome(name, len(plan[name]), error=str(error)))
                continue
            except Exception as error:  # a bug must not cost the other endpoints
                finish(Outcome(name, len(plan[name]), error=f"{type(error).__name__}: {error}"))
                continue
            if all(item is not None for item in results[name]):
                exchanges = [item for item in results[name] if item is not None]
                finish(write_endpoint(sample.endpoint, exchanges, out, settings))
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return [outcomes[endpoint.name] for endpoint in endpoints]
