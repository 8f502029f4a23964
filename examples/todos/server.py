"""A small JSONPlaceholder-style REST server over db.json, standard library only.

GET /<collection> lists a collection; GET /<collection>/<id> returns one record.
Some users have no `profile` and one has a null phone, as real APIs do.

    python server.py --port 3000
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DB = json.loads((Path(__file__).parent / "db.json").read_text())


def lookup(path: str) -> Any:
    """The collection or record at `path`, or None."""
    parts = [part for part in path.split("?")[0].split("/") if part]
    if not parts or parts[0] not in DB:
        return None
    records = DB[parts[0]]
    if len(parts) == 1:
        return records
    if len(parts) == 2 and parts[1].isdigit():
        return next((r for r in records if r["id"] == int(parts[1])), None)
    return None


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = lookup(self.path)
        body = json.dumps({} if found is None else found).encode()
        self.send_response(404 if found is None else 200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def make_server(port: int = 3000) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3000)
    port = parser.parse_args().port
    print(f"serving db.json at http://127.0.0.1:{port}")
    make_server(port).serve_forever()
