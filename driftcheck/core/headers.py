"""Response headers as part of the contract: which ones an endpoint always sends, and what
its `Deprecation`, `Sunset` and `Link` headers announce (pure).

Only header *names* are compared, per endpoint and status: a header sent in every
baseline sample and in no current one (`header-removed`, a warning: a header's presence
often follows the data — a `Link` only when there is a next page — which recordings
cannot tell from a change of contract), or the reverse (`header-added`). Headers whose
presence varies from one response to the next or says nothing about the contract
(dates, request ids, tracing, CDN, caching and rate-limit counters, transport, the
credentials' scopes and account) are left out (`VOLATILE`, extended by the config's
`volatile_headers`), and so are secrets (the scrubbed headers): never compared, never
shown. The one place values are read is the retirement notice (`notice`): its dates and
the links of relation `deprecation`, `sunset`, `successor-version` and `latest-version`,
which a finding shows.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from driftcheck.core.model import Finding, Location, Severity
from driftcheck.core.retirement import UNPARSED, Headers, Notice, notice
from driftcheck.core.rules import RuleId, finding

VOLATILE: frozenset[str] = frozenset(
    {
        # a time or a cache age: a new value on every response, or only on some
        "date", "age", "expires", "pragma", "retry-after",
        # request ids and tracing (`*-request-id` covers x-, apim-, x-ms-client-, x-github-,
        # x-fastly-, x-railway-, x-scarf-...)
        "*-request-id", "request-id", "*-requestid", "x-correlation-id", "x-trace-id",
        "traceparent", "tracestate", "traceresponse", "b3", "x-b3-*", "x-cloud-trace-context",
        "x-amz-cf-id", "x-amz-cf-pop", "x-amz-id-2", "x-amzn-trace-id", "x-datadog-*",
        "x-response-tracked",
        # CDN, proxies and timings: which edge answered, cache hits, how long it took
        "cf-ray", "cf-cache-status", "x-served-by", "x-cache", "x-cache-hits", "x-timer",
        "x-varnish", "x-proxy-cache", "via", "server-timing", "x-runtime", "x-response-time",
        "x-envoy-*", "openai-processing-ms", "x-ms-region", "x-ms-is-spilled-over",
        "azureml-model-session", "alt-svc", "nel", "report-to", "server", "x-powered-by",
        # rate-limit counters (and their limits: they follow the account's plan)
        "x-ratelimit-*", "ratelimit-*", "ratelimit", "x-rate-limit-*", "*-ratelimit-*",
        # transport and negotiation: how the bytes travelled, not what they mean
        "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
        "vary", "accept-ranges", "x-accel-buffering",
        # browser policies: what a browser may do with the page, nothing an API client reads
        "strict-transport-security", "content-security-policy", "x-content-type-options",
        "x-frame-options", "x-xss-protection", "referrer-policy", "permissions-policy",
        "cross-origin-*", "x-permitted-cross-domain-policies", "x-download-options",
        "x-dns-prefetch-control", "origin-agent-cluster", "x-robots-tag",
        # CORS: sent or not depending on the request's Origin, not on the API
        "access-control-*",
        # caching directives: sent on some answers only (Anthropic's `no-cache` on streamed ones)
        "cache-control",
        # who asked, not what the API is: sent or not depending on the credentials, the
        # account's plan or the recorder (one filtered `OpenAI-Project` in some files)
        "x-oauth-scopes", "x-accepted-oauth-scopes", "x-github-sso", "openai-organization",
        "openai-project", "anthropic-organization-id", "x-gemini-service-tier",
        "x-clerk-auth-*", "x-openai-proxy-wasm",
        # gateways and CDNs in front of the API (Kong, Azure Front Door, API Gateway, Vercel,
        # nginx, LiteSpeed, Fastly, Akamai, Imperva, Sucuri): sent or not per edge, cache hit
        # or deployment (a sandbox has none), ids and timings new on every response
        "x-kong-*", "x-azure-ref", "x-amz-apigw-id", "x-amzn-remapped-*", "x-vercel-*",
        "x-matched-path", "x-cache-status", "x-nginx-cache", "cdn-cache-control",
        "x-litespeed-cache", "x-edge-*", "fastly-*", "akamai-*", "x-akamai-*", "x-iinfo",
        "x-sucuri-*", "x-guploader-*",
        # timings, tracing, debug tokens and which machine answered
        "x-heroku-*", "x-processing-time", "x-took", "correlation-id", "sentry-trace",
        "baggage", "x-debug-token*", "x-served-from", "x-backend-server", "x-upstream*",
        "x-pod-name", "x-instance-id", "x-hostname",
        # what the request or the object carried, not the API: a token's expiry and the
        # permissions a call needed (GitHub), an idempotent replay (Stripe), an object's
        # own metadata and version (S3)
        "github-authentication-token-expiration", "x-accepted-github-permissions",
        "original-request", "idempotency-key", "idempotent-replayed", "stripe-should-retry",
        "x-amz-meta-*", "x-amz-version-id", "x-amz-server-side-encryption*",
        "x-amz-replication-status", "x-amz-expiration", "x-amz-restore",
    }
)  # fmt: skip
"""Lower-case header names (a `*` matches any text) left out of every comparison."""

SECRETS: frozenset[str] = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
    | {"*-key", "*_key", "*-token", "*_token", "*-secret", "*_secret"}
)
"""The built-in secret headers: `record/scrub.py` scrubs them, `diff` never compares them."""

ELSEWHERE = frozenset({"content-type", "deprecation", "sunset"})
"""Headers another rule reports: `content-type-changed`, `endpoint-deprecated`."""

MIN_SAMPLES = 3
"""Samples each side needs before a header's presence is compared ("always sent", "never
sent"), for every header. One or two responses can lack a header for reasons outside the
contract: a list that fits on one page (or its last page) has no `Link`, an empty one no
`Last-Modified`. On the corpus (`../shared/corpus`), pairs of files recording one
endpoint and status give 2 header findings at 1 sample, none at 2 or 3 (52,788 pairs;
with the credential and cache headers still compared: 1,262, 344 and 2)."""

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
"""A header name as RFC 9110 allows it (a token), lower-case: any other name is ignored."""

HEADER_PATH = "header:{name}"  # a header finding's path: `[[ignore]] path = "header:etag"`


def _compiled(patterns: Iterable[str]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    exact = frozenset(p.lower() for p in patterns if "*" not in p)
    globs = [re.escape(p.lower()).replace(r"\*", ".*") for p in patterns if "*" in p]
    return exact, re.compile("(?:" + "|".join(globs) + r")\Z") if globs else None


@functools.lru_cache(maxsize=64)
def _matcher(patterns: frozenset[str]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    return _compiled(patterns)


def matches(name: str, patterns: Iterable[str]) -> bool:
    """Whether a header name (any case) is one of `patterns` (`*` matches any text)."""
    exact, glob = _matcher(frozenset(patterns))
    lowered = name.lower()
    return lowered in exact or (glob is not None and glob.match(lowered) is not None)


def kept(name: str, volatile: Iterable[str] = (), scrubbed: Iterable[str] = ()) -> bool:
    """Whether a header's presence is compared: not volatile (built-in or configured), not a
    secret (built-in or the config's `scrub_headers`), not reported by another rule."""
    lowered = name.lower()
    extra = (*volatile, *scrubbed)
    return _builtin_kept(lowered) and not (extra and matches(lowered, extra))


@functools.lru_cache(maxsize=4096)
def _builtin_kept(lowered: str) -> bool:
    """`kept` by the built-in lists alone: asked once per name met, for every response."""
    if not _TOKEN.fullmatch(lowered) or lowered in ELSEWHERE:
        return False
    return not (matches(lowered, VOLATILE) or matches(lowered, SECRETS))


# --- per endpoint and status: presence counts and the newest notice --------------------


@dataclass(slots=True)
class HeaderTally:
    """One endpoint and status: samples, how many sent each header (lower-case names,
    built-in volatile and secret headers left out), and the newest retirement notice."""

    samples: int = 0
    present: dict[str, int] = field(default_factory=dict)
    notice: Notice | None = None
    noticed_at: float = -math.inf  # when the newest notice was recorded (-inf: undated)
    noticed: int = 0  # samples that carried a notice

    def add(self, headers: Headers, recorded_at: float | None = None) -> None:
        """Count one response's headers; `recorded_at` is its recording time (POSIX)."""
        self.samples += 1
        for name in {str(key).lower() for key in headers}:
            if _builtin_kept(name):
                self.present[name] = self.present.get(name, 0) + 1
        told = notice(headers)
        if told is not None:
            self.noticed += 1
            self._newest(told, -math.inf if recorded_at is None else recorded_at)

    def merge(self, other: HeaderTally) -> None:
        """Fold another tally in: counts add, the newer notice wins (order-independent)."""
        self.samples += other.samples
        for name, count in other.present.items():
            self.present[name] = self.present.get(name, 0) + count
        self.noticed += other.noticed
        if other.notice is not None:
            self._newest(other.notice, other.noticed_at)

    def _newest(self, told: Notice, when: float) -> None:
        if self.notice is None or (when, told.order()) > (self.noticed_at, self.notice.order()):
            self.notice, self.noticed_at = told, when


def merged(tallies: Iterable[HeaderTally]) -> HeaderTally:
    """One tally of several (an endpoint's statuses, for its retirement notice)."""
    total = HeaderTally()
    for tally in tallies:
        total.merge(tally)
    return total


# --- findings ----------------------------------------------------------------------------


def presence_findings(
    endpoint: str,
    status: int | None,
    baseline: HeaderTally,
    current: HeaderTally,
    *,
    volatile: Iterable[str] = (),
    scrubbed: Iterable[str] = (),
    location: Location | None = None,
    overrides: Mapping[str, Severity] | None = None,
) -> list[Finding]:
    """`header-removed` and `header-added` for one endpoint and status, by header name.
    A side whose responses kept no compared header at all (a recorder that strips them)
    says nothing: no header is removed in it, none added against it."""
    if min(baseline.samples, current.samples) < MIN_SAMPLES:
        return []
    volatile, scrubbed = tuple(volatile), tuple(scrubbed)
    names = sorted(baseline.present.keys() | current.present.keys())
    names = [n for n in names if kept(n, volatile, scrubbed)]
    before_any = any(baseline.present.get(n) for n in names)
    after_any = any(current.present.get(n) for n in names)
    found: list[Finding] = []
    for name in names:
        before, after = baseline.present.get(name, 0), current.present.get(name, 0)
        if before == baseline.samples and after == 0 and after_any:
            rule, was, now = (
                RuleId.HEADER_REMOVED,
                f"in {before}/{baseline.samples} samples",
                "in none",
            )
        elif before == 0 and after == current.samples and before_any:
            rule, was, now = RuleId.HEADER_ADDED, "in none", f"in {after}/{current.samples} samples"
        else:
            continue
        found.append(finding(
            rule,
            endpoint=endpoint,
            status=status,
            path=HEADER_PATH.format(name=name),
            source="cassette",
            baseline=was,
            current=now,
            location=location,
            overrides=overrides,
            header=name,
            baseline_samples=_samples(baseline.samples, "baseline"),
            current_samples=_samples(current.samples, "current"),
        ))  # fmt: skip
    return found


def _samples(count: int, side: str) -> str:
    return f"{count} {side} sample" + ("" if count == 1 else "s")


def deprecation_findings(
    endpoint: str,
    status: int | None,
    baseline: HeaderTally,
    current: HeaderTally,
    now: float,
    *,
    location: Location | None = None,
    overrides: Mapping[str, Severity] | None = None,
) -> list[Finding]:
    """`endpoint-deprecated`: a notice new in current (or newly dated, or with an earlier
    Sunset) is a warning. It is breaking, even when the baseline already had it, once its
    Sunset date is past `now` and the notice is the endpoint's retirement, still current
    (`retiring`). A notice the baseline already had, not breaking, says nothing new: it was
    reported when it appeared."""
    told, before = current.notice, baseline.notice
    if told is None:
        return []
    past = told.sunset_passed(now) and retiring(current)
    if not past and not _news(before, told):
        return []
    found = finding(
        RuleId.ENDPOINT_DEPRECATED,
        endpoint=endpoint,
        status=status,
        path=HEADER_PATH.format(name="sunset" if told.sunset_text else "deprecation"),
        source="cassette",
        baseline=before.describe() if before else "no Deprecation or Sunset",
        current=f"{told.describe()} (in {current.noticed}/{current.samples} samples)",
        location=location,
        overrides=overrides,
        variant="sunset-past" if past else "",
        severity=Severity.BREAKING if past else None,
        notice=told.describe(),
    )
    return [found]


def retiring(tally: HeaderTally) -> bool:
    """Whether a tally's notice announces the endpoint's retirement and still holds: every
    sample carried a notice (one the newer responses dropped was withdrawn) and it says
    `Deprecation` (a date or `true`, not a value that cannot be read) or links a
    `deprecation` relation. A `Sunset` also marks resources that expire (an export valid
    for a day, RFC 8594 §1), and a `sunset` link is then the policy they expire under:
    neither proves the endpoint is retiring."""
    told = tally.notice
    if told is None or tally.noticed < tally.samples:
        return False
    return told.deprecation_text not in ("", UNPARSED) or any(
        rel == "deprecation" for rel, _ in told.links
    )


def _news(before: Notice | None, told: Notice) -> bool:
    """Whether a notice says more than the baseline's: it is new, it newly says the
    endpoint is deprecated, or it sets a Sunset the baseline did not have or an earlier
    day (as a report shows it: `2031-12-31` and `Wed, 31 Dec 2031 23:59:59 GMT` are one
    day, not brought forward)."""
    if before is None:
        return True
    if told.deprecation_text and not before.deprecation_text:
        return True
    if told.sunset is None:
        return False
    return before.sunset is None or told.sunset_text < before.sunset_text  # `YYYY-MM-DD`
