"""Real processes for the tests: `obf serve` and the Hazelcast test member on loopback ports,
and the book producer; each stopped by the fixture that made it, even when a test fails."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TESTS = Path(__file__).resolve().parent

EVENT_LIMIT = 120.0
"""The most a test waits for an event that must happen (a process ready, a condition): a guard
against a hang, never a guess of the machine's speed; a wait ends as soon as its event happens."""


def binary(variable: str, default: str) -> str:
    """The executable named by an environment variable, else the debug build's."""
    path = os.environ.get(variable) or str(REPO / ".build" / "debug" / default)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not an executable: build with `swift build` or set {variable}")
    return path


def clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any OBF_* variable, plus `extra`."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OBF_")}
    environment.update(extra or {})
    return environment


def free_port() -> int:
    """A loopback port that was free a moment ago, below the kernel's ephemeral range, so that
    no outgoing connection takes it while a process on it is restarted."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def wait_for(pattern: str, log: Path, process: subprocess.Popen[bytes],
             timeout: float = EVENT_LIMIT) -> re.Match[str]:
    """Waits until `log` has a line matching `pattern` (the process must not exit first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text(errors="replace"))
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.02)
    raise RuntimeError(f"{log.name}: no line matching {pattern!r}:\n{log.read_text(errors='replace')[-3000:]}")


class Process:
    """A child process in a session of its own, its output in a log file."""

    def __init__(self, command: Sequence[str], log: Path, environment: dict[str, str] | None = None) -> None:
        self.log = log
        self.command = list(command)
        with open(log, "ab") as sink:
            self.popen = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                          env=environment, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def pause(self) -> None:
        """Stops the process (SIGSTOP) and returns once every thread of it has stopped: the
        signal takes effect asynchronously, and a thread still running could answer a request."""
        self.popen.send_signal(signal.SIGSTOP)
        tasks = Path(f"/proc/{self.pid}/task")
        deadline = time.monotonic() + EVENT_LIMIT
        while time.monotonic() < deadline:
            states = []
            for task in tasks.iterdir():
                try:
                    states.append(task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0])
                except (OSError, IndexError):
                    continue   # a thread that ended meanwhile
            if states and all(state in ("T", "t") for state in states):
                return
            time.sleep(0.005)
        raise RuntimeError(f"process {self.pid} did not stop within {EVENT_LIMIT} s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Sends `sig` and waits for the exit (SIGKILL after `timeout`); returns the exit status."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode


class Serve(Process):
    """`obf serve --host 127.0.0.1 --port PORT ARGS` (port 0: a free one), ready once it logged its
    address (`url`: http:// or, with --tls-cert, https://)."""

    def __init__(self, arguments: Sequence[str], log: Path, *, port: int = 0,
                 environment: dict[str, str] | None = None) -> None:
        command = [binary("OBF_BIN", "obf"), "serve", "--host", "127.0.0.1", "--port", str(port), *arguments]
        super().__init__(command, log, clean_environment(environment))
        try:
            match = wait_for(r"address=(https?)://127\.0\.0\.1:(\d+)", log, self.popen)
        except RuntimeError:
            self.stop(signal.SIGKILL)
            raise
        self.port = int(match.group(2))
        self.url = f"{match.group(1)}://127.0.0.1:{self.port}"
        probe = re.search(r"probe_address=http://127\.0\.0\.1:(\d+)", self.text())
        #: The plain-HTTP probe port (`--probe-port`), None without one.
        self.probe_url = f"http://127.0.0.1:{probe.group(1)}" if probe else None


class Member(Process):
    """`hz-test-member --host 127.0.0.1 --port PORT --cluster dev`, ready once it listens."""

    def __init__(self, port: int, log: Path) -> None:
        super().__init__([binary("HZ_MEMBER_BIN", "hz-test-member"), "--host", "127.0.0.1", "--port", str(port),
                          "--cluster", "dev"], log)
        wait_for(rf"listening on 127\.0\.0\.1:{port}", log, self.popen)
        self.port = port


class Producer(Process):
    """`book_producer.py`: the official hazelcast-python-client writing books every interval."""

    def __init__(self, member_port: int, assets: Sequence[str], log: Path, *, interval_ms: int = 100) -> None:
        super().__init__([sys.executable, str(TESTS / "book_producer.py"), f"127.0.0.1:{member_port}",
                          ",".join(assets), str(interval_ms)], log)


class Processes:
    """Starts the test's processes and stops every one at teardown (newest first)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Process] = []
        self._numbers = itertools.count(1)

    def _log(self, name: str) -> Path:
        return self.folder / f"{name}-{next(self._numbers)}.log"

    def serve(self, *arguments: str, port: int = 0, environment: dict[str, str] | None = None) -> Serve:
        process = Serve(arguments, self._log("serve"), port=port, environment=environment)
        self.started.append(process)
        return process

    def member(self, port: int) -> Member:
        process = Member(port, self._log("member"))
        self.started.append(process)
        return process

    def producer(self, member_port: int, assets: Sequence[str], interval_ms: int = 100) -> Producer:
        process = Producer(member_port, assets, self._log("producer"), interval_ms=interval_ms)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop(signal.SIGTERM, timeout=10)
