"""What the page did and when, recorded in the page itself on its own clock (performance.now()), and a way to
read the page's own modules."""
import numpy as np
from playwright.sync_api import Page

# From the page's first script on: every image painted into a figure with an id (#model-input, #reconstruction,
# #decoded, ...: the page paints 28x28 canvases with putImageData), every pointer press and release, and the last move.
RECORDER_JS = """
(() => {
  const rec = window.__rec = { paints: [], downs: [], ups: [], moved: 0 };
  const put = CanvasRenderingContext2D.prototype.putImageData;
  CanvasRenderingContext2D.prototype.putImageData = function (...args) {
    put.apply(this, args);
    const figure = this.canvas.closest("figure[id]");
    if (figure) rec.paints.push({ id: figure.id, t: performance.now() });
  };
  addEventListener("pointerdown", () => rec.downs.push(performance.now()), true);
  addEventListener("pointerup", () => rec.ups.push(performance.now()), true);
  addEventListener("pointermove", () => { rec.moved = performance.now(); }, true);
})();
"""

# The URL of the page's code (ui/<version>/bundle.js, or ui/index.js unbundled), from the resources it has loaded.
ENTRY_URL = ("performance.getEntriesByType('resource').map((e) => e.name)"
             ".find((n) => /[/]ui[/][0-9a-f]{12}[/](bundle|index)[.]js$/.test(n))")


def open_app(page: Page, url: str) -> None:
    """Load the app with the recorder installed; return once the page has reconstructed its first digit."""
    page.add_init_script(RECORDER_JS)
    page.goto(url)
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.wait_for_selector("#canvas .ae-clear:enabled")


def reset_recorder(page: Page) -> None:
    page.evaluate("() => { for (const k of ['paints', 'downs', 'ups']) window.__rec[k].length = 0; }")


def recorded(page: Page) -> dict:
    """{"paints": [{id, t}], "downs": [t], "ups": [t], "moved": t} since the page loaded or reset_recorder."""
    return page.evaluate("() => window.__rec")


def wait_quiet(page: Page, quiet_ms: float = 500, timeout_ms: float = 10_000) -> None:
    """Wait until neither a pointer release nor a paint happened for quiet_ms."""
    page.wait_for_function("""(quiet) => {
        const r = window.__rec, now = performance.now();
        const last = Math.max(-Infinity, ...r.ups, ...r.paints.map(p => p.t));
        return now - last > quiet;
    }""", arg=quiet_ms, timeout=timeout_ms, polling=50)


def in_page(page: Page, body: str, arg=None):
    """Run an async function body in the page with mod(name) giving the page's own module ui/<name> (the very
    instances its components use) and arg as given; returns what the body returns."""
    return page.evaluate(f"async (arg) => {{ const mod = async (name) => (await import({ENTRY_URL})).modules[name];\n"
                         f"{body} }}", arg)


def shown(page: Page, figure: str) -> np.ndarray | None:
    """The 28x28 picture a figure (#model-input, #reconstruction, #decoded, ...) shows, in [0, 1]; None if blank."""
    data = page.evaluate("""(sel) => {
        const f = document.querySelector(sel);
        if (!f || f.classList.contains("empty")) return null;
        const c = f.querySelector("canvas");
        return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
    }""", figure)
    return None if data is None else np.array(data, dtype=np.float64).reshape(28, 28) / 255
