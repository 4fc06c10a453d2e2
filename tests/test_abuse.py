"""Requests a careful attacker would send, through every door to every endpoint: each is answered 4xx, or 200 with
finite output, and the server's log holds no traceback."""
import json
import math
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ae.config import MAX_COORD, MAX_POINTS
from app_server import post_json, result, serve_app
from serve.busy import HEAVY_AT_ONCE, HEAVY_WAITING

DIRECT, QUEUED = ["run", "api"], ["call", "call/v2"]
DOORS = DIRECT + QUEUED + ["queue/join"]
TINY = [[[0.0, 0.0], [1e-310, 1e-310]], [[5e-324, 0.0]]]  # a drawing whose extent would overflow the scale
SURROGATE = b'{"strokes": [[["\\ud800", 1]]]}'  # a lone surrogate as JSON escapes it: valid JSON, not valid Unicode


@pytest.fixture(scope="module")
def app():
    with serve_app() as served:
        with urllib.request.urlopen(f"{served.url}config") as r:
            config = json.loads(r.read())
        served.fn_index = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}
        with urllib.request.urlopen(f"{served.url}gradio_api/info") as r:
            served.params = {k.lstrip("/"): [p["parameter_name"] for p in v["parameters"]]
                             for k, v in json.loads(r.read())["named_endpoints"].items()}
        yield served
        log = served.output()
        assert "Traceback" not in log, f"the server's log holds a traceback:\n{log[-4000:]}"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def queue_result(app, session: str) -> tuple[str, object]:
    """The outcome of a queue/join: the process_completed message's output, read from /queue/data."""
    with urllib.request.urlopen(f"{app.url}gradio_api/queue/data?session_hash={session}", timeout=60) as r:
        for raw in r:
            line = raw.decode().strip()
            if line.startswith("data: "):
                msg = json.loads(line[len("data: "):])
                if msg.get("msg") == "process_completed":
                    return ("complete" if msg["success"] else "error"), msg["output"]
    return "closed", None


def ask(app, door: str, name: str, body: bytes) -> tuple[str, object]:
    """A call through one door: ("http <status>", text) when refused at the door, else the event and its data."""
    if door == "queue/join":
        session = uuid.uuid4().hex
        msg = json.loads(body)
        body = json.dumps({**msg, "fn_index": app.fn_index[name], "session_hash": session}).encode() \
            if "\\ud8" not in body.decode() else body[:-1] + f', "fn_index": {app.fn_index[name]}, ' \
            f'"session_hash": "{session}"}}'.encode()
        status, text = post_json(f"{app.url}gradio_api/queue/join", body)
        return (f"http {status}", text) if status != 200 else queue_result(app, session)
    if door == "call/v2" and name in app.params:  # keyword inputs: the same values by name
        inner = body.decode()[len('{"data": ['):-2]  # kept as text, so JSON escapes reach the server as they are
        body = f'{{"{app.params[name][0]}": {inner}}}'.encode() if len(app.params[name]) == 1 else body
    status, text = post_json(f"{app.url}gradio_api/{door}/{name}", body)
    if status != 200:
        return f"http {status}", text
    if door in DIRECT:
        return "complete", json.loads(text)["data"]
    return result(f"{app.url}gradio_api/{door}/{name}/{json.loads(text)['event_id']}", timeout=60)


def numbers(x) -> list[float]:
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return [x]
    if isinstance(x, dict):
        x = list(x.values())
    return [n for v in x for n in numbers(v)] if isinstance(x, list) else []


def assert_answered(event: str, data) -> None:
    """Refused with 4xx (or an error event), or complete with finite numbers; never a 5xx."""
    if event.startswith("http "):
        assert event[5] == "4", (event, str(data)[:300])
        assert json.loads(data).get("error") or json.loads(data).get("detail"), data[:300]
    elif event == "complete":
        assert all(math.isfinite(n) for n in numbers(data)), str(data)[:300]
        assert "nan" not in json.dumps(data).lower().replace("nanos", ""), str(data)[:300]
    else:
        assert event == "error", (event, str(data)[:300])


def strokes_body(strokes) -> bytes:
    return json.dumps({"data": [strokes]}).encode()


def interpolate_body(a, b, payload: str) -> bytes:
    return json.dumps({"data": [a, b, payload]}).encode()


CASES = {
    "sample: not a strategy": ("sample", b'{"data": ["magic"]}', False),
    "sample: a number for a strategy": ("sample", b'{"data": [1]}', False),
    "interpolate: 1.0 for the choice 1": ("interpolate", interpolate_body(1.0, 3, ""), False),
    "interpolate: True for the choice 1": ("interpolate", interpolate_body(True, 3, ""), False),
    "interpolate: '1' for the choice 1": ("interpolate", interpolate_body("1", 3, ""), False),
    "interpolate: a lone surrogate": ("interpolate", b'{"data": [-1, 3, "\\ud800"]}', False),
    "interpolate: a lone surrogate in the drawing": (
        "interpolate", b'{"data": [-1, 3, "{\\"strokes\\": [[[\\"\\ud800\\", 1]]]}"]}', False),
    "prepare: a lone surrogate": ("prepare", b'{"data": [[[["\\ud800", 1]]]]}', False),
    "prepare: too many points": ("prepare", strokes_body([[[1, 1]] * (MAX_POINTS + 1)]), False),
    "prepare: a tiny drawing": ("prepare", strokes_body(TINY), True),
    "interpolate: a tiny drawing": ("interpolate", interpolate_body(-1, 3, json.dumps({"strokes": TINY})), True),
    "decode: a lone surrogate for a number": ("decode", b'{"data": [["\\udfff", 0, 0, 0, 0, 0, 0, 0, 0, 0]]}', False),
}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", CASES)
def test_every_door_answers_4xx_or_finite(app, door, case):
    name, body, good = CASES[case]
    event, data = ask(app, door, name, body)
    assert_answered(event, data)
    served = not (door == "call/v2" and name not in app.params)  # /call/v2/ serves only the documented API
    assert (event == "complete") == (good and served), (event, str(data)[:300])


@pytest.mark.parametrize("fn_index", [999, "0", 0.0, True, None, -1])
def test_a_queue_join_for_no_event_is_4xx(app, fn_index):
    status, text = post_json(f"{app.url}gradio_api/queue/join",
                             {"data": [], "fn_index": fn_index, "session_hash": uuid.uuid4().hex})
    assert 400 <= status < 500 and "fn_index" in json.loads(text)["error"], (status, text)


@pytest.mark.parametrize("session", ["", None, 7])
def test_a_queue_join_without_a_session_is_4xx(app, session):
    status, text = post_json(f"{app.url}gradio_api/queue/join",
                             {"data": ["normal"], "fn_index": app.fn_index["sample"], "session_hash": session})
    assert 400 <= status < 500 and "session_hash" in json.loads(text)["error"], (status, text)


@pytest.mark.parametrize("component", [10**6, "x", None])
def test_component_server_for_no_component_is_404(app, component):
    status, text = post_json(f"{app.url}gradio_api/component_server",
                             {"session_hash": "s", "component_id": component, "fn_name": "process", "data": None})
    assert status == 404, (status, text)


@pytest.mark.parametrize("path", [f"gradio_api/call/decode/{uuid.uuid4().hex}",
                                  f"gradio_api/call/v2/decode/{uuid.uuid4().hex}",
                                  f"gradio_api/queue/data?session_hash={uuid.uuid4().hex}", "gradio_api/queue/data"])
def test_a_stream_of_no_event_is_404(app, path):
    status, text = get(app.url + path)
    assert status == 404, (status, text[:200])


@pytest.mark.parametrize("path", ["run/sample", "api/sample", "call/sample", "call/v2/sample", "queue/join"])
def test_the_doors_without_the_prefix_are_not_served(app, path):
    status, text = post_json(f"{app.url}{path}", {"data": ["magic"]})
    assert 400 <= status < 500, (status, text[:200])


@pytest.mark.parametrize("path", ["gradio_api/upload", "gradio_api/upload/", "upload", "gradio_api/upload?upload_id=x"])
def test_uploads_are_refused_on_every_route(app, path):
    status, text = post_json(f"{app.url}{path}", b"--x\r\n\r\n--x--\r\n")
    assert status == 403 and "no uploads" in text, (status, text[:200])


def test_the_live_route_refuses_a_surrogate_and_prepares_a_tiny_drawing(app):
    body = b'{"drawing": ' + SURROGATE + b', "spaces": ["ae"]}'
    status, text = post_json(f"{app.url}live/reconstruct", body)
    assert status == 400 and "Unicode" in json.loads(text)["error"], (status, text[:200])
    for route, body in [("reconstruct", b'{"drawing": {"strokes": [[[1, 1]]]}, "spaces": ["\\ud800"]}'),
                        ("decode", b'{"space": "\\udc00", "z": [0]}')]:
        status, text = post_json(f"{app.url}live/{route}", body)
        assert status == 400 and "Unicode" in json.loads(text)["error"], (route, status, text[:200])
    status, text = post_json(f"{app.url}live/reconstruct", {"drawing": {"strokes": TINY}, "spaces": ["ae", "vae"]})
    assert status == 200 and all(math.isfinite(v) for r in json.loads(text)["results"].values() for v in r["code"])


def test_an_asset_has_one_spelling(app):
    status, page = get(app.url)
    asset = next(p for p in page.split('"') if p.startswith("./assets/") and p.endswith(".js"))[1:]
    assert get(app.url + asset.lstrip("/"))[0] == 200
    name = asset.removeprefix("/assets/")
    for spelling in [f"assets/x1/../{name}", f"assets//{name}", f"assets/./{name}", f"static/../assets/{name}"]:
        assert get(app.url + spelling)[0] == 404, spelling


def test_heavy_calls_beyond_the_bound_are_told_the_server_is_busy(app):
    points = np.random.default_rng(0).uniform(-MAX_COORD, MAX_COORD, (MAX_POINTS, 2)).round(1).tolist()
    body = strokes_body([points])
    n = HEAVY_AT_ONCE + HEAVY_WAITING + 12  # more than run and wait at once
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(lambda _: post_json(f"{app.url}gradio_api/run/prepare", body, timeout=120), range(n)))
    assert {s for s, _ in answers} <= {200, 503}, [(s, t[:100]) for s, t in answers]
    busy = [t for s, t in answers if s == 503]
    assert busy and all("busy" in json.loads(t)["error"] for t in busy)
    assert all(math.isfinite(v) for s, t in answers if s == 200 for v in numbers(json.loads(t)["data"]))
