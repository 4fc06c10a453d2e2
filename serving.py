"""How app.py is served to a room of users: the launch settings that put the page's files (serve/files.py), the live
routes (serve/live.py) and the request limits and error answers (serve/guard.py) in front of gradio."""
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from ae.inference import Assets
from serve.files import Announce, Asset, GradioFiles, asset_route, link_header, live_path, start_early
from serve.front import front_end, head
from serve.guard import MAX_BODY_BYTES, BodyLimit, FnIndexInferError, GradioCalls, unknown_endpoint
from serve.live import live_routes


def launch_settings(assets: Assets, table: dict[str, Asset], version: str, inputs: dict) -> dict:
    """Keyword arguments for demo.launch: limits for a room of users, error answers, the page's files and the live
    routes."""
    front = front_end({c["type"] for c in inputs.demo.get_config_file()["components"]})  # None: as gradio loads it
    scripts = [(f"assets/{f}", "modulepreload") for f in front.scripts] if front else []
    return dict(
        footer_links=["api"],
        run_history=False,  # with run history on, live drawing slowed down within a few strokes
        max_file_size="1mb",  # uploads: the app takes none, so anything large is refused with HTTP 413
        show_error=True,  # gradio's own input errors (wrong types, missing arguments) carry their message
        state_session_capacity=500,  # gradio's default keeps 10,000 sessions, ~150 KB each for API callers
        ssr_mode=False,  # this Python process serves the page and the live routes, on Spaces too
        app_kwargs={"routes": [asset_route(table, version), *live_routes(assets.spaces)],
                    # the page itself (gradio's config of every component) is 150 KB of text: about 25 KB gzipped
                    "middleware": [Middleware(BodyLimit, max_bytes=MAX_BODY_BYTES),
                                   Middleware(GradioCalls, inputs=inputs),
                                   Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
                                   Middleware(GradioFiles, extra={front.name: front.css} if front else None),
                                   Middleware(Announce, link=link_header(live_path(table, assets, version) + scripts),
                                              head=(head(front) if front else b"") + start_early(table, version))],
                    "exception_handlers": {FnIndexInferError: unknown_endpoint}},
    )
