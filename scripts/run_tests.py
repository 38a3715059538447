"""Run every test suite this machine can run: `make test` calls this.

1. pytest on SQLite (the embedded default);
2. the shipped policy test suites through `brightline policy test`;
3. pytest again on a throwaway PostgreSQL server when the PostgreSQL binaries are installed.
   BRIGHTLINE_REQUIRE_POSTGRES=1 turns missing binaries into a failure (CI sets it).

Exit status is non-zero on any failure, including a run that collected no tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POLICY_SUITES = ROOT / "src" / "brightline" / "policy" / "default" / "tests"


def flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def run(command: list[str], env: dict[str, str]) -> int:
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603


def pytest(env: dict[str, str], label: str, extra: list[str]) -> bool:
    print(f"\n=== pytest on {label} ===", flush=True)
    code = run([str(BIN / "pytest"), *extra], env)
    if code == 5:
        print(f"pytest on {label} collected no tests: that is a failure", flush=True)
    return code == 0


def postgres_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_postgres(bin_dir: Path) -> Iterator[str]:
    """initdb in a temporary directory and start a private server; yields its DATABASE_URL."""
    workdir = Path(tempfile.mkdtemp(prefix="brightline-pg-"))
    data, sockets, log = workdir / "data", workdir / "sock", workdir / "server.log"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as the postgres system user.
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def pg(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    pg(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-w",
        "-o",
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        "start",
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"postgres://postgres@127.0.0.1:{port}/brightline"
    finally:
        subprocess.run(  # noqa: S603
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    base_env = dict(os.environ)
    base_env.pop("DATABASE_URL", None)
    data_dir = tempfile.mkdtemp(prefix="brightline-test-data-")
    base_env["BRIGHTLINE_DATA_DIR"] = data_dir
    extra = sys.argv[1:]
    failures: list[str] = []

    if not pytest(base_env, "SQLite", extra):
        failures.append("pytest on SQLite")

    if POLICY_SUITES.is_dir():
        print("\n=== policy test suites ===", flush=True)
        if run([str(BIN / "brightline"), "policy", "test", str(POLICY_SUITES)], base_env) != 0:
            failures.append("policy test suites")

    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        if flag("BRIGHTLINE_REQUIRE_POSTGRES"):
            print("BRIGHTLINE_REQUIRE_POSTGRES is set but no PostgreSQL binaries were found", flush=True)
            failures.append("PostgreSQL missing")
        else:
            print("\nPostgreSQL binaries not found: the PostgreSQL run is skipped", flush=True)
    else:
        with throwaway_postgres(bin_dir) as url:
            env = dict(base_env, DATABASE_URL=url, BRIGHTLINE_REQUIRE_POSTGRES="1")
            if not pytest(env, "PostgreSQL", extra):
                failures.append("pytest on PostgreSQL")

    shutil.rmtree(data_dir, ignore_errors=True)
    if failures:
        print("\nFAILED: " + ", ".join(failures), flush=True)
        return 1
    print("\nEvery suite passed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
