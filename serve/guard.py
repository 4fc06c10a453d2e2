"""Request limits and error answers gradio does not give by itself: a bounded body for every POST, calls checked
before gradio sees them, a 404 that names an unknown endpoint."""
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError

from ae.checks import encodable
from serve.busy import BUSY_MESSAGE, CALLS, HEAVY

MAX_BODY_BYTES = 96 * 1024  # the largest real input, a drawing of 2,000 points with Interpolate, is about 30 KB
DRAIN_BYTES = 16 * 1024 * 1024  # a body declared larger than this is refused before it is read


async def read_body(receive, max_bytes: int) -> bytes | None:
    """An ASGI request's whole body, keeping at most max_bytes + one message of it (None if the client went away)."""
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if len(body) <= max_bytes:
            body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def replay(body: bytes, receive):
    """A receive that hands the app the body already read, then waits for the disconnect as the app expects."""
    sent = False

    async def receive_again():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return receive_again


class BodyLimit:
    """ASGI middleware: HTTP 413 for a POST body over max_bytes, on every route; uploads refused with 403.

    gradio keeps each call's input in its session until 10,000 sessions pile up, so one 5 MB list of
    numbers costs ~60 MB of memory for a long time; the app's largest real input is ~30 KB. The app has no
    upload component, and gradio keeps uploaded files (a thousand to a request) on disk for good.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > DRAIN_BYTES:
            return await self.refuse(send)
        if scope["path"].rstrip("/").endswith("/upload"):
            await read_body(receive, 0)  # read, not kept: a client still sending would see a broken pipe
            return await send_json(send, 403, {"error": "this app takes no uploads: send numbers and text"})
        body = await read_body(receive, self.max_bytes)  # all of it before the app sees any of it
        if body is None:
            return
        if len(body) > self.max_bytes:  # refused after reading: a client still sending would see a broken pipe
            return await self.refuse(send)
        await self.app(scope, replay(body, receive), send)

    async def refuse(self, send) -> None:
        await send_json(send, 413, {"error": f"request body too large: at most {self.max_bytes} bytes"})


CALL = re.compile(r"^/gradio_api/(run|api|call|call/v2)/([A-Za-z0-9_-]+)/?$")  # a call by API name, direct or queued
STREAM = re.compile(r"^/gradio_api/call/(?:v2/)?[^/]+/([^/]+)/?$")  # a queued call's event stream, by event id
JOIN, DATA, COMPONENT = "/gradio_api/queue/join", "/gradio_api/queue/data", "/gradio_api/component_server"


@dataclass(frozen=True)
class Endpoint:
    """One event of the app: its API name and, per input, the values it allows (a choice's) or None (any)."""
    name: str
    allowed: list[list | None]
    params: tuple[str, ...] | None  # its inputs' names, for /call/v2/ (keyword inputs); None: not on that door


@dataclass(frozen=True)
class Doors:
    """What gradio's endpoints may be asked: the events by API name and by fn_index, the components' server
    functions as (component id, function name), and the app, whose queue knows the open sessions."""
    endpoints: dict[str | int, Endpoint]
    server_fns: set[tuple[int, str]]
    demo: Any


def api_inputs(demo) -> Doors:
    """The events and server functions of demo."""
    table = {}
    named = {k.lstrip("/"): v["parameters"] for k, v in demo.get_api_info()["named_endpoints"].items()}
    for index, fn in demo.fns.items():
        allowed = [[v for _, v in c.choices] if getattr(c, "choices", None) else None for c in fn.inputs]
        params = tuple(p["parameter_name"] for p in named[fn.api_name]) if fn.api_name in named else None
        table[index] = table[fn.api_name] = Endpoint(fn.api_name, allowed, params)
    server_fns = {(i, name) for i, block in demo.blocks.items() for name in dir(type(block))
                  if getattr(getattr(block, name, None), "_is_server_fn", False)}
    return Doors(table, server_fns, demo)


def is_choice(value: Any, choices: list) -> bool:
    """value is one of choices, of the very same type: 1.0 and True are not the choice 1."""
    return any(type(value) is type(c) and value == c for c in choices)


class GradioCalls:
    """ASGI middleware for gradio's own endpoints, which answer some bad input with HTTP 500 and a traceback in its log.

    Every door to an event (/run/, /api/, /call/, /call/v2/ by API name, /queue/join by fn_index) gets the same
    checks before gradio sees the call: the right number of inputs, a choice's value of its exact type, text that
    is valid Unicode, a known event and a session; 400 or 404 with a message otherwise. An input error a handler
    raises (gr.Error) on a direct call is 400. An event stream or server function that does not exist is 404.
    """

    def __init__(self, app, inputs: Doors):
        self.app, self.doors = app, inputs

    async def __call__(self, scope, receive, send):
        path = scope["path"] if scope["type"] == "http" else ""
        if scope["type"] == "http" and scope["method"] == "GET" and (STREAM.match(path) or path == DATA):
            return await self.stream(scope, receive, send)
        post = scope["type"] == "http" and scope["method"] == "POST"
        match = CALL.match(path) if post else None
        if not post or (match is None and path.rstrip("/") not in (JOIN, COMPONENT)):
            return await self.app(scope, receive, send)
        body = await read_body(receive, DRAIN_BYTES)  # BodyLimit has bounded it
        if body is None:
            return
        status, endpoint, problem = self.check(match, path.rstrip("/"), body)
        if problem:
            return await send_json(send, status, {"error": problem})
        direct = match is not None and match[1] in ("run", "api")

        async def work():
            await self.app(scope, replay(body, receive), self.input_errors_as_400(send) if direct else send)
        if direct and endpoint is not None and endpoint.name in HEAVY:  # a queued call waits in gradio's queue instead
            return await CALLS.run(work, lambda: send_json(send, 503, {"error": BUSY_MESSAGE}))
        await work()

    async def stream(self, scope, receive, send):
        """404 for a stream of an event or session the queue does not hold (gradio would raise its 404 into a
        response already begun); an event that ends while its stream opens still ends the stream quietly."""
        if not self.open_session(scope):
            return await send_json(send, 404, {"error": "no such event: it has finished, or never was"})
        try:
            await self.app(scope, receive, send)
        except RuntimeError as e:
            if not isinstance(e.__cause__, HTTPException):
                raise

    def open_session(self, scope) -> bool:
        """The stream asked for is of a session the queue holds messages for (as gradio resolves an event id)."""
        queue = self.doors.demo._queue
        match = STREAM.match(scope["path"])
        if match is None:  # /queue/data?session_hash=...
            session = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [""])[0]
        else:
            event = queue.event_ids_to_events.get(match[1])
            session = event.session_hash if event is not None else next(
                (s for s, ids in queue.pending_event_ids_session.items() if match[1] in ids), match[1])
        return session in queue.pending_messages_per_session

    def check(self, match, path: str, body: bytes) -> tuple[int, Endpoint | None, str | None]:
        """(status, the event called, what is wrong with the call or None)."""
        try:
            msg = json.loads(body)
        except (ValueError, RecursionError):
            return 400, None, "the body is not valid JSON"
        if not isinstance(msg, dict):
            return 400, None, "the body must be a JSON object"
        if not encodable(msg):
            return 400, None, "the body holds text that is not valid Unicode (a lone surrogate such as \\ud800)"
        if path == COMPONENT:
            known = (msg.get("component_id"), msg.get("fn_name")) in self.doors.server_fns
            return (200, None, None) if known else (404, None, "no such component function")
        if match is None or match[2] == "predict":  # the page's calls name their event by fn_index
            key = msg.get("fn_index")
            if type(key) is not int or key not in self.doors.endpoints:
                return 404, None, f"no event has fn_index {str(key)[:40]}; the endpoints are listed at /?view=api"
            if match is None and not (isinstance(msg.get("session_hash"), str) and msg["session_hash"]):
                return 400, None, "a queued call needs a session_hash: a non-empty string"
        else:
            key = match[2]
        endpoint = self.doors.endpoints.get(key)
        if endpoint is None or (match is not None and match[1] == "call/v2" and endpoint.params is None):
            return 404, None, f"no endpoint {key!r}; the endpoints are listed at /?view=api"
        if match is not None and match[1] == "call/v2":  # keyword inputs, by name
            if msg.keys() != set(endpoint.params):
                return 400, endpoint, f"this endpoint takes a JSON object with the keys {list(endpoint.params)}"
            data = [msg[p] for p in endpoint.params]
        elif isinstance(msg.get("data"), list):
            data = msg["data"]
        else:
            return 400, endpoint, 'the body must be a JSON object {"data": [inputs]}'
        return 400, endpoint, self.check_data(endpoint.allowed, data, body)

    @staticmethod
    def check_data(allowed: list[list | None], data: list, body: bytes) -> str | None:
        """What is wrong with a call's inputs, or None."""
        if "gradio.FileData" in body.decode("utf-8", "replace"):  # gradio would try to copy the named file
            return "this app takes no files: send numbers and text"
        if len(data) != len(allowed):
            return f"this endpoint takes {len(allowed)} inputs, got {len(data)}"
        for i, (value, choices) in enumerate(zip(data, allowed)):
            if choices is not None and not is_choice(value, choices):
                return f"input {i} must be one of {choices}, got {str(value)[:40]}"
        return None

    @staticmethod
    def input_errors_as_400(send):
        """A send that turns gradio's 500 for an error a handler raised on purpose (gr.Error: it has a title) into
        400."""
        start = None

        async def wrapped(message):
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 500:
                start = message  # held until the body says what kind of error it is
                return None
            if start is not None and message["type"] == "http.response.body":
                try:
                    on_purpose = "title" in json.loads(message.get("body", b"") or b"{}")
                except ValueError:
                    on_purpose = False
                await send({**start, "status": 400 if on_purpose else 500})
                start = None
            return await send(message)
        return wrapped


async def send_json(send, status: int, content: dict) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def unknown_endpoint(request, exc: FnIndexInferError) -> JSONResponse:
    """A 404 that names the problem, instead of gradio's bare 500 'Internal Server Error'."""
    return JSONResponse({"error": f"{exc}; the endpoints are listed at /?view=api"}, status_code=404)
