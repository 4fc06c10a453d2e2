"""How app.py is served to a room of users: the page's own files, the live routes for pages that cannot run the
models, request limits and error answers gradio does not give by itself."""
import asyncio
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from gradio.route_utils import FnIndexInferError
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ae.config import WEIGHTS_DIR
from ae.export import MANIFEST
from ae.inference import Assets, Space
from ae.live import decode_code, reconstruct_drawing
from ae.page import bottleneck_files, page_files

UI = Path(__file__).resolve().parent / "ui"
VENDOR = UI / "vendor" / "onnxruntime-web"
# The page's ES modules (ui/*.js), one idea each; the gr.HTML components import them through asset_route.
MODULES = ["store.js", "engine.js", "remote.js", "prepare.js", "meter.js", "latest.js", "paint.js",
           "canvas.js", "sliders.js", "decoded.js", "compare.js", "latent-map.js", "examples.js", "bottleneck.js", "planes.js",
           "page.js"]
MEDIA = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".png": "image/png",
         ".svg": "image/svg+xml",
         ".onnx": "application/octet-stream", ".bin": "application/octet-stream", ".wasm": "application/wasm"}
CACHE = "public, max-age=31536000, immutable"  # the version in every URL changes whenever any file does

MAX_BODY_BYTES = 96 * 1024  # the largest real input, a drawing of 4,000 points with Interpolate, is about 60 KB
DRAIN_BYTES = 16 * 1024 * 1024  # a body declared larger than this is refused before it is read
# The live routes' own threads, few: with starlette's pool of 40, every thread that ran torch kept
# its own malloc arena and a room of users pushed the server past 800 MB.
LIVE_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="live")


class BodyLimit:
    """ASGI middleware: HTTP 413 for a POST body over max_bytes. Uploads keep gradio's own max_file_size.

    gradio keeps each call's input in its session until 10,000 sessions pile up, so one 5 MB list of
    numbers costs ~60 MB of memory for a long time; the app's largest real input is ~60 KB.
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
        await send_json(send, 413, {"error": f"request body too large: at most {self.max_bytes} bytes"})


def accepts(headers: list[tuple[bytes, bytes]]) -> set[str]:
    """The content codings an ASGI request's Accept-Encoding names."""
    value = dict(headers).get(b"accept-encoding", b"").decode("latin-1")
    return {e.split(";")[0].strip() for e in value.split(",")}


class GradioFiles:
    """ASGI middleware: gradio's own front-end files (/assets/, /static/) read and gzipped once each, then kept.

    gradio compresses every one of them with brotli on every request: 1.9 ms of server CPU a file, 57 files for
    a first visit, and a room loading the page at once spent most of the server's time on it. What is kept is
    bounded by gradio's own files (a 404 is not kept), and the content-hashed /assets/ are cached by browsers too.
    """

    PREFIXES = ("/assets/", "/static/")

    def __init__(self, app):
        self.app, self.kept = app, {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.PREFIXES):
            return await self.app(scope, receive, send)
        gzipped = "gzip" in accepts(scope["headers"])
        key = (scope["path"], gzipped)
        if key not in self.kept:
            status, headers, body = await self.read(scope, receive)
            if status != 200:
                await send({"type": "http.response.start", "status": status, "headers": headers})
                return await send({"type": "http.response.body", "body": body})
            self.kept[key] = await asyncio.to_thread(self.prepare, scope["path"], dict(headers), body, gzipped)
        headers, body = self.kept[key]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def read(self, scope, receive) -> tuple[int, list, bytes]:
        """The inner app's whole response: status, headers and body (as chunks, never as a path to send)."""
        parts, start = [], {}

        async def collect(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        plain = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]  # the file as it is on disk
        await self.app({**scope, "headers": plain, "extensions": {}}, receive, collect)
        return start["status"], start.get("headers", []), b"".join(parts)

    @staticmethod
    def prepare(path: str, headers: dict[bytes, bytes], body: bytes, gzipped: bool) -> tuple[list, bytes]:
        media = headers.get(b"content-type", b"application/octet-stream")
        out = [(b"content-type", media), (b"vary", b"Accept-Encoding"),
               (b"cache-control", CACHE.encode() if path.startswith("/assets/") else b"public, max-age=86400")]
        if gzipped and media.split(b";")[0] in (b"text/javascript", b"application/javascript", b"text/css",
                                                   b"application/json", b"image/svg+xml", b"text/html"):
            body = gzip.compress(body, 6, mtime=0)
            out.append((b"content-encoding", b"gzip"))
        return out + [(b"content-length", str(len(body)).encode())], body


CALL = re.compile(r"^/gradio_api/(?:run|call)/([A-Za-z0-9_-]+)/?$")  # a direct or a queued call by API name
STREAM = re.compile(r"^/gradio_api/call/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$")  # a queued call's event stream
JOIN = "/gradio_api/queue/join"  # the page's queued calls, by fn_index


def api_inputs(demo) -> dict[str | int, list[list | None]]:
    """Each event of demo, by API name and by fn_index: per input, the values it allows (a choice's) or None (any)."""
    table = {}
    for index, fn in demo.fns.items():
        allowed = [[v for _, v in c.choices] if getattr(c, "choices", None) else None for c in fn.inputs]
        table[index] = table[fn.api_name] = allowed
    return table


class GradioCalls:
    """ASGI middleware for gradio's own endpoints, which answer some bad input with HTTP 500 and a traceback in its log.

    A call whose inputs are the wrong number, or a value outside a choice's list, is refused with 400 and a message
    before gradio sees it; an input error a handler raises (gr.Error) on a direct call (/gradio_api/run/) is 400.
    """

    def __init__(self, app, inputs: dict[str | int, list[list | None]]):
        self.app, self.inputs = app, inputs

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and STREAM.match(scope["path"]):
            return await self.stream(scope, receive, send)
        match = CALL.match(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if match is None and not (scope["type"] == "http" and scope["path"] == JOIN):
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:  # BodyLimit has bounded it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body, more = body + message.get("body", b""), message.get("more_body", False)
        problem = self.check(match[1] if match else None, body)
        if problem:
            return await send_json(send, 400, {"error": problem})
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        direct = scope["path"].startswith("/gradio_api/run/")
        await self.app(scope, replay, self.input_errors_as_400(send) if direct else send)

    async def stream(self, scope, receive, send):
        """gradio answers an unknown event id with an error event, then raises its 404 into a response already
        begun: the client has its answer, so that exception ends the stream instead of the log's traceback."""
        try:
            await self.app(scope, receive, send)
        except RuntimeError as e:
            if not isinstance(e.__cause__, HTTPException):
                raise

    def check(self, name: str | None, body: bytes) -> str | None:
        """What is wrong with a call's inputs, or None (gradio answers a body it cannot parse with 400 itself)."""
        try:
            msg = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(msg, dict) or not isinstance(msg.get("data"), list):
            return None
        key = msg.get("fn_index") if name in (None, "predict") else name
        allowed = self.inputs.get(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else None
        if allowed is None:
            return None
        data = msg["data"]
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
    """The routes a page calls on every stroke and slider step when it cannot run the models itself.

    Outside gradio's queue: measured here, a gradio event costs 4 to 9 ms of server CPU around its handler,
    a plain route about 0.5 ms. They are stateless, so no session can see another's.
    """
    return [Route("/live/reconstruct", answer(lambda body: reconstruct_drawing(spaces, body)), methods=["POST"]),
            Route("/live/decode", answer(lambda body: decode_code(spaces, body)), methods=["POST"])]


@dataclass(frozen=True)
class Asset:
    """One file the page loads: its bytes, content type, and compressed copies by Content-Encoding."""
    body: bytes | None  # None: only compressed copies are kept (the runtime), decompressed for a client that needs it
    media_type: str
    encoded: dict[str, bytes]  # "br" / "gzip" -> bytes


def checked(path: Path, sums: dict[str, str], name: str) -> bytes:
    """The bytes of path if their SHA-256 is the one recorded under name; ValueError saying what is wrong."""
    if name not in sums:
        raise ValueError(f"{path} has no recorded SHA-256")
    if not path.is_file():
        raise ValueError(f"{path} is missing")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sums[name]:
        raise ValueError(f"{path} does not match its recorded SHA-256 (truncated or edited)")
    return data


def vendor_sums() -> dict[str, str]:
    """ui/vendor/onnxruntime-web/SHA256SUMS as name -> hex."""
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines() if (VENDOR / "SHA256SUMS").is_file() else []
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if "  " in line)}


def rewrite_command(onnx_name: str) -> str:
    """The train.py command that writes an ONNX file again: ae_d2_encoder.onnx -> ... --model ae --latent-dim 2 --reuse."""
    parts = onnx_name.removesuffix(".onnx").split("_")[:-1]  # ["pca"], ["vae"] or ["ae", "d2"]
    size = f" --latent-dim {parts[1][1:]}" if len(parts) == 2 else ""
    return f"python train.py --model {'ae' if parts[0] == 'pca' else parts[0]}{size} --reuse"


def page_assets(assets: Assets, weights_dir: Path = WEIGHTS_DIR) -> tuple[dict[str, Asset], list[str]]:
    """Every file the page may load, by the name it asks for, and a line for each file that is missing or corrupt.

    A file that fails its check is left out: the page then says so in one line and runs the models on the server.
    """
    problems, found = [], {}
    for name in MODULES:
        found[name] = (UI / name).read_bytes()  # the app's own code: a missing module is a broken checkout, not a fallback
    found.update(page_files(assets))
    section, section_onnx = bottleneck_files(weights_dir)
    found.update(section)
    if (weights_dir / "ae_figure.png").is_file():
        found["ae_figure.png"] = (weights_dir / "ae_figure.png").read_bytes()
    sums = vendor_sums()
    try:
        found["ort.wasm.bundle.min.mjs"] = checked(VENDOR / "ort.wasm.bundle.min.mjs", sums, "ort.wasm.bundle.min.mjs")
        wasm = {enc: checked(VENDOR / f"ort-wasm-simd-threaded.wasm.{ext}", sums, f"ort-wasm-simd-threaded.wasm.{ext}")
                for enc, ext in (("br", "br"), ("gzip", "gz"))}
    except ValueError as e:
        problems.append(f"{e}: rebuild it with `node ui/vendor/vendor.mjs`")
        wasm = None
    manifest = weights_dir / MANIFEST
    onnx_sums = json.loads(manifest.read_text()) if manifest.is_file() else {}
    for name in [f"{space}_{part}.onnx" for space in assets.spaces for part in ("encoder", "decoder")] + section_onnx:
        try:
            found[name] = checked(weights_dir / name, onnx_sums, name)
        except ValueError as e:
            problems.append(f"{e}: rewrite it with `{rewrite_command(name)}`")
    table = {name: Asset(data, MEDIA[Path(name).suffix], {"gzip": gzip.compress(data, 6, mtime=0)})
             for name, data in found.items()}
    if wasm is not None:
        table["ort-wasm-simd-threaded.wasm"] = Asset(None, MEDIA[".wasm"], wasm)
    return table, problems


def version_of(table: dict[str, Asset]) -> str:
    """A short digest of every file's bytes: part of each URL, so a changed file is never served from a cache."""
    h = hashlib.sha256()
    for name in sorted(table):
        a = table[name]
        h.update(name.encode() + hashlib.sha256(a.body if a.body is not None else a.encoded["gzip"]).digest())
    return h.hexdigest()[:12]


def asset_route(table: dict[str, Asset], version: str) -> Route:
    """GET /ui/<version>/<name>: only the names in table, only the current version; 404 for anything else."""
    async def endpoint(request: Request) -> Response:
        asset = table.get(request.path_params["name"])
        if asset is None or request.path_params["version"] != version:
            return JSONResponse({"error": "no such file"}, status_code=404)
        accepted = accepts(request.scope["headers"])
        headers = {"Cache-Control": CACHE, "Vary": "Accept-Encoding", "X-Content-Type-Options": "nosniff"}
        encoding = next((e for e in ("br", "gzip") if e in accepted and e in asset.encoded), None)
        if encoding is not None:
            headers["Content-Encoding"] = encoding
            return Response(asset.encoded[encoding], media_type=asset.media_type, headers=headers)
        body = asset.body if asset.body is not None else gzip.decompress(asset.encoded["gzip"])
        return Response(body, media_type=asset.media_type, headers=headers)
    return Route("/ui/{version}/{name}", endpoint, methods=["GET"])


def launch_settings(spaces: dict[str, Space], table: dict[str, Asset], version: str, inputs: dict) -> dict:
    """Keyword arguments for demo.launch: limits for a room of users, error answers, the page's files and the live routes."""
    return dict(
        footer_links=["api"],
        run_history=False,  # with run history on, live drawing slowed down within a few strokes
        max_file_size="1mb",  # uploads: the app takes none, so anything large is refused with HTTP 413
        show_error=True,  # gradio's own input errors (wrong types, missing arguments) carry their message
        state_session_capacity=500,  # gradio's default keeps 10,000 sessions, ~150 KB each for API callers
        ssr_mode=False,  # this Python process serves the page and the live routes, on Spaces too
        app_kwargs={"routes": [asset_route(table, version), *live_routes(spaces)],
                    # the page itself (gradio's config of every component) is 150 KB of text: about 25 KB gzipped
                    "middleware": [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES), Middleware(GradioCalls, inputs=inputs),
                                   Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6), Middleware(GradioFiles)],
                    "exception_handlers": {FnIndexInferError: unknown_endpoint}},
    )
