"""Recording throughput: endpoints behind a local service that answers after a fixed delay.

The service runs in its own process (a minimal asyncio HTTP/1.1 server with keep-alive),
so its work never competes with the recorder for the GIL. In one run the script
measures the service's real latency (sequential requests, median), the ideal
ceil(endpoints / concurrency) x that latency, a floor (plain `requests` from as many
threads, nothing written) and `record` itself, and prints each ratio to the ideal with
its target. Cassettes go to a real folder on the benchmark's disk (`--where`), written
durably, as a run writes them.

    .venv/bin/python benchmarks/record_bench.py                # 2000 endpoints, 32, 50 ms
    .venv/bin/python benchmarks/record_bench.py --preset small  # 200 endpoints, 16, 100 ms
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import statistics
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

import requests
import requests.adapters

from driftcheck.config import Endpoint
from driftcheck.record.recorder import Settings, record
from driftcheck.record.scrub import Scrubbing

BODY = b'{"id": 1, "name": "Ada", "tags": ["a", "b"], "profile": {"age": 36}}'
TARGET = 1.3  # issue 16: record within 1.3x of the ideal
PRESETS = {  # endpoints, concurrency, latency in seconds
    "high": (2000, 32, 0.05),
    "small": (200, 16, 0.1),
}


async def _answer(
    latency: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
    )
    try:
        while await reader.readuntil(b"\r\n\r\n"):  # GETs only: no request body
            await asyncio.sleep(latency)
            writer.write(head + BODY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(latency: float, port_to: Connection) -> None:
    """The service, in a child process: every request answered after `latency` seconds."""

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _answer(latency, r, w), "127.0.0.1", 0, backlog=1024
        )
        port_to.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def measured_latency(base: str) -> float:
    """The service's latency as a client sees it: median of sequential requests."""
    with requests.Session() as session:
        times = []
        for n in range(15):
            started = time.perf_counter()
            session.get(f"{base}/probe/{n}").raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def requests_floor(base: str, endpoints: int, concurrency: int) -> float:
    """Wall time of plain `requests` from `concurrency` threads, a Session each, nothing
    written: what the HTTP side alone costs in this process."""
    urls = [f"{base}/floor/{n}" for n in range(endpoints)]
    lock = threading.Lock()

    def work() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    if not urls:
                        return
                    url = urls.pop()
                session.get(url).raise_for_status()

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def record_run(
    base: str, endpoints: int, concurrency: int, where: Path | None, secrets: bool = False
) -> tuple[float, list[str]]:
    """Wall time of `record` (cassettes written durably) and the failures; with
    `secrets`, a `${VAR}` value is configured, so every cassette is leak-scanned."""
    chosen = tuple(Endpoint(name=f"e{n:04d}", url=f"{base}/e/{n}") for n in range(endpoints))
    scrubbing = Scrubbing(secrets={"API_TOKEN": "bench-secret-value-0123"} if secrets else {})
    settings = Settings(timeout=10, scrubbing=scrubbing)
    with tempfile.TemporaryDirectory(dir=where) as folder:
        started = time.perf_counter()
        outcomes = record(chosen, Path(folder), settings, concurrency)
        wall = time.perf_counter() - started
        written = len(list(Path(folder).glob("*.yaml")))
    failures = [f"{o.endpoint}: {o.error}" for o in outcomes if o.error]
    if written + len(failures) != endpoints:
        failures.append(f"{written} cassettes on disk for {endpoints - len(failures)} successes")
    return wall, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="high")
    parser.add_argument("--endpoints", type=int, help="overrides the preset")
    parser.add_argument("--concurrency", type=int, help="overrides the preset")
    parser.add_argument("--latency", type=float, help="seconds; overrides the preset")
    parser.add_argument("--where", type=Path, help="folder for the cassettes (default: temp)")
    args = parser.parse_args()
    endpoints, concurrency, latency = PRESETS[args.preset]
    endpoints = args.endpoints or endpoints
    concurrency = args.concurrency or concurrency
    latency = args.latency if args.latency is not None else latency

    receive, send = multiprocessing.Pipe(duplex=False)
    service = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(latency, send), daemon=True
    )
    service.start()
    try:
        base = f"http://127.0.0.1:{receive.recv()}"
        report(base, endpoints, concurrency, latency, args.where)
    finally:
        service.terminate()
        service.join()


def report(base: str, endpoints: int, concurrency: int, latency: float, where: Path | None) -> None:
    measured = measured_latency(base)
    ideal = math.ceil(endpoints / concurrency) * measured
    print(
        f"{endpoints} endpoints, concurrency {concurrency}, service latency "
        f"{latency * 1000:.0f} ms (measured {measured * 1000:.1f} ms); "
        f"ideal = ceil({endpoints}/{concurrency}) x {measured * 1000:.1f} ms = {ideal:.2f} s"
    )
    print(f"{'run':<34}  {'wall s':>7}  {'ratio':>6}  target")
    floor = requests_floor(base, endpoints, concurrency)
    print(f"{'floor: plain requests, no writes':<34}  {floor:>7.2f}  {floor / ideal:>6.2f}x  -")
    for label, secrets in (
        ("driftcheck record (durable)", False),
        ("  the same, a ${VAR} leak-scanned", True),
    ):
        wall, failures = record_run(base, endpoints, concurrency, where, secrets)
        ratio = wall / ideal
        verdict = "met" if ratio <= TARGET else "MISSED"
        note = f"  ({len(failures)} failed, e.g. {failures[0]})" if failures else ""
        print(f"{label:<34}  {wall:>7.2f}  {ratio:>6.2f}x  <= {TARGET}x ({verdict}){note}")


if __name__ == "__main__":
    main()
