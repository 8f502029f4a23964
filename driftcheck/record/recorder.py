"""Record configured live endpoints into cassettes, concurrently, scrubbed, atomically.

Every sample of every endpoint is one job for a pool of daemon threads
(`record/pool.py`); once all of an endpoint's samples succeeded, its cassette is
serialized, scanned for leaked secrets and written durably (temp file, fsync, rename,
folder fsync) by a few saving threads (`record/saving.py`), so a failure or an
interrupt never touches a committed cassette and the main thread only hands results
on. Each request is bounded whole: one deadline for connect, headers and body, a byte
cap on the decoded body, capped waits between retries.
"""

from __future__ import annotations

import email.utils
import functools
import http.cookiejar
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError

from driftcheck import __version__
from driftcheck.config import Config, Endpoint
from driftcheck.core.model import Outcome
from driftcheck.errors import DriftcheckError
from driftcheck.files import DurableWrites
from driftcheck.record import decoding, writer
from driftcheck.record.exchange import (
    BodyCheck,
    LeakError,
    Received,
    SampleError,
    cassette_text,
    check_response,
    to_exchange,
)
from driftcheck.record.plan import Run, Sample, call_safely, cannot_write
from driftcheck.record.plan import samples as samples  # re-exported: callers find it here
from driftcheck.record.pool import POLL, Control, Notice, Pool
from driftcheck.record.saving import Saver
from driftcheck.record.scrub import Scrubbing, shown
from driftcheck.record.writer import Exchange

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPTED_ENCODINGS = "gzip, deflate"  # what `record/decoding.py` decodes with a cap
SAVERS = 8  # threads writing cassettes: enough for their fsyncs to overlap


@dataclass(frozen=True, slots=True)
class Settings:
    """How to talk to live servers. `timeout` bounds each request whole (connect, headers,
    body); `backoff` is the first retry delay, doubling, and no wait before a retry is
    longer than `max_wait`, whatever Retry-After asks; bodies stop at `max_response_mb`."""

    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5
    max_wait: float = 30.0
    max_response_mb: int = 256
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
        return cls(
            timeout=config.timeout,
            retries=config.retries,
            max_response_mb=config.max_response_mb,
            scrubbing=scrubbing,
            **overrides,
        )


_local = threading.local()


def _session() -> requests.Session:
    """One session per worker thread: connection reuse without sharing a Session."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.headers["User-Agent"] = f"driftcheck/{__version__}"
        session.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
        # No cookie jar: one endpoint's Set-Cookie must not ride along to the next.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def _retry_after(response: requests.Response) -> tuple[str, float] | None:
    """Retry-After as sent (for the message) and in seconds, uncapped; None if absent
    or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isascii() and value.isdigit():
        # never cut a value into a message: a cut secret is one `shown` cannot recognise
        return (value if len(value) <= 10 else f"a {len(value)}-digit value"), float(value[:20])
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    seconds = max(0.0, when - time.time())
    return f"{seconds:.0f} s from now", seconds


_CAUSES = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "host not found"),
    ("nodename nor servname", "host not found"),
    ("Temporary failure in name resolution", "host not found"),
    ("RemoteDisconnected", "connection closed by the server without a response"),
    ("Connection reset", "connection reset by the server"),
    ("Connection aborted", "connection closed by the server"),
    ("SSLError", "TLS handshake failed"),
    ("IncompleteRead", "connection closed before the whole body arrived"),
    ("Connection broken", "connection broken while the body arrived"),
)


def _connection_reason(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    for needle, reason in _CAUSES:
        if needle in text:
            return reason
    return f"connection failed ({type(error).__name__})"


class _Retry(Exception):
    """This attempt failed in a way worth another try; the message says why."""

    def __init__(self, why: str, retry_after: tuple[str, float] | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.retry_after = retry_after  # the header as sent, and the seconds it asks for


class _Late(Exception):
    """The request's overall deadline passed while its body was arriving."""


def _send(sample: Sample, settings: Settings) -> requests.Response:
    endpoint = sample.endpoint
    return _session().request(
        endpoint.method,
        sample.url,
        headers=dict(endpoint.headers),
        json=endpoint.json,
        timeout=settings.timeout,
        stream=True,  # the body is read here, with a byte cap and the overall deadline
    )


def _body(
    sample: Sample, response: requests.Response, settings: Settings, deadline: float
) -> bytes:
    """The decoded body, read in steps: each step's socket timeout is the time left, and
    the body stops at `max_response_mb` however well it compresses."""
    limit = settings.max_response_mb * 1024 * 1024
    declared = response.headers.get("Content-Length", "").strip()
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)

    def read() -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Late
        if sock is not None:
            sock.settimeout(left)
        step: bytes | None = response.raw.read1(decoding.STEP, decode_content=False)
        return step or b""  # None once urllib3 has let go of the body

    try:
        if declared.isascii() and declared.isdigit() and int(declared[:18]) > limit:
            raise decoding.TooLarge
        return decoding.read_decoded(read, response.headers.get("Content-Encoding", ""), limit)
    except decoding.TooLarge:
        raise SampleError(
            f"response body larger than {settings.max_response_mb} MiB (max_response_mb); "
            f"raise max_response_mb (or DRIFTCHECK_MAX_RESPONSE_MB) to record it "
            f"(from {sample.url})"
        ) from None
    except decoding.Undecodable as error:
        raise SampleError(f"{error} (from {sample.url})") from None


def _retry_reason(error: Exception, last: bool) -> Exception:
    reason = _connection_reason(error)
    return SampleError(reason) if last else _Retry(reason)


def _attempt(sample: Sample, settings: Settings, deadline: float, last: bool) -> Received:
    """One request and its body, within `deadline`; _Retry when another try may help."""
    timed_out = SampleError(f"timed out after {settings.timeout:g} s")
    try:
        response = _send(sample, settings)
    except requests.Timeout:
        raise timed_out from None
    except requests.RequestException as error:
        raise _retry_reason(error, last) from None
    try:
        if response.status_code in RETRY_STATUSES and not last:
            raise _Retry(f"HTTP {response.status_code}", _retry_after(response))
        got = received(sample, response, _body(sample, response, settings, deadline))
        response.raw.release_conn()  # read to its end: the connection can be reused
        return got
    except (_Late, ReadTimeoutError, TimeoutError):
        raise timed_out from None
    except (HTTPError, requests.RequestException, OSError) as error:
        raise _retry_reason(error, last) from None
    finally:
        response.close()


def _wait_before_retry(
    sample: Sample, settings: Settings, control: Control, attempt: int, retry: _Retry
) -> None:
    """Wait (capped at `max_wait`, interruptibly) and say so: a silent minute looks hung."""
    if retry.retry_after is not None:
        header, wanted = retry.retry_after
        note = f"Retry-After: {header}"
    else:
        wanted = settings.backoff * 2 ** min(attempt, 32)
        note = retry.why
    wait = min(wanted, settings.max_wait)
    if wanted > wait:
        note += f", capped at {settings.max_wait:g} s"
    control.notify(
        f"{sample.endpoint.name}: waiting {wait:g} s before retry {attempt + 1} "
        f"of {settings.retries} ({note})"
    )
    control.wait(wait)


def fetch(sample: Sample, settings: Settings, control: Control | None = None) -> Received:
    """Send one request, retrying connection errors, 5xx and 429 after a capped wait."""
    control = control or Control()
    for attempt in range(settings.retries + 1):
        control.deadline = time.monotonic() + settings.timeout
        try:
            return _attempt(sample, settings, control.deadline, attempt == settings.retries)
        except _Retry as retry:
            control.deadline = None
            _wait_before_retry(sample, settings, control, attempt, retry)
        finally:
            control.deadline = None
    raise AssertionError("unreachable: the last attempt returns or raises")


def received(sample: Sample, response: requests.Response, body: bytes) -> Received:
    """The response as plain values, for checking and scrubbing (`record/exchange.py`)."""
    request = response.request
    raw_request = request.body.encode() if isinstance(request.body, str) else request.body
    return Received(
        url=request.url or sample.url,
        status=response.status_code,
        reason=response.reason or "",
        headers=dict(response.headers),
        body=body,
        request_headers={k: str(v) for k, v in request.headers.items()},
        request_body=raw_request or None,
    )


def record_sample(sample: Sample, settings: Settings, control: Control | None = None) -> Exchange:
    got = fetch(sample, settings, control)
    check_response(
        sample.url,
        sample.endpoint.expect_status,
        got,
        settings.check_body,
        scrubbing=settings.scrubbing,
    )
    try:
        return to_exchange(sample.endpoint.method, got, settings.scrubbing)
    except DriftcheckError as error:  # e.g. a body too deep to scrub: refused, never written
        raise SampleError(f"{error} (from {sample.url})") from None


def write_endpoint(
    endpoint: Endpoint,
    exchanges: list[Exchange],
    out: Path,
    settings: Settings,
    writes: DurableWrites | None = None,
) -> Outcome:
    """Serialize, scan for leaked secrets, then write atomically and durably; a write that
    fails (disk full, name too long, a file where the folder should be) fails this
    endpoint. Runs on a saving thread (`record/saving.py`)."""
    try:
        text = cassette_text(exchanges, settings.scrubbing)
    except LeakError as error:
        return Outcome(endpoint.name, len(exchanges), error=str(error))
    path = out / f"{endpoint.name}.yaml"
    try:
        (writes or DurableWrites()).write(path, text, mode=0o644)
    except OSError as error:
        return Outcome(endpoint.name, len(exchanges), error=cannot_write(path, error))
    return Outcome(endpoint.name, len(exchanges), path=str(path))


def record(
    endpoints: tuple[Endpoint, ...],
    out: Path,
    settings: Settings,
    concurrency: int = 8,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Record every endpoint into `out/<name>.yaml`; return one outcome per endpoint.

    `on_outcome` is called once per finished endpoint (once its cassette is durable),
    `on_wait` with a line each time a request waits before a retry; both in the calling
    thread, and one that raises costs only its display, never the run."""
    writes = DurableWrites()
    save = functools.partial(write_endpoint, out=out, settings=settings, writes=writes)
    saver = Saver(save, min(SAVERS, concurrency), warm=writer.prepare)
    run = Run(
        endpoints,
        saver.submit,
        functools.partial(shown, scrubbing=settings.scrubbing),
        settings.timeout,
        on_outcome,
    )
    work = functools.partial(_work, settings=settings)
    pool: Pool[Sample, Exchange] = Pool(work, run.samples(), concurrency)
    try:
        for event in pool.events():
            if event is None:
                pass  # a quiet step: cassettes written meanwhile are reported below
            elif isinstance(event[1], Notice):
                call_safely(on_wait, shown(event[1].text, settings.scrubbing))
            else:
                run.take(event[0].item, event[1])
            run.flush()
        while run.flush():  # the last cassettes are still being written
            saver.wait(POLL)
    finally:
        pool.stop()
        saver.stop()
        writes.close()
    return run.outcomes()


def _work(sample: Sample, control: Control, settings: Settings) -> Exchange:
    return record_sample(sample, settings, control)
