"""How app.py is served to a room of users: request limits and error answers gradio does not give by itself."""
from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError
from starlette.middleware import Middleware

MAX_BODY_BYTES = 64 * 1024  # the largest real input (a 28x28 image as JSON) is about 20 KB


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
        if not declared.isdigit() or int(declared) > self.max_bytes:
            return await self.refuse(send)
        body, more = b"", True
        while more:  # read it all (at most max_bytes) before the app sees any of it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
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


LAUNCH = dict(
    footer_links=["api"],
    run_history=False,  # with run history on, live drawing slowed down within a few strokes
    max_file_size="1mb",  # uploads: the app takes none, so anything large is refused with HTTP 413
    show_error=True,  # gradio's own input errors (wrong types, missing arguments) carry their message
    state_session_capacity=500,  # gradio's default keeps 10,000 sessions, ~150 KB each for API callers
    app_kwargs={"middleware": [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)],
                "exception_handlers": {FnIndexInferError: unknown_endpoint}},
)
