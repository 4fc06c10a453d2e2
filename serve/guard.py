"""Request limits and error answers gradio does not give by itself: a bounded body for every POST, calls checked
before gradio sees them, a 404 that names an unknown endpoint."""
import json
import re
from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError

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


CALL = re.compile(r"^/gradio_api/(?:run|call)/([A-Za-z0-9_-]+)/?$")  # a direct or a queued call by API name
STREAM = re.compile(r"^/gradio_api/call/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$")  # a queued call's event stream
JOIN = "/gradio_api/queue/join"  # the page's queued calls, by fn_index


@dataclass(frozen=True)
class Endpoint:
    """One event of the app: its API name and, per input, the values it allows (a choice's) or None (any)."""
    name: str
    allowed: list[list | None]


def api_inputs(demo) -> dict[str | int, Endpoint]:
    """Each event of demo, by API name and by fn_index."""
    table = {}
    for index, fn in demo.fns.items():
        allowed = [[v for _, v in c.choices] if getattr(c, "choices", None) else None for c in fn.inputs]
        table[index] = table[fn.api_name] = Endpoint(fn.api_name, allowed)
    return table


class GradioCalls:
    """ASGI middleware for gradio's own endpoints, which answer some bad input with HTTP 500 and a traceback in its log.

    A call whose inputs are the wrong number, or a value outside a choice's list, is refused with 400 and a message
    before gradio sees it; an input error a handler raises (gr.Error) on a direct call (/gradio_api/run/) is 400.
    """

    def __init__(self, app, inputs: dict[str | int, Endpoint]):
        self.app, self.inputs = app, inputs

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and STREAM.match(scope["path"]):
            return await self.stream(scope, receive, send)
        match = CALL.match(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if match is None and not (scope["type"] == "http" and scope["path"] == JOIN):
            return await self.app(scope, receive, send)
        body = await read_body(receive, DRAIN_BYTES)  # BodyLimit has bounded it
        if body is None:
            return
        endpoint, problem = self.check(match[1] if match else None, body)
        if problem:
            return await send_json(send, 400, {"error": problem})
        direct = scope["path"].startswith("/gradio_api/run/")

        async def work():
            await self.app(scope, replay(body, receive), self.input_errors_as_400(send) if direct else send)
        if direct and endpoint is not None and endpoint.name in HEAVY:  # a queued call waits in gradio's queue instead
            return await CALLS.run(work, lambda: send_json(send, 503, {"error": BUSY_MESSAGE}))
        await work()

    async def stream(self, scope, receive, send):
        """gradio answers an unknown event id with an error event, then raises its 404 into a response already
        begun: the client has its answer, so that exception ends the stream instead of the log's traceback."""
        try:
            await self.app(scope, receive, send)
        except RuntimeError as e:
            if not isinstance(e.__cause__, HTTPException):
                raise

    def check(self, name: str | None, body: bytes) -> tuple[Endpoint | None, str | None]:
        """The endpoint called and what is wrong with its inputs, or None (gradio answers a body it cannot parse
        with 400 itself)."""
        try:
            msg = json.loads(body)
        except (ValueError, RecursionError):
            return None, None
        if not isinstance(msg, dict) or not isinstance(msg.get("data"), list):
            return None, None
        key = msg.get("fn_index") if name in (None, "predict") else name
        endpoint = self.inputs.get(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else None
        if endpoint is None:
            return None, None
        return endpoint, self.check_data(endpoint.allowed, msg["data"], body)

    @staticmethod
    def check_data(allowed: list[list | None], data: list, body: bytes) -> str | None:
        """What is wrong with a call's inputs, or None."""
        if "gradio.FileData" in body.decode("utf-8", "replace"):  # gradio would try to copy the named file
            return "this app takes no files: send numbers and text"
        if len(data) != len(allowed):
            return f"this endpoint takes {len(allowed)} inputs, got {len(data)}"
        for i, (value, choices) in enumerate(zip(data, allowed)):
            if choices is not None and (isinstance(value, bool) or value not in choices):
                return f"input {i} must be one of {choices}, got {str(value)[:40]}"
        return None

    @staticmethod
    def input_errors_as_400(send):
        """A send that turns gradio's 500 for an error a handler raised on purpose (gr.Error: it has a title) into 400."""
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
