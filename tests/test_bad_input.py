"""Malformed requests to every endpoint over raw HTTP: each gets a clear error, and the server keeps serving."""
import json
import re
import sys
import tempfile
import urllib.error
import urllib.request
import uuid

import pytest

from ae.inference import load_assets
from app_server import ROOT, call, post_json, result, rss_mb, serve_app

TOO_BIG = 2 * 1024 * 1024  # bytes: over app.py's max_file_size of 1 MB
LEAKS = [str(ROOT), sys.prefix, "site-packages", "Traceback", 'File "', tempfile.gettempdir() + "/gradio"]


@pytest.fixture(scope="module")
def app():
    with serve_app() as served:
        yield served


@pytest.fixture(scope="module")
def box() -> tuple[list[float], list[float]]:
    """The autoencoder sliders' (minimum, maximum) per dimension."""
    space = load_assets().spaces["ae"]
    return space.lo.tolist(), space.hi.tolist()


def mid(box) -> list[float]:
    return [round((lo + hi) / 2, 2) for lo, hi in zip(*box)]


def payload() -> str:
    """A drawing as the page sends it: one stroke, a "1"."""
    return json.dumps({"strokes": [[[140, 40], [140, 240]]]})


def body(*data) -> bytes:
    """A request body with NaN and Infinity written as JavaScript's JSON.stringify never does, Python's json does."""
    return json.dumps({"data": list(data)}, allow_nan=True).encode()


def assert_clear_error(event: str, data, pattern: str | None = None) -> str:
    """The call failed with a readable message (not {"error": null}) that gives nothing of the server away."""
    if event == "http 413":  # refused at the door, a body over a size limit: the reason is in the body
        message = str(data)
    elif event.startswith("http 4"):  # refused before the handler (serving.py's checks): {"error": message}
        message = json.loads(data).get("error") if data.startswith("{") else data
    else:
        assert event == "error", f"expected an error, got {event}: {str(data)[:300]}"
        message = data.get("error") if isinstance(data, dict) else None
    assert isinstance(message, str) and message.strip(), f"the error carries no message: {data!r}"
    for leak in LEAKS:
        assert leak not in message, f"the error shows the server's {leak!r}: {message}"
    if pattern:
        assert re.search(pattern, message), f"{message!r} does not match {pattern!r}"
    return message


def good_calls_work(app, box) -> None:
    event, data = call(app.url, "decode", {"data": [mid(box)]})
    assert event == "complete" and len(data[0]["image"]) == 28, (event, str(data)[:200])
    event, data = call(app.url, "interpolate", {"data": [-1, 3, payload()]})
    assert event == "complete" and data[0].count("<img") == 18, (event, str(data)[:200])
    status, text = post_json(f"{app.url}live/reconstruct", {"drawing": json.loads(payload()), "spaces": ["ae"]})
    assert status == 200 and len(json.loads(text)["results"]["ae"]["code"]) == 10, (status, text[:200])
    status, text = post_json(f"{app.url}live/decode", {"space": "ae", "z": mid(box)})
    assert status == 200 and len(json.loads(text)["image"]) == 1048, (status, text[:200])  # 784 bytes in base64


IMAGE = [[0.0] * 28 for _ in range(28)]
NAN, INF = float("nan"), float("inf")

# (endpoint, data, what the error must say): wrong types, wrong lengths, NaN and infinity, huge arrays
CASES = {
    "decode: a string": ("decode", ["0.1, 0.2"], "10 numbers"),
    "decode: three numbers": ("decode", [[0.0] * 3], "10 numbers, got 3"),
    "decode: eleven numbers": ("decode", [[0.0] * 11], "10 numbers, got 11"),
    "decode: a nested list": ("decode", [[[0.0] * 10]], "10 numbers, got 1"),
    "decode: booleans": ("decode", [[True] * 10], "must be a number"),
    "decode: strings in the list": ("decode", [["0"] * 10], "must be a number"),
    "decode: NaN": ("decode", [[NAN] * 10], "finite"),
    "decode: infinity": ("decode", [[INF] * 10], "finite"),
    "decode: a huge list": ("decode", [[0.0] * 200_000], "10 numbers|too large"),
    "decode: null": ("decode", [None], "10 numbers"),
    "decode: an object": ("decode", [{"z": 1}], "10 numbers"),
    "encode: a string": ("encode", ["zeros"], "28"),
    "encode: 27 rows": ("encode", [IMAGE[:27]], "28x28"),
    "encode: ragged rows": ("encode", [IMAGE[:27] + [[0.0] * 27]], "28"),
    "encode: flat 784": ("encode", [[0.0] * 784], "28x28"),
    "encode: NaN": ("encode", [[[NAN] * 28] + IMAGE[1:]], "finite"),
    "encode: infinity": ("encode", [[[INF] * 28] + IMAGE[1:]], "finite"),
    "encode: 0..255 pixels": ("encode", [[[255.0] * 28] * 28], r"\[0, 1\]"),
    "encode: a huge image": ("encode", [[[0.0] * 400] * 400], "28x28|too large"),
    "encode: null": ("encode", [None], "28x28"),
    "reconstruct: strings": ("reconstruct", [[["a"] * 28] * 28], "28"),
    "reconstruct: negative": ("reconstruct", [[[-1.0] * 28] * 28], r"\[0, 1\]"),
    "interpolate: a number for the drawing": ("interpolate", [-1, 3, 123], "drawing"),
    "interpolate: not JSON": ("interpolate", [-1, 3, "{nope"], "not valid JSON"),
    "interpolate: a list": ("interpolate", [-1, 3, [1, 2, 3]], "drawing"),
    "interpolate: the wrong keys": ("interpolate", [-1, 3, json.dumps({"w": 64, "h": 64})], "JSON object"),
    "interpolate: an image of the wrong size": ("interpolate", [-1, 3, json.dumps({"image": "AAAA"})], "784 bytes"),
    "interpolate: NaN in a point": ("interpolate", [-1, 3, '{"strokes": [[[NaN, 1]]]}'], "finite"),
    "interpolate: a huge number": ("interpolate", [-1, 3, '{"strokes": [[[' + "9" * 400 + ', 1]]]}'], "too large"),
    "interpolate: deep nesting": ("interpolate", [-1, 3, "[" * 50_000], "nested too deeply"),
    "interpolate: too many points": ("interpolate", [-1, 3, json.dumps({"strokes": [[[1, 1]] * 5000]})],
                                     "at most 2000"),
    "prepare: not strokes": ("prepare", ["lines"], "list of strokes"),
    "prepare: no strokes": ("prepare", [[]], "at least one stroke"),
    "prepare: a point of three": ("prepare", [[[[1, 2, 3]]]], r"\[x, y\]"),
    "sample: an unknown strategy": ("sample", ["magic"], r"must be one of \[.normal.*got magic"),
    "sample: a number": ("sample", [7], "must be one of .* got 7"),
    "interpolate: out of range": ("interpolate", [99, -5, ""], "input 0 must be one of .* got 99"),
    "interpolate: strings": ("interpolate", ["a", "b", ""], "input 0 must be one of .* got a"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_values_get_a_clear_error(app, case):
    api_name, data, pattern = CASES[case]
    assert_clear_error(*call(app.url, api_name, body(*data)), pattern)


@pytest.mark.parametrize("api_name", ["decode", "encode", "reconstruct", "prepare", "sample", "interpolate"])
def test_missing_arguments_get_a_clear_error(app, api_name):
    assert_clear_error(*call(app.url, api_name, {"data": []}))


@pytest.mark.parametrize("raw", [b"", b"nope", b"{}", b'{"data": null}', b'{"data": "abc"}', b"[1, 2]"])
def test_a_body_that_is_not_a_call_is_refused_with_a_reason(app, raw):
    status, text = post_json(f"{app.url}gradio_api/call/decode", raw)
    assert 400 <= status < 500, (status, text[:200])
    assert text.strip() and not any(leak in text for leak in LEAKS), text[:300]


# the live routes, POST outside gradio: (route, raw body, what the error must say)
LIVE_CASES = {
    "reconstruct: not JSON": ("reconstruct", b"{nope", "not valid JSON"),
    "reconstruct: not UTF-8": ("reconstruct", b"\xff\xfe\x00", "UTF-8"),
    "reconstruct: a list": ("reconstruct", b"[1, 2]", "JSON object"),
    "reconstruct: the old pixel payload": ("reconstruct", b'{"w": 64, "h": 64, "ink": "AAAA", "seq": 1, "final": true}',
                                           "JSON object"),
    "reconstruct: no spaces": ("reconstruct", b'{"drawing": {"strokes": []}, "spaces": []}', "spaces must be"),
    "reconstruct: a bad point": ("reconstruct", b'{"drawing": {"strokes": [[["x", 1]]]}, "spaces": ["ae"]}',
                                 "must be a number"),
    "reconstruct: 60 KB of [": ("reconstruct", b"[" * 60_000, "nested too deeply"),
    "reconstruct: 60 KB of {": ("reconstruct", b'{"a":' * 12_000, "nested too deeply|not valid JSON"),
    "reconstruct: a 400-digit number": ("reconstruct", b'{"drawing": {"strokes": [[[' + b"9" * 400 + b', 1]]]}, '
                                                       b'"spaces": ["ae"]}', "too large"),
    "reconstruct: over 96 KB": ("reconstruct", b"x" * 100_000, "too large"),
    "decode: empty body": ("decode", b"", "not valid JSON"),
    "decode: a list": ("decode", b"[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]", "JSON object"),
    "decode: an unknown model": ("decode", b'{"space": "gan", "z": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "space must be"),
    "decode: a model that is a list": ("decode", b'{"space": ["ae"], "z": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}',
                                       "space must be"),
    "decode: three numbers": ("decode", b'{"space": "ae", "z": [0, 0, 0]}', "10 numbers, got 3"),
    "decode: strings": ("decode", b'{"space": "ae", "z": ["a", 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "must be a number"),
    "decode: NaN": ("decode", b'{"space": "ae", "z": [NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "finite"),
    "decode: a 400-digit number": ("decode", b'{"space": "ae", "z": [' + b"9" * 400 + b', 0, 0, 0, 0, 0, 0, 0, 0, 0]}',
                                   "too large"),
    "decode: 60 KB of [": ("decode", b"[" * 60_000, "nested too deeply"),
    "decode: too far out": ("decode", b'{"space": "ae", "z": [1e9, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "must lie in"),
    "decode: over 96 KB": ("decode", b'{"space": "ae", "z": [' + b"0, " * 40_000 + b"0]}", "too large"),
}


@pytest.mark.parametrize("case", LIVE_CASES)
def test_bad_bodies_to_the_live_routes_get_a_clear_error(app, case):
    route, raw, pattern = LIVE_CASES[case]
    status, text = post_json(f"{app.url}live/{route}", raw)
    assert status in (400, 413), (status, text[:200])
    assert_clear_error("error", json.loads(text), pattern)


def test_the_live_routes_take_only_post(app):
    for route in ("reconstruct", "decode"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{app.url}live/{route}", timeout=10)
        assert e.value.code == 405


def test_an_unknown_endpoint_is_refused_with_a_reason(app):
    status, text = post_json(f"{app.url}gradio_api/call/no_such_endpoint", {"data": [1]})
    assert 400 <= status < 500, f"an unknown endpoint gave HTTP {status} {text[:200]!r}"
    assert "no_such_endpoint" in text


@pytest.mark.parametrize("name", ["app.py", "..%2Fapp.py", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "ae.safetensors",
                                  "SHA256SUMS", "ort-wasm-simd-threaded.wasm.br"])
def test_the_page_route_serves_only_its_list(app, name):
    version = re.search(r'ui/([0-9a-f]{12})/bundle\.js', urllib.request.urlopen(app.url, timeout=10).read().decode())[1]
    with urllib.request.urlopen(f"{app.url}ui/{version}/bundle.js", timeout=10) as r:
        assert r.status == 200
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{app.url}ui/{version}/{name}", timeout=10)
    assert e.value.code == 404


def test_an_unknown_event_id_is_404(app):
    with pytest.raises(urllib.error.HTTPError) as e:
        result(f"{app.url}gradio_api/call/decode/{uuid.uuid4().hex}")
    assert e.value.code == 404 and "no such event" in e.value.read().decode()


def upload(app, name: str, content: bytes) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(f"{app.url}gradio_api/upload", data=data, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


@pytest.mark.parametrize("size", [25, TOO_BIG])
def test_uploads_are_refused_whatever_their_size(app, size):
    status, text = upload(app, "notes.txt", b"x" * size)
    assert status == 403 and "no uploads" in text, (status, text[:200])


def test_a_file_where_numbers_are_expected_is_a_clear_error(app):
    path = f"{tempfile.gettempdir()}/gradio/{uuid.uuid4().hex}/notes.txt"  # where gradio would keep an upload
    file_data = {"path": path, "meta": {"_type": "gradio.FileData"}}
    for api_name, data in [("encode", [file_data]), ("decode", [file_data]), ("reconstruct", [path]),
                           ("interpolate", [-1, 3, file_data])]:
        assert_clear_error(*call(app.url, api_name, body(*data)))


def test_a_file_the_app_never_made_is_not_read(app):
    file_data = {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}
    event, data = call(app.url, "encode", body(file_data))
    message = assert_clear_error(event, data)
    assert "root:" not in message


def test_the_server_survives_a_burst_of_bad_requests_without_growing(app, box):
    good_calls_work(app, box)
    for _ in range(3):  # warm up: first calls allocate caches that stay
        for api_name, data, _ in CASES.values():
            call(app.url, api_name, body(*data))
    before = rss_mb(app.pid)
    for _ in range(3):
        for api_name, data, _ in CASES.values():
            call(app.url, api_name, body(*data))
        post_json(f"{app.url}gradio_api/call/decode", b"{}")
        for route, raw, _ in LIVE_CASES.values():
            post_json(f"{app.url}live/{route}", raw)
        call(app.url, "decode", body([0.0] * 1_000_000))  # 5 MB of JSON
    after = rss_mb(app.pid)
    print(f"RSS {before:.0f} MB before the burst, {after:.0f} MB after")
    assert app.proc.poll() is None, "the server died"
    good_calls_work(app, box)
    assert after - before < 50, f"the server grew from {before:.0f} MB to {after:.0f} MB on bad requests"


# ---- hostile bodies, to every endpoint by every path: a 4xx with a message, never a 5xx ----

ENDPOINTS = {"encode": 1, "decode": 1, "reconstruct": 1, "prepare": 1, "sample": 1, "prior": 0, "interpolate": 3}
HOSTILE = {"60 KB of [": b"[" * 60_000, "60 KB of {": b'{"a":' * 12_000,
           "a 400-digit number": b'{"data": [' + b"9" * 400 + b"]}",
           "a 400-digit number in a list": b'{"data": [[' + b"9" * 400 + b", 0, 0, 0, 0, 0, 0, 0, 0, 0]]}",
           "nested data": b'{"data": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"}


@pytest.mark.parametrize("path", ["run", "call"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_bodies_get_a_4xx_or_an_error_never_a_5xx(app, path, hostile):
    for name in ENDPOINTS:
        status, text = post_json(f"{app.url}gradio_api/{path}/{name}", HOSTILE[hostile])
        if path == "call" and status == 200:  # queued: the error comes on the event stream
            event, data = result(f"{app.url}gradio_api/call/{name}/{json.loads(text)['event_id']}")
            assert_clear_error(event, data)
        else:
            assert 400 <= status < 500, f"{name} by {path}: HTTP {status} {text[:200]}"
            assert text.strip() and not any(leak in text for leak in LEAKS), text[:300]


def test_no_bad_request_left_a_traceback_in_the_servers_log(app):
    # runs after every test above in this module (pytest keeps the order of a file)
    assert "Traceback" not in app.output(), app.output()[-3000:]
