"""How app.py is served to a room of users: the live routes, request limits and error answers gradio does not give by itself."""
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from ae.inference import Space
from ae.live import decode_code, reconstruct_drawing

MAX_BODY_BYTES = 64 * 1024  # the largest real input (a 28x28 image as JSON) is about 20 KB
DRAIN_BYTES = 16 * 1024 * 1024  # a body declared larger than this is refused before it is read
# The live routes' own threads, few: with starlette's pool of 40, every thread that ran torch kept
# its own malloc arena and a room of users pushed the server past 800 MB.
LIVE_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="live")


class BodyLimit:
    """ASGI middleware: HTTP 413 for a POST body over max_bytes. Uploads keep gradio's own max_file_size.

    gradio keeps each call's input in its session until 10,000 sessions pile up, so one 5 MB list of
    numbers costs ~60 MB of memory for a long time; the app's largest real input is ~20 KB.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].endswith("/upload"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > DRAIN_BYTES:
            return await self.refuse(send)
        body, more = b"", True
        while more:  # read it all (at most max_bytes kept) before the app sees any of it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            if len(body) <= self.max_bytes:
                body += message.get("body", b"")
            more = message.get("more_body", False)
        if len(body) > self.max_bytes:  # refused after reading: a client still sending would see a broken pipe
            return await self.refuse(send)
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()  # then wait for the disconnect, as the app expects
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def refuse(self, send) -> None:
        body = f'{{"error": "request body too large: at most {self.max_bytes} bytes"}}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def unknown_endpoint(request, exc: FnIndexInferError) -> JSONResponse:
    """A 404 that names the problem, instead of gradio's bare 500 'Internal Server Error'."""
    return JSONResponse({"error": f"{exc}; the endpoints are listed at /?view=api"}, status_code=404)


def answer(work: Callable[[str], dict]) -> Callable:
    """A POST endpoint: the body as text to work(body) in a worker thread; HTTP 400 with the message for bad input."""
    async def endpoint(request: Request) -> JSONResponse:
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the body must be UTF-8 text"}, status_code=400)
        try:
            return JSONResponse(await asyncio.get_running_loop().run_in_executor(LIVE_WORKERS, work, body))
        except ValueError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
    return endpoint


def live_routes(spaces: dict[str, Space]) -> list[Route]:
    """The routes the page calls on every stroke and slider step, outside gradio's queue.

    Measured here, a gradio event costs 4 to 9 ms of server CPU around its handler (the queue, the
    event stream, pre- and postprocessing); a plain route about 0.5 ms. These routes are stateless,
    so no session can see another's, and they are what lets one process keep up with a room.
    """
    return [Route("/live/reconstruct", answer(lambda body: reconstruct_drawing(spaces["ae"], body)), methods=["POST"]),
            Route("/live/decode", answer(lambda body: decode_code(spaces, body)), methods=["POST"])]


def launch_settings(spaces: dict[str, Space]) -> dict:
    """Keyword arguments for demo.launch: limits for a room of users, error answers, and the live routes."""
    return dict(
        footer_links=["api"],
        run_history=False,  # with run history on, live drawing slowed down within a few strokes
        max_file_size="1mb",  # uploads: the app takes none, so anything large is refused with HTTP 413
        show_error=True,  # gradio's own input errors (wrong types, missing arguments) carry their message
        state_session_capacity=500,  # gradio's default keeps 10,000 sessions, ~150 KB each for API callers
        ssr_mode=False,  # this Python process serves the page and the live routes, on Spaces too
        app_kwargs={"routes": live_routes(spaces),
                    "middleware": [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)],
                    "exception_handlers": {FnIndexInferError: unknown_endpoint}},
    )
