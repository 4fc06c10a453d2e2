"""app.py served on a free local port for tests that talk to it over HTTP, with its pid for memory and sockets."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


@dataclass
class Served:
    """A running app: its base URL (ending in /), its process and the file its output goes to."""
    url: str
    proc: subprocess.Popen
    log: BinaryIO  # the app's stdout and stderr

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        """Everything the app has printed so far (it writes through its own file descriptor)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(command: list[str] | None = None, *, env: dict[str, str | None] | None = None,
              timeout: float = START_TIMEOUT_S) -> Iterator[Served]:
    """Run app.py (or command) on 127.0.0.1 and a free port; yield it once / answers 200, stop it afterwards.

    env adds to the environment; a None value removes that variable.
    """
    port = free_port()
    full_env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env = {k: v for k, v in full_env.items() if v is not None}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty app can never block on a full pipe
        proc = subprocess.Popen(command or [sys.executable, "app.py"], cwd=ROOT, env=full_env, stdout=log,
                                stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}/", proc, log)
        try:
            wait_until_serving(served, timeout)
            yield served
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_serving(served: Served, timeout: float) -> None:
    """Poll the app's URL until it answers 200; RuntimeError with its output if it exits or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.proc.poll() is not None:
            raise RuntimeError(f"app exited with code {served.proc.returncode} before serving:\n{served.output()}")
        try:
            with urllib.request.urlopen(served.url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:  # refused while starting, or a timeout
            pass
        time.sleep(0.1)
    raise RuntimeError(f"app did not serve {served.url} within {timeout:.0f} s:\n{served.output()}")


def post_json(url: str, body: bytes | dict, *, timeout: float = 30) -> tuple[int, str]:
    """POST a JSON body (a dict, or raw bytes sent as they are); (status, response text), errors included."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except urllib.error.URLError as e:
        if isinstance(e.reason, (BrokenPipeError, ConnectionResetError)):  # refused before the body was sent
            return 0, f"connection closed while sending: {e.reason}"
        raise


def call(base_url: str, api_name: str, body: bytes | dict, *, timeout: float = 30) -> tuple[str, object]:
    """One call over gradio's queue API: POST /gradio_api/call/<name>, then read its event stream.

    Returns (event, data): event is "complete" or "error" with data the parsed JSON of that event,
    or ("http <status>", body text) when the POST itself is refused.
    """
    status, text = post_json(f"{base_url}gradio_api/call/{api_name}", body, timeout=timeout)
    if status != 200:
        return f"http {status}", text
    return result(f"{base_url}gradio_api/call/{api_name}/{json.loads(text)['event_id']}", timeout=timeout)


def result(url: str, *, timeout: float = 30) -> tuple[str, object]:
    """The first "complete" or "error" event of a call's event stream, with its data parsed."""
    with urllib.request.urlopen(url, timeout=timeout) as r:
        event = None
        for raw in r:  # SSE: "event: <name>" then "data: <json>"; heartbeats carry data null
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: ") and event in ("complete", "error"):
                return event, json.loads(line[len("data: "):])
    return "closed", None  # the stream ended without a result


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def inet_sockets(pid: int) -> list[tuple[str, str, str, str]]:
    """(protocol, local, remote, state) of every TCP and UDP socket the process holds, from /proc (Linux).

    What psutil.Process(pid).net_connections() gives, without depending on psutil.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed since the listing
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    states = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "06": "TIME_WAIT", "07": "CLOSE",
              "08": "CLOSE_WAIT", "0A": "LISTEN"}
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            fields = row.split()
            if fields[9] in inodes:
                state = "UDP" if table.startswith("udp") else states.get(fields[3], fields[3])
                found.append((table, hex_address(fields[1]), hex_address(fields[2]), state))
    return found


def hex_address(field: str) -> str:
    """/proc/net/tcp's "0100007F:1F90" (32-bit words in host order) as "127.0.0.1:8080"; IPv6 as "[::1]:8080"."""
    host, port = field.split(":")
    raw = bytes.fromhex(host)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    address = socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)
    return f"{address}:{int(port, 16)}" if len(raw) == 4 else f"[{address}]:{int(port, 16)}"


def host_of(address: str) -> str:
    return address.rsplit(":", 1)[0].strip("[]")


def is_loopback(address: str) -> bool:
    """True for an address on 127.0.0.0/8 or ::1 (also as IPv4-mapped IPv6); 0.0.0.0 and :: are not."""
    host = host_of(address)
    return host.startswith("127.") or host == "::1" or host.startswith("::ffff:127.")


def is_unset(address: str) -> bool:
    """True for the 0.0.0.0:0 / [::]:0 remote end of a listening or unconnected socket."""
    return host_of(address) in ("0.0.0.0", "::") and address.endswith(":0")
