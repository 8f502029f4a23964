"""A small shop API written with FastAPI for the spec tests (issue 18), served for real by
uvicorn on 127.0.0.1. FastAPI writes its OpenAPI 3.1 document (`/openapi.json`) from the
code: the pydantic `response_model`s and each route's `responses`.

The handlers return `JSONResponse`s, which bypass FastAPI's response validation, so what
the service sends can differ from what it documents. Each drifting endpoint differs in
exactly one way (`DISAGREEMENTS`); `products`, `product` and `pet` send what their models
say (a nested object, a `$ref`'d enum, a nullable key, a key that is not required and
sometimes absent, an array at the top, a discriminated union). With `faithful = True`
every documented endpoint sends what its model says; `health` is never documented.

Beside the app: `config()` writes a `driftcheck.toml` calling every endpoint, `indented()`
writes a JSON document one key a line and says which line each JSON pointer is on (so a
finding's spec line can be checked), and the rest reads cassettes and builds JSON Schema
validators for the bodies an OpenAPI document declares.
"""

from __future__ import annotations

import enum
import json
import re
import socket
import threading
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlparse

import jsonschema
import referencing
import uvicorn
import yaml
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from referencing.jsonschema import DRAFT202012

IDS = tuple(range(1, 13))  # the ids (and pages) every endpoint is called with: 12 samples

# (endpoint, rule, path, status) of each way the service differs from its own spec.
DISAGREEMENTS = (
    ("order", "spec-field-undocumented", "$.gift_wrap", 200),  # sent, not in `Order`
    ("user", "spec-required-missing", "$.email", 200),  # absent for odd ids
    ("account", "spec-null-undeclared", "$.nickname", 200),  # null for ids 3, 6, 9, 12
    ("stock", "spec-type-mismatch", "$.quantity", 200),  # a string, `int` in the model
    ("subscription", "spec-enum-undeclared", "$.status", 200),  # `suspended` (4 of 12)
    ("cart", "spec-status-undocumented", "$", 409),  # ids 4, 8, 12; 200 and 404 declared
    ("health", "spec-endpoint-undocumented", "$", None),  # `include_in_schema=False`
)
MATCHING = ("products", "product", "pet")  # endpoints that send what their models say


class Order(BaseModel):
    id: int
    total_cents: int
    currency: str


class User(BaseModel):
    id: int
    name: str
    email: str


class Account(BaseModel):
    id: int
    nickname: str
    balance_cents: int


class Stock(BaseModel):
    id: int
    sku: str
    quantity: int


class Subscription(BaseModel):
    id: int
    plan: str
    status: Literal["active", "inactive"]


class CartItem(BaseModel):
    sku: str
    quantity: int


class Cart(BaseModel):
    id: int
    items: list[CartItem]


class Problem(BaseModel):
    detail: str


class Kind(str, enum.Enum):
    book = "book"
    game = "game"
    music = "music"


class Dimensions(BaseModel):
    width_mm: int
    height_mm: int


class Product(BaseModel):
    id: int
    name: str
    price: float
    kind: Kind
    tags: list[str]
    dimensions: Dimensions
    description: str | None  # required, and null for some products
    subtitle: str = ""  # not required: absent for some products


class Cat(BaseModel):
    kind: Literal["cat"]
    name: str
    indoor: bool


class Dog(BaseModel):
    kind: Literal["dog"]
    name: str
    breed: str


Pet = Annotated[Cat | Dog, Field(discriminator="kind")]

NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances")


def product(number: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": number,
        "name": f"{NAMES[number % len(NAMES)]}'s {('atlas', 'puzzle', 'album')[number % 3]}",
        "price": number * 2.5 + 0.99,
        "kind": tuple(Kind)[number % 3].value,
        "tags": [f"tag{number % 4}"] if number % 2 else [],
        "dimensions": {"width_mm": 100 + number, "height_mm": 200 + number},
        "description": None if number % 4 == 0 else f"Item number {number}, well made",
    }
    if number % 3:
        body["subtitle"] = f"Edition {number}"
    return body


def pet(number: int) -> dict[str, Any]:
    name = NAMES[number % len(NAMES)]
    if number % 2:
        return {"kind": "cat", "name": name, "indoor": number % 3 == 0}
    return {"kind": "dog", "name": name, "breed": ("collie", "pug", "beagle")[number % 3]}


class Shop:
    """The handlers; `faithful` (set by the tests between recordings) is read on every
    request."""

    def __init__(self) -> None:
        self.faithful = False

    def order(self, order_id: int) -> JSONResponse:
        body: dict[str, Any] = {"id": order_id, "total_cents": 1000 + order_id, "currency": "EUR"}
        if not self.faithful:
            body["gift_wrap"] = order_id % 2 == 0
        return JSONResponse(body)

    def user(self, user_id: int) -> JSONResponse:
        name = NAMES[user_id % len(NAMES)]
        body: dict[str, Any] = {"id": user_id, "name": name}
        if self.faithful or user_id % 2 == 0:
            body["email"] = f"{name.lower()}{user_id}@example.org"
        return JSONResponse(body)

    def account(self, account_id: int) -> JSONResponse:
        nickname = None if account_id % 3 == 0 and not self.faithful else f"acct-{account_id}"
        body = {"id": account_id, "nickname": nickname, "balance_cents": 50 * account_id}
        return JSONResponse(body)

    def stock(self, item_id: int) -> JSONResponse:
        quantity = 7 * item_id
        sent: int | str = quantity if self.faithful else str(quantity)
        return JSONResponse({"id": item_id, "sku": f"SKU-{item_id:04d}", "quantity": sent})

    def subscription(self, subscription_id: int) -> JSONResponse:
        status = ("inactive", "active", "suspended")[subscription_id % 3]
        if status == "suspended" and self.faithful:
            status = "active"
        plan = ("free", "pro")[subscription_id % 2]
        return JSONResponse({"id": subscription_id, "plan": plan, "status": status})

    def cart(self, cart_id: int) -> JSONResponse:
        if cart_id % 4 == 0 and not self.faithful:
            return JSONResponse({"detail": "cart is locked by another session"}, 409)
        items = [{"sku": f"SKU-{cart_id + n:04d}", "quantity": n + 1} for n in range(cart_id % 3)]
        return JSONResponse({"id": cart_id, "items": items})

    def health(self) -> JSONResponse:
        return JSONResponse({"status": "ok", "uptime_s": 1234})

    def products(self, page: int = 1) -> JSONResponse:
        return JSONResponse([product(3 * (page - 1) + n) for n in (1, 2, 3)])

    def product(self, product_id: int) -> JSONResponse:
        return JSONResponse(product(product_id))

    def pet(self, pet_id: int) -> JSONResponse:
        return JSONResponse(pet(pet_id))


def create_app(shop: Shop) -> FastAPI:
    """The app: each route's handler, and the model and statuses FastAPI documents."""
    app = FastAPI(title="Spec test shop", version="1.0.0")
    routes: tuple[tuple[str, Any, Any], ...] = (
        ("/orders/{order_id}", shop.order, Order),
        ("/users/{user_id}", shop.user, User),
        ("/accounts/{account_id}", shop.account, Account),
        ("/stock/{item_id}", shop.stock, Stock),
        ("/subscriptions/{subscription_id}", shop.subscription, Subscription),
        ("/products", shop.products, list[Product]),
        ("/products/{product_id}", shop.product, Product),
        ("/pets/{pet_id}", shop.pet, Pet),
    )
    for path, handler, model in routes:
        app.add_api_route(path, handler, response_model=model)
    app.add_api_route(
        "/carts/{cart_id}", shop.cart, response_model=Cart, responses={404: {"model": Problem}}
    )
    app.add_api_route("/internal/health", shop.health, include_in_schema=False)
    return app


class SpecService:
    """The app served by uvicorn in a background thread on a free port of 127.0.0.1;
    set `faithful` between recordings."""

    def __init__(self) -> None:
        self.shop = Shop()
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(self.shop), log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def faithful(self) -> bool:
        return self.shop.faithful

    @faithful.setter
    def faithful(self, value: bool) -> None:
        self.shop.faithful = value

    def __enter__(self) -> SpecService:
        self._thread.start()
        pause = threading.Event()  # never set: a sleep
        for _ in range(1000):  # up to 10 s; it takes a few milliseconds
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            pause.wait(0.01)
        self.__exit__()
        raise RuntimeError(f"the spec service on {self.url} did not start")

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


ENDPOINTS = (  # (name, path as the config calls it, extra config lines)
    ("order", "/orders/{id}", ""),
    ("user", "/users/{id}", ""),
    ("account", "/accounts/{id}", ""),
    ("stock", "/stock/{id}", ""),
    ("subscription", "/subscriptions/{id}", ""),
    ("cart", "/carts/{id}", "expect_status = [200, 409]\n"),
    ("health", "/internal/health", ""),
    ("products", "/products", ""),
    ("product", "/products/{id}", ""),
    ("pet", "/pets/{id}", ""),
)


def config(base: str, *, cassettes: str = "cassettes", spec: str | None = None) -> str:
    """A `driftcheck.toml` naming every endpoint of the service at `base`: each called
    with the ids 1..12 (`products` with pages 1..12, `health` once)."""
    head = f'cassettes = "{cassettes}"\ncache = ".driftcheck/cache"\n'
    head += "workers = 1\ntimeout = 5\nretries = 0\n"
    if spec is not None:
        head += f'spec = "{spec}"\n'
    blocks = []
    for name, path, extra in ENDPOINTS:
        block = f'[[endpoints]]\nname = "{name}"\nurl = "{base}{path}"\n{extra}'
        if "{id}" in path:
            block += f"params = {{ id = {list(IDS)} }}\n"
        elif name == "products":
            block += f"params = {{ page = {list(IDS)} }}\n"
        blocks.append(block)
    return head + "\n" + "\n".join(blocks)


def pointer_of(*keys: str) -> str:
    """The JSON pointer of these keys: `pointer_of("paths", "/carts/{id}")`."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)


def indented(document: Any) -> tuple[str, dict[str, int]]:
    """`document` as `json.dumps(indent=2)` writes it, and the line (from 1) each JSON
    pointer's value starts on: a key's line, so a finding's line can be checked."""
    lines: list[str] = []
    places: dict[str, int] = {}

    def emit(value: Any, pointer: str, depth: int, head: str) -> None:
        pad = "  " * depth
        places[pointer] = len(lines) + 1
        if isinstance(value, (dict, list)) and value:
            opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
            lines.append(f"{pad}{head}{opening}")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for index, (key, item) in enumerate(items):
                key_head = json.dumps(key) + ": " if isinstance(value, dict) else ""
                emit(item, pointer + pointer_of(str(key)), depth + 1, key_head)
                if index < len(value) - 1:
                    lines[-1] += ","
            lines.append(f"{pad}{closing}")
        else:
            lines.append(f"{pad}{head}{json.dumps(value)}")

    emit(document, "", 0, "")
    return "\n".join(lines), places


# What was recorded, and the JSON Schema validators bodies are held to.


def interactions(cassette: Path) -> list[tuple[str, int, Any]]:
    """(URL path, status, JSON body) of each interaction of a cassette."""
    document = yaml.safe_load(cassette.read_text())
    return [
        (
            urlparse(i["request"]["uri"]).path,
            i["response"]["status"]["code"],
            json.loads(i["response"]["body"]["string"]),
        )
        for i in document["interactions"]
    ]


def template_pattern(template: str) -> str:
    """A regular expression for the concrete paths of a path template."""
    return "/".join(
        "[^/]+" if re.fullmatch(r"\{[^/{}]+\}", segment) else re.escape(segment)
        for segment in template.split("/")
    )


def body_pointer(
    document: Any, url: str, status: int, method: str = "GET", media: str = "application/json"
) -> str:
    """The JSON pointer of the schema an OpenAPI `document` declares for the JSON body of
    `method url` (a concrete URL or path) and `status`: the most concrete template that
    fits under one of its servers (the path's, else the document's) on the URL's host;
    the scheme and a trailing slash make no difference, as for driftcheck's endpoints."""
    wanted = urlparse(url)
    fits = []
    for template, item in document["paths"].items():
        responses = item.get(method.lower(), {}).get("responses", {})
        servers = [urlparse(s["url"]) for s in item.get("servers", document.get("servers", []))]
        for server in servers or [urlparse("")]:
            full = server.path.rstrip("/") + template
            if (
                str(status) in responses
                and (not wanted.netloc or server.netloc == wanted.netloc)
                and re.fullmatch(template_pattern(full.rstrip("/")), wanted.path.rstrip("/"))
            ):
                fits.append((template.count("{"), template, responses[str(status)]["content"]))
    assert fits, f"no operation of the document for {method} {url} {status}"
    _, template, content = min(fits)
    chosen = media if media in content else next(iter(content))
    return pointer_of(
        "paths", template, method.lower(), "responses", str(status), "content", chosen, "schema"
    )


def validator_at(document: Any, pointer: str) -> jsonschema.Validator:
    """A JSON Schema 2020-12 validator for the schema at `pointer` in `document`, its
    `$ref`s resolved within the document."""
    resource = DRAFT202012.create_resource(document)
    registry: referencing.Registry[Any] = referencing.Registry().with_resource("urn:doc", resource)
    reference = f"urn:doc#{quote(pointer)}"  # a fragment is percent-decoded: `%40` in a path
    return jsonschema.Draft202012Validator({"$ref": reference}, registry=registry)
