"""A real server for crash, backup and load tests: gunicorn on a free loopback port over a fresh database.

Used by operations/tests and bench/bench_load.py. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent

SETUP_AGENCY = """
from brightline.agencies.models import Agency
from brightline.agencies.services import api_token_issue
agency = Agency.objects.create(name="City Police Department", kind="municipal_police", verified=True)
print(api_token_issue(agency=agency, name="load")[1])
"""


SETUP_AGENCIES = """
from brightline.agencies.models import Agency
from brightline.agencies.services import api_token_issue
for number in range(COUNT):
    agency = Agency.objects.create(name=f"Agency {number + 1}", kind="municipal_police", verified=True)
    print(api_token_issue(agency=agency, name="load")[1])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(base_url: str | None, data_dir: Path) -> Iterator[str]:
    """SQLite in `data_dir`, or a new database on the PostgreSQL server of `base_url` (dropped after)."""
    if not base_url or not base_url.startswith("postgres"):
        yield f"sqlite:///{data_dir / 'brightline.sqlite3'}"
        return
    import psycopg

    name = f"brightline_live_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveServer:
    data_dir: Path
    database_url: str
    workers: int = 2
    threads: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env.update(
            BRIGHTLINE_DATA_DIR=str(self.data_dir),
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="brightline.settings",
            BRIGHTLINE_LOG_LEVEL="ERROR",
        )
        return env

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [str(BIN / "brightline"), *args], env=self.env, capture_output=True, text=True, check=check
        )

    def prepare(self) -> str:
        """Migrate the database and issue an agency token; returns the token."""
        self.manage("migrate", "--no-input")
        return self.manage("shell", "-c", SETUP_AGENCY).stdout.strip().splitlines()[-1]

    def prepare_agencies(self, count: int) -> list[str]:
        """Migrate the database and issue one token to each of `count` verified agencies."""
        self.manage("migrate", "--no-input")
        script = SETUP_AGENCIES.replace("COUNT", str(int(count)))
        return self.manage("shell", "-c", script).stdout.strip().splitlines()[-count:]

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "brightline.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
            ],
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.kill()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no worker gets to finish what it was doing."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def submit(base: str, token: str, body: dict[str, Any], *, timeout: float = 10) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/requests",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def sample_body(number: int) -> dict[str, Any]:
    """A request naming a student by name and birth date (left awaiting a roster match)."""
    return {
        "purpose": "criminal_investigation",
        "description": f"Load request {number}",
        "categories": ["directory", "attendance"],
        "students": [{"first_name": "Alex", "last_name": f"Student{number}", "birth_date": "2012-04-01"}],
        "identified_by": "name_and_birth_date",
        "legal_process": {"kind": "none", "nondisclosure_order": False},
        "emergency": None,
        "consent": None,
        "certification_no_redisclosure": False,
        "onward_recipients": [],
    }
