"""Offline in a workshop room: neither the page nor the server reaches for anything beyond this machine."""
import json
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route

from app_server import inet_sockets, is_loopback, is_unset, serve_app

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# app.py run with an audit hook that logs every connect, name lookup and datagram the server's Python makes,
# however short-lived: a socket sampled from /proc can be missed, an audit event cannot
AUDITED_APP = """
import json, os, runpy, sys
log = open(os.environ["NET_AUDIT_LOG"], "a", buffering=1)
def hook(event, args):
    if event == "socket.connect" or event in ("socket.sendto", "socket.sendmsg"):
        log.write(json.dumps([event, repr(args[-1])]) + "\\n")
    elif event == "socket.getaddrinfo":
        log.write(json.dumps([event, str(args[0])]) + "\\n")
sys.addaudithook(hook)
sys.argv = ["app.py"]
runpy.run_path("app.py", run_name="__main__")
"""


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """app.py as the room runs it, its sockets sampled all along.

    Analytics and the address to bind are left to app.py's and gradio's defaults, as `python app.py` has them.
    """
    log = tmp_path_factory.mktemp("audit") / "net.jsonl"
    with serve_app([sys.executable, "-c", AUDITED_APP],
                   env={"NET_AUDIT_LOG": str(log), "GRADIO_ANALYTICS_ENABLED": None,
                        "GRADIO_SERVER_NAME": None}) as served:
        served.audit_log = log
        served.sockets = set()
        stop = threading.Event()
        sampler = threading.Thread(target=sample_sockets, args=(served.pid, served.sockets, stop), daemon=True)
        sampler.start()
        yield served
        stop.set()
        sampler.join(timeout=5)


def sample_sockets(pid: int, seen: set, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            seen.update(inet_sockets(pid))
        except (FileNotFoundError, ProcessLookupError):  # the server is gone
            return
        stop.wait(0.05)


def test_page_and_server_stay_on_this_machine(page: Page, audited):
    blocked = []

    def local_only(route: Route) -> None:
        u = urlparse(route.request.url)
        if u.scheme in ("http", "https") and u.hostname not in LOCAL_HOSTS:
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", local_only)
    page.goto(audited.url)
    # every file passes through local_only above, in this Python process: slow on two loaded cores
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=60_000)
    box = page.locator("#canvas .ae-draw").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.15 + 0.035 * i))
        page.wait_for_timeout(16)
    page.mouse.up()
    page.click("#sample")
    page.wait_for_function("() => /seed \\d+/.test(document.querySelector('#grid').textContent)", timeout=20_000)
    page.wait_for_timeout(1000)  # gradio keeps a stream open, so "network idle" never comes: late requests get a second
    page.goto(f"{audited.url}?view=api")  # the footer link's address: loads the API docs' code
    page.wait_for_selector("#canvas .ae-draw")
    page.wait_for_timeout(1000)
    page.goto(audited.url)  # and the docs as a user opens them, from the footer
    page.get_by_role("button", name="Use via API").click()
    docs_shown = "() => document.body.innerText.includes('API name: /reconstruct')"
    page.wait_for_function(docs_shown, timeout=20_000)
    page.wait_for_timeout(1000)

    assert blocked == [], f"the page asked other hosts for: {blocked}"
    assert page.foreign_requests == [], f"the page reached other hosts: {page.foreign_requests}"

    for protocol, local, remote, state in sorted(audited.sockets):
        if state == "LISTEN":
            assert is_loopback(local), f"the server listens on {local}, beyond this machine"
        else:
            assert is_loopback(remote) or is_unset(remote), f"the server had a {protocol} socket to {remote}"
    events = [json.loads(line) for line in Path(audited.audit_log).read_text().splitlines()]
    outside = [e for e in events if not local_target(*e)]
    assert outside == [], f"the server tried to reach other hosts: {outside}"


def local_target(event: str, target: str) -> bool:
    """Whether an audited connect, name lookup or datagram stays on this machine."""
    if event == "socket.getaddrinfo":
        return target in LOCAL_HOSTS or target.startswith("127.") or target in ("::1", "None")
    if not target.startswith("("):  # an AF_UNIX path: no network at all
        return True
    host = target.strip("()").split(",")[0].strip().strip("'\"")
    return host in LOCAL_HOSTS or host.startswith("127.") or host == "::1"
