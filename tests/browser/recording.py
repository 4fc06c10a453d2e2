"""What the page did and when, recorded in the page itself on its own clock (performance.now())."""
from playwright.sync_api import Page

# From the page's first script on: every change of the image shown in #model-input, #reconstruction and #decoded
# (the src of the first <img>, or null while its figure is .empty; with when it loaded), and every pointer press and
# release. The observer watches the whole document and re-reads the three after each batch of mutations.
RECORDER_JS = """
(() => {
  const WATCHED = ["model-input", "reconstruction", "decoded"];
  const rec = window.__rec = { changes: [], downs: [], ups: [] };
  const last = {};
  const check = () => {
    const t = performance.now();
    for (const id of WATCHED) {
      const img = document.querySelector("#" + id + " img");
      const src = img && !img.closest(".empty") ? img.getAttribute("src") : null;
      if (src !== last[id]) {
        last[id] = src;
        rec.changes.push({ id, t, src, loaded: null });
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ["src", "class"] });
  document.addEventListener("load", (e) => {  // load does not bubble: listen in the capture phase
    const t = performance.now();
    for (let i = rec.changes.length - 1; i >= 0; i--) {
      const c = rec.changes[i];
      if (c.loaded === null && c.src !== null && e.target.closest && e.target.closest("#" + c.id) &&
          e.target.getAttribute("src") === c.src) { c.loaded = t; break; }
    }
  }, true);
  addEventListener("pointerdown", () => rec.downs.push(performance.now()), true);
  addEventListener("pointerup", () => rec.ups.push(performance.now()), true);
})();
"""


def open_app(page: Page, url: str) -> None:
    """Load the app with the recorder installed; return once the canvas script has painted the first digit."""
    page.add_init_script(RECORDER_JS)
    page.goto(url)
    page.wait_for_selector("#reconstruction:not(.empty) img")
    page.wait_for_selector("#canvas .ae-clear:enabled")  # set by canvas.js once it has painted the example


def reset_recorder(page: Page) -> None:
    page.evaluate("() => { for (const k of ['changes', 'downs', 'ups']) window.__rec[k].length = 0; }")


def recorded(page: Page) -> dict:
    """{"changes": [{id, t, src, loaded}], "downs": [t], "ups": [t]} since the page loaded or reset_recorder."""
    return page.evaluate("() => window.__rec")


def wait_quiet(page: Page, quiet_ms: float = 500, timeout_ms: float = 10_000) -> None:
    """Wait until neither a pointer release nor a watched image change happened for quiet_ms."""
    page.wait_for_function("""(quiet) => {
        const r = window.__rec, now = performance.now();
        const last = Math.max(-Infinity, ...r.ups, ...r.changes.map(c => c.t));
        return now - last > quiet;
    }""", arg=quiet_ms, timeout=timeout_ms, polling=100)
