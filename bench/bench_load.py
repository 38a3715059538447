"""Load: request submission at 200 requests/s for 60 s against gunicorn on PostgreSQL, with its p99
latency, beside the throughput of the trivial `GET /api/v1/health` of the same server in the same run.

The server is gunicorn as `make run` starts it (3 sync workers); it first answers 3 s of requests at
50/s, not counted, so that each worker has loaded its URLconf and the policy before the timed minute.
Latency counts from each request's scheduled moment, so a server that falls behind shows it.

The rate limits are on, as sized for real use (600 calls a minute per token, 1,200 per address): the
load comes as it would in a district hosting many agencies, from AGENCIES agencies, each with its own
token and its own loopback address (127.0.0.10 onwards), each well inside its limits.

Needs the PostgreSQL binaries (a throwaway server is started as `make test` does). Traffic: 127.0.0.0/8.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))

from run_tests import postgres_bin_dir, throwaway_postgres  # noqa: E402

from brightline.operations.testing import LiveServer, fresh_database, sample_body  # noqa: E402

RATE = 200  # requests per second offered
SECONDS = int(os.environ.get("BRIGHTLINE_BENCH_LOAD_SECONDS", "60"))
P99_TARGET_MS = 100.0
CONNECTIONS = 32
# As `make run` serves: gunicorn's sync workers, one per core and one more. On two cores shared with
# PostgreSQL and the load generator, more workers or threads only queued more requests for the ledger
# head's row lock and the GIL: 4 x 4 threads completed fewer submissions than 3 x 1.
WORKERS = 3
THREADS = 1
WARM_UP_RATE = 50  # requests per second, for WARM_UP_SECONDS before the timed run (not counted)
WARM_UP_SECONDS = 3
# 200 req/s from 50 agencies: 4 submissions a second (240 a minute) each, under every rate limit.
AGENCIES = 50


def _limits_off() -> bool:
    """`BRIGHTLINE_RATE_LIMITS=0` (for a comparison by hand) reaches the server through its environment."""
    return os.environ.get("BRIGHTLINE_RATE_LIMITS", "").strip().lower() in {"0", "false", "no", "off"}


def _address(number: int) -> str:
    """The loopback address request `number` comes from: one per agency."""
    return f"127.0.0.{10 + number % AGENCIES}"


class _Client:
    """A lean HTTP/1.1 client for the load generator: it runs on the same two cores as the server, and
    http.client's header parsing was a tenth of a core at this rate. Keep-alive when the server keeps the
    connection open (gunicorn's threaded worker); a new connection when it closes it (the sync worker)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _read_until(self, marker: bytes) -> bytes:
        assert self.sock is not None
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-response")
            self.buffer += chunk
        found, self.buffer = self.buffer.split(marker, 1)
        return found

    def exchange(self, request: bytes, source: str = "127.0.0.1") -> int:
        """Send one request from `source`, read the whole answer; its status."""
        if self.sock is not None and self.sock.getsockname()[0] != source:
            self.close()
        if self.sock is None:
            self.sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=30, source_address=(source, 0)
            )
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in head[1:])
        }
        if "content-length" not in headers:
            raise ConnectionError("an answer without Content-Length")
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-body")
            self.buffer += chunk
        self.buffer = self.buffer[length:]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status


def _submission(port: int, token: str, number: int) -> bytes:
    body = json.dumps(sample_body(number)).encode()
    return (
        f"POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _open_loop(
    port: int, tokens: list[str], rate: int, seconds: int, *, first: int = 0
) -> tuple[list[float], int, int, float]:
    """Offer `rate` submissions a second on a fixed schedule (open loop: a slow answer does not slow the
    offered load); latency counts from the scheduled start, so queueing shows in it. The requests are
    built before the clock starts."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    total = rate * seconds
    # Request n comes from agency n % AGENCIES: its token, its address.
    requests = [_submission(port, tokens[number % len(tokens)], first + number) for number in range(total)]
    start = time.perf_counter() + 0.5
    slots = iter(range(total))
    slot_lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        client = _Client(port)
        while True:
            with slot_lock:
                number = next(slots, None)
            if number is None:
                break
            due = start + number / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                ok = client.exchange(requests[number], _address(number)) == 201
            except (OSError, ValueError, IndexError):
                client.close()
                ok = False
            elapsed = time.perf_counter() - due
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, total, time.perf_counter() - start


def _closed_loop_health(port: int, seconds: float) -> float:
    """As many `GET /api/v1/health` as 8 connections can make: the server's ceiling for a trivial call."""
    count = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal count
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        while time.perf_counter() < stop_at:
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            done += 1
        conn.close()
        with lock:
            count += done

    threads = [threading.Thread(target=worker) for _ in range(8)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started)


def run() -> list[dict[str, Any]]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("the load benchmark needs the PostgreSQL binaries")
    with throwaway_postgres(bin_dir) as base_url, tempfile.TemporaryDirectory() as tmp:
        with fresh_database(base_url, Path(tmp)) as url:
            server = LiveServer(data_dir=Path(tmp), database_url=url, workers=WORKERS, threads=THREADS)
            tokens = server.prepare_agencies(AGENCIES)
            server.start()
            try:
                # Each worker reads its URLconf and the policy on its first request (half a second of
                # CPU): answered before the clock starts, so the minute measures the steady state.
                _open_loop(server.port, tokens, WARM_UP_RATE, WARM_UP_SECONDS, first=RATE * SECONDS)
                latencies, errors, offered, wall = _open_loop(server.port, tokens, RATE, SECONDS)
                health_rps = _closed_loop_health(server.port, 10)
            finally:
                server.stop()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("inf")
    # Completed over the wall time it took: below the offered rate when the server falls behind.
    achieved = len(latencies) / wall
    median = statistics.median(latencies) * 1000 if latencies else float("inf")
    return [
        {
            "name": f"request submission p99 at 200 req/s (PostgreSQL, gunicorn {WORKERS} workers x {THREADS} thread)",
            "figure": round(p99, 1),
            "unit": "ms",
            "comparison": "median of the same run",
            "comparison_figure": round(median, 1),
            "ratio": round(p99 / median, 2) if median else None,
            "target": f"<= {P99_TARGET_MS:.0f} ms with {offered} offered from {AGENCIES} agencies, {errors} failed"
            f", rate limits {'off' if _limits_off() else 'on'}",
        },
        {
            "name": "request submissions completed per second",
            "figure": round(achieved, 1),
            "unit": "req/s",
            "comparison": "GET /api/v1/health, same server, closed loop",
            "comparison_figure": round(health_rps, 1),
            "ratio": round(achieved / health_rps, 3) if health_rps else None,
            "target": f">= {RATE} req/s",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
