"""A bound on how many heavy calls (a drawing prepared, an interpolation, samples decoded and judged) run at once:
beyond it a caller is told at once that the server is busy, instead of joining a pile that holds memory and time."""
from collections.abc import Awaitable, Callable

HEAVY_AT_ONCE = 4  # two cores: four calls in flight keep both busy; 40 at once only queued memory behind them
HEAVY = {"prepare", "interpolate", "sample", "prior"}  # gradio's endpoints, by API name, that count
MAX_QUEUED = 64  # queued calls (gradio_client, notebooks) waiting in gradio's queue; each holds its input
BUSY_MESSAGE = "the server is busy with other drawings: try again in a moment"


class Busy:
    """A count of heavy calls in flight on the event loop (one thread: no lock needed)."""

    def __init__(self, limit: int):
        self.limit, self.running = limit, 0

    async def run(self, work: Callable[[], Awaitable], refuse: Callable[[], Awaitable]):
        """await work() if fewer than limit calls are running, else await refuse()."""
        if self.running >= self.limit:
            return await refuse()
        self.running += 1
        try:
            return await work()
        finally:
            self.running -= 1


CALLS = Busy(HEAVY_AT_ONCE)  # shared by gradio's direct calls and the live routes
