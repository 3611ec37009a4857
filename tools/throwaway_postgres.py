"""Run a command against a throw-away PostgreSQL server.

initdb into a temporary folder, start the server on 127.0.0.1 and a free port, run the command with
ENGAGEMENT_PG_* variables pointing at it, then stop the server and delete the folder, also when the
command fails. PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.

    python tools/throwaway_postgres.py -- pytest -x
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

SERVER_USER = "postgres"


def find_bin(name: str) -> str:
    """pg_ctl and initdb live outside PATH on Debian (/usr/lib/postgresql/<version>/bin)."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(
        f"{name} not found: install the server with `apt-get install -y postgresql-15` (or `make test-postgres`, which does)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


@contextlib.contextmanager
def throwaway_server() -> Iterator[dict[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="engagement-pg-"))
    data = folder / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER)
    try:
        subprocess.run(
            as_server_user([find_bin("initdb"), "-D", str(data), "-U", "engagement", "--auth=trust", "-E", "UTF8"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            as_server_user(
                [
                    find_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "start",
                    "-o", f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off "
                    "-c synchronous_commit=off -c timezone=UTC",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [find_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "engagement", "engagement"],
            check=True,
        )
        yield {
            "ENGAGEMENT_PG_HOST": "127.0.0.1",
            "ENGAGEMENT_PG_PORT": str(port),
            "ENGAGEMENT_PG_USER": "engagement",
            "ENGAGEMENT_PG_PASSWORD": "",
            "ENGAGEMENT_PG_DATABASE": "engagement",
        }
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                as_server_user([find_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run (after --)")
    args = parser.parse_args(argv)
    command = [part for part in args.command if part != "--"] or ["true"]
    with throwaway_server() as env:
        return subprocess.run(command, env={**os.environ, **env}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
