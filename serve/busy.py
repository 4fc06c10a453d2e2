"""A bound on how many heavy calls (a drawing prepared, an interpolation, samples decoded and judged) run at once:
beyond it a caller is told at once that the server is busy, instead of joining a pile that holds memory and time."""
import asyncio
from collections.abc import Awaitable, Callable

HEAVY_AT_ONCE = 4  # two cores: four calls in flight keep both busy; 40 at once only held memory behind them
# calls that wait for a turn (each holds only its body): a burst of presses is served, not refused. 500 users loading
# the page and pressing a button every 10 s had 48 of 2,161 presses refused at 16, none at 48 (p95 375-447 ms)
HEAVY_WAITING = 48
HEAVY = {"prepare", "interpolate", "sample", "prior"}  # gradio's endpoints, by API name, that count
MAX_QUEUED = 64  # queued calls (gradio_client, notebooks) waiting in gradio's queue; each holds its input
BUSY_MESSAGE = "the server is busy with other drawings: try again in a moment"


class Busy:
    """At most limit heavy calls running and waiting more waiting their turn, on the event loop; the rest refused."""

    def __init__(self, limit: int, waiting: int):
        self.slots, self.capacity, self.inside = asyncio.Semaphore(limit), limit + waiting, 0

    async def run(self, work: Callable[[], Awaitable], refuse: Callable[[], Awaitable]):
        """await work() once a slot is free, or await refuse() at once if too many are running and waiting."""
        if self.inside >= self.capacity:
            return await refuse()
        self.inside += 1
        try:
            async with self.slots:
                return await work()
        finally:
            self.inside -= 1


CALLS = Busy(HEAVY_AT_ONCE, HEAVY_WAITING)  # shared by gradio's direct calls and the live routes
