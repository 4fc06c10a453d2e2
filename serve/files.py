"""The page's own files, served by name from a table built at start-up, and gradio's front-end files kept gzipped."""
import asyncio
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ae.config import WEIGHTS_DIR
from ae.runtime import checked, recorded_sums
from ae.inference import Assets
from ae.page import LIVE_SPACE, bottleneck_files, page_files, replay_files
from ae.registry import MODELS
from serve.guard import send_json

UI = Path(__file__).resolve().parent.parent / "ui"
VENDOR = UI / "vendor" / "onnxruntime-web"
RUNTIME = "vendor/onnxruntime-web/ort.wasm.bundle.min.mjs"  # its JavaScript: in the bundle, else served by its name
# The page's ES modules (ui/*.js), one idea each; ui/index.js gathers them, and the page imports that entry
MODULES = sorted(p.name for p in UI.glob("*.js"))
BUNDLE = UI / "dist" / "bundle.js"  # the entry and its modules as one file (ui/build.mjs), served while it is current
DIGEST = re.compile(rb"sha256 ([0-9a-f]{64})")  # in the bundle's first line: the sources it was built from
MEDIA = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".png": "image/png",
         ".svg": "image/svg+xml",
         ".onnx": "application/octet-stream", ".bin": "application/octet-stream", ".wasm": "application/wasm"}
OWNERS = {f: spec for spec in MODELS.values() for f in spec.page_onnx.values()}  # ONNX file -> the model it exports
CACHE = "public, max-age=31536000, immutable"  # the version in every URL changes whenever any file does


def accepts(headers: list[tuple[bytes, bytes]]) -> set[str]:
    """The content codings an ASGI request's Accept-Encoding names."""
    value = dict(headers).get(b"accept-encoding", b"").decode("latin-1")
    return {e.split(";")[0].strip() for e in value.split(",")}


def plain_path(path: str) -> bool:
    """True for a path with no empty, "." or ".." segment: the one spelling of a file."""
    return all(part not in ("", ".", "..") for part in path.split("/")[1:])


class GradioFiles:
    """ASGI middleware: gradio's own front-end files (/assets/, /static/) read and gzipped once each, then kept.

    gradio compresses every one of them with brotli on every request: 1.9 ms of server CPU a file, 57 files for
    a first visit, and a room loading the page at once spent most of the server's time on it. What is kept is
    bounded by gradio's own files (a 404 is not kept), and the content-hashed /assets/ are cached by browsers too.
    """

    PREFIXES = ("/assets/", "/static/")
    MAX_KEPT_BYTES = 64 * 1024 * 1024  # gradio's files, plain and gzipped, are ~20 MB: room for them, not for more

    def __init__(self, app, extra: dict[str, bytes] | None = None):
        """extra: stylesheets to serve beside gradio's own, by name under /assets/ (serve/front.py's)."""
        self.app, self.kept, self.kept_bytes = app, {}, 0
        self.filling = {}  # key -> the task reading and compressing it: a crowd asking at once waits for one
        for name, css in (extra or {}).items():
            for gzipped in (False, True):
                path = f"/assets/{name}"
                self.kept[(path, gzipped)] = self.prepare(path, {b"content-type": b"text/css"}, css, gzipped)

    async def __call__(self, scope, receive, send):
        path = scope["path"]
        if scope["type"] != "http" or scope["method"] != "GET" or not path.startswith(self.PREFIXES):
            return await self.app(scope, receive, send)
        if not plain_path(path):  # one file, one spelling: /assets/x/../F.js would be kept again under each
            return await send_json(send, 404, {"error": "no such file"})
        key = (path, "gzip" in accepts(scope["headers"]))
        if key in self.kept:
            status, (headers, body) = 200, self.kept[key]
        else:
            task = self.filling.get(key)
            if task is None:
                task = self.filling[key] = asyncio.create_task(self.fill(scope, receive, key))
                task.add_done_callback(lambda _: self.filling.pop(key, None))
            status, headers, body = await asyncio.shield(task)  # one client leaving does not cancel it for the rest
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def fill(self, scope, receive, key: tuple[str, bool]) -> tuple[int, list, bytes]:
        """The response for key, kept if it is a 200 and there is room (a 404 is not kept)."""
        status, headers, body = await self.read(scope, receive)
        if status != 200:
            return status, headers, body
        headers, body = await asyncio.to_thread(self.prepare, key[0], dict(headers), body, key[1])
        if self.kept_bytes + len(body) <= self.MAX_KEPT_BYTES:
            self.kept[key] = headers, body
            self.kept_bytes += len(body)
        return 200, headers, body

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


@dataclass(frozen=True)
class Asset:
    """One file the page loads: its bytes, content type, and compressed copies by Content-Encoding."""
    body: bytes | None  # None: only compressed copies are kept (the runtime), decompressed for a client that needs it
    media_type: str
    encoded: dict[str, bytes]  # "br" / "gzip" -> bytes


def sources_digest() -> str:
    """sha256 over each ui/*.js in name order and then the runtime's JavaScript, each as its path under ui/, a newline
    and its bytes (ui/build.mjs computes the same)."""
    h = hashlib.sha256()
    for name in [*MODULES, RUNTIME]:
        h.update(f"{name}\n".encode() + (UI / name).read_bytes())
    return h.hexdigest()


def bundle(problems: list[str]) -> dict[str, bytes]:
    """{"bundle.js": its bytes} if ui/dist/bundle.js was built from ui/*.js and the runtime as they are; else nothing,
    and a line."""
    try:
        data = BUNDLE.read_bytes()
    except OSError:
        data = b""
    built = DIGEST.search(data.split(b"\n", 1)[0])
    if built is not None and built[1].decode() == sources_digest():
        return {"bundle.js": data}
    problems.append(f"{BUNDLE} is missing or older than ui/*.js and the runtime: rebuild it with `npm ci && npm run "
                    "build` (the page loads its modules one by one meanwhile, a request each)")
    return {}


def entry(table: dict) -> str:
    """The module the page imports first: the bundle while it is current, else ui/index.js (it imports the rest)."""
    return "bundle.js" if "bundle.js" in table else "index.js"


def vendor_sums() -> dict[str, str]:
    """ui/vendor/onnxruntime-web/SHA256SUMS as name -> hex."""
    try:
        lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    except (OSError, UnicodeDecodeError):  # missing or unreadable: each file then says it has no recorded SHA-256
        lines = []
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if "  " in line)}


def page_assets(assets: Assets, weights_dir: Path = WEIGHTS_DIR) -> tuple[dict[str, Asset], list[str]]:
    """Every file the page may load, by the name it asks for, and a line for each file that is missing or corrupt.

    A file that fails its check is left out: the page then says so in one line and runs the models on the server.
    """
    section, section_onnx, problems = bottleneck_files(weights_dir)
    # the app's own code: a missing module is a broken checkout, not a fallback
    found = bundle(problems) or {name: (UI / name).read_bytes() for name in MODULES}
    found.update(page_files(assets))
    found.update(section)
    replay, replay_problems = replay_files(weights_dir, assets.examples)  # its decoders are checked there too
    found.update(replay)
    problems += replay_problems
    try:
        found["ae_figure.png"] = (weights_dir / "ae_figure.png").read_bytes()
    except FileNotFoundError:
        pass
    except OSError as e:
        problems.append(f"{weights_dir / 'ae_figure.png'} cannot be read ({e.strerror}): "
                        "rewrite it with `python train.py --reuse`")
    sums = vendor_sums()
    try:
        runtime = checked(UI / RUNTIME, sums, "ort.wasm.bundle.min.mjs")
        if "bundle.js" not in found:  # else the bundle holds it
            found["ort.wasm.bundle.min.mjs"] = runtime
        wasm = {enc: checked(VENDOR / f"ort-wasm-simd-threaded.wasm.{ext}", sums, f"ort-wasm-simd-threaded.wasm.{ext}")
                for enc, ext in (("br", "br"), ("gzip", "gz"))}
    except ValueError as e:
        problems.append(f"{e}: rebuild it with `node ui/vendor/vendor.mjs`")
        wasm = None
    onnx_sums = recorded_sums(weights_dir)  # the server's own models have read it at start: it is readable
    for name in [f for space in assets.spaces.values() for f in space.spec.page_onnx.values()] + section_onnx:
        try:
            found[name] = checked(weights_dir / name, onnx_sums, name)
        except ValueError as e:
            problems.append(f"{e}: rewrite it with `{OWNERS[name].rebuild}`")
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


def live_path(table: dict[str, Asset], assets: Assets, version: str) -> list[tuple[str, str]]:
    """What the page fetches of its own before its first reconstruction, as (URL relative to the page, Link rel and
    as): its code, the runtime and its wasm, spaces.json, and the sliders' first space's encoder and decoder. The
    engine opens the other spaces after the first reconstruction, and fetches the meter as the sliders first decode:
    announced, they would take connections and bytes from the live path."""
    onnx = assets.spaces[LIVE_SPACE].spec.page_onnx
    fetches = ["ort-wasm-simd-threaded.wasm", "spaces.json"] + [
        f for part, f in onnx.items() if f"{part}_layers" not in onnx]  # a layer export replaces its plain file
    modules = ["bundle.js"] if entry(table) == "bundle.js" else MODULES + ["ort.wasm.bundle.min.mjs"]
    return ([(f"ui/{version}/{name}", "modulepreload") for name in modules if name in table]
            + [(f"ui/{version}/{name}", "preload; as=fetch; crossorigin") for name in fetches if name in table])


def start_early(table: dict[str, Asset], version: str) -> bytes:
    """A script for the page's <head> that imports the page's code as soon as it arrives: the engine opens the
    runtime and the models while gradio loads and draws the page, instead of after the canvas is drawn (the parts'
    own imports of it then find it loaded)."""
    return f'<script type="module" async src="ui/{version}/{entry(table)}"></script>'.encode()


def link_header(path: list[tuple[str, str]]) -> bytes:
    """An HTTP Link header announcing path (URLs relative to the page): the browser fetches them while gradio
    starts."""
    return ", ".join(f"<{url}>; rel={rel}" for url, rel in path).encode()


class Announce:
    """ASGI middleware: the page's HTML response (GET /) carries a Link header naming the files of the live path, so
    they load in parallel with gradio's own start instead of one module after another, and gets head added to its
    <head>. A missing file is not named, and a preload that fails changes nothing: the page fetches what it needs as
    before."""

    def __init__(self, app, link: bytes, head: bytes = b""):
        self.app, self.link, self.head = app, link, head

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/":
            return await self.app(scope, receive, send)
        start, parts = None, []

        async def announce(message):
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 200:
                start = message  # held until the whole page is read: it is one small body
                return
            if start is None or message["type"] != "http.response.body":  # not the page (an error): as it is
                return await send(message)
            parts.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(parts).replace(b"</head>", self.head + b"</head>", 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode()),
                                             (b"link", self.link)]})
            await send({"type": "http.response.body", "body": body})
        await self.app(scope, receive, announce)
