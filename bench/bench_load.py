"""Load: request submission at 200 requests/s for 60 s against gunicorn on PostgreSQL, with its p99
latency, beside the throughput of the trivial `GET /api/v1/health` of the same server in the same run.

Needs the PostgreSQL binaries (a throwaway server is started as `make test` does). Traffic: 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
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


def _open_loop(port: int, token: str, rate: int, seconds: int) -> tuple[list[float], int, int, float]:
    """Offer `rate` submissions a second on a fixed schedule (open loop: a slow answer does not slow the
    offered load); latency counts from the scheduled start, so queueing shows in it."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    total = rate * seconds
    slots = iter(range(total))
    slot_lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with slot_lock:
                number = next(slots, None)
            if number is None:
                break
            due = start + number / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps(sample_body(number))
            try:
                conn.request(
                    "POST",
                    "/api/v1/requests",
                    body=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                answer = conn.getresponse()
                answer.read()
                ok = answer.status == 201
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = time.perf_counter() - due
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        conn.close()

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
            server = LiveServer(data_dir=Path(tmp), database_url=url, workers=4, threads=4)
            token = server.prepare()
            server.start()
            try:
                latencies, errors, offered, wall = _open_loop(server.port, token, RATE, SECONDS)
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
            "name": "request submission p99 at 200 req/s (PostgreSQL, gunicorn 4x4)",
            "figure": round(p99, 1),
            "unit": "ms",
            "comparison": "median of the same run",
            "comparison_figure": round(median, 1),
            "ratio": round(p99 / median, 2) if median else None,
            "target": f"<= {P99_TARGET_MS:.0f} ms with {offered} offered, {errors} failed",
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
