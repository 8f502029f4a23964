"""A small users API for the value-domain tests (issue 17), served by a real local
werkzeug server (`tests/servers.py`), in three versions:

- v1: realistic bodies — int and UUID ids, names, free text, e-mails, URLs, RFC 3339
  timestamps (`Z`), decimal amounts as strings, dates, enum-like strings (`status`
  `active|inactive`, `plan`, `currency`), `tags` never empty — and headers a client
  reads (`ETag`, `Link`, `Content-Type`, `Cache-Control`) beside volatile ones (`Date`,
  `X-Request-Id`, `Set-Cookie`, a rate-limit counter).
- v2: v1 with each planted drift once (`DRIFTS` lists them).
- v1 with another `seed` ("v1-bis"): every name, free text, id, e-mail, URL, amount and
  timestamp differs, and so do the volatile headers (their values; `Set-Cookie` is no
  longer sent, a `traceparent` is); the enum values, formats and other headers are
  v1's. Nothing in it is drift.

The enum values and which samples carry them depend on the sample's position only, never
on the seed. The seed-1 user 7 carries `PLANTED` values, for the privacy checks.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
import random
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.servers import LiveServer

SAMPLES = 12  # ids (pages) 1..SAMPLES of every endpoint; `user` has USERS of them
USERS = 14
PER_PAGE = 3
SUCCESSOR = "https://api.example.test/v3/invoices"  # the invoices' successor-version link
PAST_SUNSET = "Fri, 01 Jan 2021 00:00:00 GMT"  # the legacy reports' Sunset, long gone

# (endpoint, rule, where, severity) of each drift v2 plants: `where` is the JSON path, or
# the header's name for header rules, or "" for `endpoint-deprecated`.
DRIFTS = (
    ("user", "enum-value-added", "$.status", "warning"),  # `suspended` on users 5 and 10
    ("user", "became-empty", "$.tags", "warning"),  # users 4 and 11
    ("order", "format-changed", "$.created_at", "breaking"),  # a date on every order
    ("users", "header-removed", "Link", "warning"),  # pagination gone
    ("invoice", "endpoint-deprecated", "", "warning"),  # Sunset a year ahead
    ("report", "endpoint-deprecated", "", "breaking"),  # Sunset in 2021
)

# Seed-1 values of user 7 (and its list entry, page 3): none may leave the machine.
PLANTED: dict[str, Any] = {
    "name": "Zebulon Quartermain",
    "uuid": "4f0c9a2e-7d1b-4c3e-9a85-6b2f1e0d3c77",
    "email": "zebulon.quartermain@example.org",
    "bio": "Keeps bees and restores marmalade-coloured tramcars on weekends",
    "created_at": "2023-07-14T09:26:53Z",
    "account_id": 918273645,
}

FIRST = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances", "Ken")
LAST = ("Hopper", "Lovelace", "Turing", "Hamilton", "Liskov", "Ritchie", "Allen", "Thompson")
_TEXT = (
    "enjoys long walks, writes compilers, collects stamps, bakes sourdough bread and "
    "plays the cello in an amateur orchestra near the harbour every second Sunday"
)
WORDS = tuple(_TEXT.split())
TAGS = ("beta", "vip", "early-adopter", "staff")
PLANS = ("free", "pro", "team")


class ValueService:
    """The API on a real local server; set `version` ("v1", "v2") and `seed` between
    recordings. Every route is a plain path, so `tests/servers.py`'s router serves it."""

    def __init__(self) -> None:
        self.version = "v1"
        self.seed = 1
        self._server = LiveServer()
        self.url = self._server.url
        routes = {"/users": self._users}
        for number in range(1, USERS + 1):
            routes[f"/users/{number}"] = self._user
        for number in range(1, SAMPLES + 1):
            routes[f"/orders/{number}"] = self._order
            routes[f"/invoices/{number}"] = self._invoice
            routes[f"/reports/{number}"] = self._report
        self._server.routes.update(routes)

    def __enter__(self) -> ValueService:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    @property
    def v2(self) -> bool:
        return self.version == "v2"

    def _rng(self, kind: str, number: int) -> random.Random:
        return random.Random(f"{self.seed}:{kind}:{number}")

    def _person(self, number: int) -> dict[str, Any]:
        """The values of user `number` that change with the seed."""
        if self.seed == 1 and number == 7:
            return dict(PLANTED)
        rng = self._rng("user", number)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return {
            "name": f"{first} {last}",
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "email": f"{first.lower()}.{last.lower()}{rng.randrange(10, 99)}@example.org",
            "bio": " ".join(rng.sample(WORDS, rng.randrange(6, 11))).capitalize(),
            "created_at": _timestamp(rng),
            "account_id": rng.randrange(10**8, 10**9),
        }

    def _user(self, request: Request) -> Response:
        number = int(request.path.rsplit("/", 1)[1])
        person = self._person(number)
        status = "inactive" if number % 3 == 0 else "active"  # 4 of 14 inactive
        if self.v2 and number in (5, 10):
            status = "suspended"
        tags = [TAGS[number % 4]] + ([TAGS[(number + 1) % 4]] if number % 2 else [])
        if self.v2 and number in (4, 11):
            tags = []
        body = {
            "id": number,
            "uuid": person["uuid"],
            "account_id": person["account_id"],
            "name": person["name"],
            "email": person["email"],
            "bio": person["bio"],
            "avatar_url": f"https://cdn.example.test/avatars/{person['uuid']}.png",
            "status": status,
            "plan": PLANS[number % 3],
            "tags": tags,
            "created_at": person["created_at"],
        }
        return self._json(body, number)

    def _users(self, request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        data = []
        for slot in range(PER_PAGE):
            position = (page - 1) * PER_PAGE + slot + 1
            person = self._person(position)
            data.append(
                {
                    "id": self._rng("list-id", position).randrange(1000, 10**6),
                    "uuid": person["uuid"],
                    "name": person["name"],
                    "status": "inactive" if position % 3 == 0 else "active",
                }
            )
        last = SAMPLES
        links = [
            f'<{self.url}/users?page=1>; rel="first"',
            f'<{self.url}/users?page={last}>; rel="last"',
        ]
        if page < last:
            links.insert(0, f'<{self.url}/users?page={page + 1}>; rel="next"')
        headers = {} if self.v2 else {"Link": ", ".join(links)}
        return self._json({"data": data, "page": page, "per_page": PER_PAGE}, page, headers)

    def _order(self, request: Request) -> Response:
        number = int(request.path.rsplit("/", 1)[1])
        rng = self._rng("order", number)
        created = _timestamp(rng)
        body = {
            "id": number,
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "user_id": rng.randrange(1, 10**6),
            "amount": f"{rng.randrange(100, 100000) / 100:.2f}",
            "currency": "EUR" if number % 3 else "USD",
            "created_at": created[:10] if self.v2 else created,
        }
        return self._json(body, number)

    def _invoice(self, request: Request) -> Response:
        number = int(request.path.rsplit("/", 1)[1])
        rng = self._rng("invoice", number)
        body = {
            "id": number,
            "number": f"INV-{rng.randrange(2019, 2026)}-{rng.randrange(10**5, 10**6)}",
            "total_cents": rng.randrange(100, 10**6),
            "due_date": _timestamp(rng)[:10],
            "paid": number % 4 == 0,
        }
        links = [f'<{self.url}/docs/invoices>; rel="describedby"']
        headers = {}
        if self.v2:
            now = datetime.datetime.now(datetime.timezone.utc)
            headers["Deprecation"] = f"@{int(now.timestamp()) - 86400}"
            sunset = now + datetime.timedelta(days=365)
            headers["Sunset"] = email.utils.format_datetime(sunset, usegmt=True)
            links.append(f'<{SUCCESSOR}/{number}>; rel="successor-version"')
        headers["Link"] = ", ".join(links)
        return self._json(body, number, headers)

    def _report(self, request: Request) -> Response:
        number = int(request.path.rsplit("/", 1)[1])
        rng = self._rng("report", number)
        body = {
            "id": number,
            "title": " ".join(rng.sample(WORDS, 5)).capitalize(),
            "generated_at": _timestamp(rng),
            "rows": rng.randrange(0, 500),
        }
        headers = {}
        if self.v2:
            headers["Deprecation"] = "@1577836800"  # 2020-01-01
            headers["Sunset"] = PAST_SUNSET
        return self._json(body, number, headers)

    def _json(
        self, body: dict[str, Any], number: int, headers: dict[str, str] | None = None
    ) -> Response:
        """The body with the headers every response has: stable ones (`ETag`,
        `Cache-Control`) and volatile ones, which v1-bis sends differently."""
        text = json.dumps(body)
        volatile = random.Random()  # fresh values on every response, whatever the seed
        sent = {
            "ETag": f'W/"{hashlib.sha1(text.encode()).hexdigest()[:16]}"',
            "Cache-Control": "private, max-age=60",
            "X-Request-Id": str(uuid.UUID(int=volatile.getrandbits(128), version=4)),
            "X-RateLimit-Remaining": str(volatile.randrange(0, 5000)),
            **(headers or {}),
        }
        if self.seed == 1:
            sent["Set-Cookie"] = f"session={volatile.getrandbits(64):016x}; Path=/; HttpOnly"
        else:
            trace = volatile.getrandbits(128)
            sent["traceparent"] = f"00-{trace:032x}-{volatile.getrandbits(64):016x}-01"
        return Response(text, 200, headers=sent, content_type="application/json")


def _timestamp(rng: random.Random) -> str:
    """An RFC 3339 UTC timestamp with `Z`, somewhere in 2022-2024."""
    start = datetime.datetime(2022, 1, 1, tzinfo=datetime.timezone.utc)
    moment = start + datetime.timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def config(
    base: str, *, fresh: str = ".driftcheck/fresh", extra: str = "", cassettes: str = "cassettes"
) -> str:
    """A `driftcheck.toml` naming every endpoint of the service at `base`."""
    ids = list(range(1, SAMPLES + 1))
    return (
        f'cassettes = "{cassettes}"\nfresh = "{fresh}"\ncache = ".driftcheck/cache"\n'
        f"workers = 1\ntimeout = 5\nretries = 0\n{extra}\n"
        f'[[endpoints]]\nname = "user"\nurl = "{base}/users/{{id}}"\n'
        f"params = {{ id = {list(range(1, USERS + 1))} }}\n\n"
        f'[[endpoints]]\nname = "users"\nurl = "{base}/users"\nparams = {{ page = {ids} }}\n\n'
        f'[[endpoints]]\nname = "order"\nurl = "{base}/orders/{{id}}"\n'
        f"params = {{ id = {ids} }}\n\n"
        f'[[endpoints]]\nname = "invoice"\nurl = "{base}/invoices/{{id}}"\n'
        f"params = {{ id = {ids} }}\n\n"
        f'[[endpoints]]\nname = "report"\nurl = "{base}/reports/{{id}}"\n'
        f"params = {{ id = {ids} }}\n"
    )
