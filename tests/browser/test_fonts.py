"""Every weight of text on the page is drawn by one complete typeface served by the app, never patched by a fallback."""
from playwright.sync_api import Page

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# For each (family, weight) the page's text uses: the width of every letter with two different fallbacks behind
# the family. A letter the family's file lacks is drawn by the fallback, so its two widths differ.
MISSING_JS = """async (letters) => {
  const used = new Set();
  for (const e of document.querySelectorAll("body *")) {
    if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(e);
    used.add(s.fontFamily.split(",")[0].trim().replace(/['"]/g, "") + "|" + s.fontWeight);
  }
  const ctx = document.createElement("canvas").getContext("2d");
  const width = (font, ch) => { ctx.font = font; return ctx.measureText(ch).width; };
  const out = {};
  for (const key of used) {
    const [family, weight] = key.split("|");
    await document.fonts.load(`${weight} 40px "${family}"`, letters);
    const missing = [...letters].filter((ch) =>
      width(`${weight} 40px "${family}", monospace`, ch) !== width(`${weight} 40px "${family}", serif`, ch));
    out[key] = missing.join("");
  }
  return out;
}"""


def test_every_weight_holds_every_letter(app_page: Page):
    missing = app_page.evaluate(MISSING_JS, LETTERS)
    assert any(k.endswith("|700") or k.endswith("|600") for k in missing), f"no bold text found: {missing}"
    assert {k: v for k, v in missing.items() if v} == {}, "letters drawn by a fallback typeface, by family|weight"


def test_the_fonts_come_from_the_app_itself(app_page: Page):
    urls = app_page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"
                             ".filter((n) => /[.]woff2?$/.test(n))")
    assert urls, "the page loaded no font of its own"
    assert all(u.startswith(app_page.url.split("?")[0].rstrip("/")) for u in urls), urls
