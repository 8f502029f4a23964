"""Memory is bounded by the largest cassette, whatever its bodies' sizes (slow: it
writes a cassette of some 150 MB)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RECORD = '{"id":%d,"name":"user %d","tags":["a","b"],"owner":{"login":"u%d","id":%d},"score":1.5}'
READ = textwrap.dedent(
    """
    import sys
    from driftcheck.sources.file_stream import read_shapes
    from driftcheck.sources.regular import read_regular
    box = [read_regular(sys.argv[1])]
    interactions, pools = read_shapes(box, sys.argv[1])
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
    print(peak, len(interactions), len(pools), interactions[0].kind.value)
    """
)


def one_body_cassette(path: Path, size: int) -> None:
    """A vcrpy-style cassette of one JSON body of about `size` bytes."""
    count = size // (len(RECORD) + 20)
    with path.open("w") as out:
        out.write("interactions:\n- request: {method: GET, uri: 'https://a.example/items'}\n")
        out.write("  response:\n    status: {code: 200, message: OK}\n")
        out.write("    headers: {Content-Type: [application/json]}\n    body: {string: '")
        out.write('{"data":[')
        out.write(",".join(RECORD % (n, n, n, n) for n in range(count)))
        out.write("]}'}\nversion: 1\n")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM")
def test_one_huge_body_stays_within_three_times_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    one_body_cassette(path, 150 * 2**20)
    size = path.stat().st_size
    result = subprocess.run(
        [sys.executable, "-c", READ, str(path)], capture_output=True, text=True, check=True
    )
    peak, interactions, pools, kind = result.stdout.split()
    assert (int(interactions), int(pools), kind) == (1, 1, "json")
    assert int(peak) <= 250 * 2**20 + 3 * size
