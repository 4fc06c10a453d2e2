"""The routes a page calls on every stroke and slider step when it cannot run the models itself."""
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.routing import Route

from ae.inference import Space
from ae.live import decode_code, reconstruct_drawing
from serve.busy import BUSY_MESSAGE, CALLS

# The live routes' own threads, few: each thread that runs a model keeps its own malloc arena, and with starlette's
# pool of 40 a room of users pushed the server's memory up for nothing.
LIVE_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="live")


def answer(work: Callable[[str], dict], heavy: bool = False) -> Callable:
    """A POST endpoint: the body as text to work(body) in a worker thread; HTTP 400 with the message for bad input.
    A heavy one waits its turn under serve/busy.py's bound, or is refused with 503 when too many wait."""
    async def endpoint(request: Request) -> JSONResponse:
        if heavy:
            return await CALLS.run(lambda: run(request), busy)
        return await run(request)

    async def busy() -> JSONResponse:
        return JSONResponse({"error": BUSY_MESSAGE}, status_code=503, headers={"Retry-After": "1"})

    async def run(request: Request) -> JSONResponse:
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
    return [Route("/live/reconstruct", answer(lambda body: reconstruct_drawing(spaces, body), heavy=True),
                  methods=["POST"]),
            Route("/live/decode", answer(lambda body: decode_code(spaces, body)), methods=["POST"])]
