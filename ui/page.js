// What the whole page needs once gradio has drawn it: the presenter view (?present in the address, or its button),
// Start over, and each radio choice one group, so the keyboard reaches it with one Tab and picks with the arrow keys.
import { LAID_OUT, seen, until } from "./seen.js";
import { emit, on } from "./store.js";

// An output that was made from the drawing (Interpolate, from "your drawing") no longer matches a new one: it says so
// until gradio replaces it with a new answer.
function markStale(output, text) {
  if (!output.textContent.trim() || output.querySelector(".ae-stale")) return;
  const note = document.createElement("p");
  note.className = "ae-stale";
  note.setAttribute("role", "status");
  note.textContent = text;
  (output.querySelector(".prose, .html-container") || output).prepend(note);
  const gone = new MutationObserver((changes) => { // gradio leaves a node it did not write: remove it on a new answer
    if (!changes.some((c) => [...c.addedNodes].some((n) => n !== note))) return;
    note.remove();
    gone.disconnect();
  });
  gone.observe(output, { subtree: true, childList: true });
}

// gradio names each option's input apart (five tab stops) and renames them on every change: the shared name is put
// back whenever it changes.
function groupRadios(fieldset, name) {
  const rename = () => {
    for (const input of fieldset.querySelectorAll("input[type=radio]")) if (input.name !== name) input.name = name;
  };
  rename();
  new MutationObserver(rename).observe(fieldset, { subtree: true, childList: true, attributeFilter: ["name"] });
}

// What lies below the core stays unseen (ui/app.css) until the core's parts and the examples strip are drawn, so it
// shows in its place instead of jumping. Watched once here: a :has() rule in the CSS did the same, but chromium
// re-checked it on every change of the page, and slider drags lost a third of their decodes.
const DRAWN = ["#canvas .ae-live", "#out .ae-out", ".ae-rows .z", ".ae-example"];

function revealWhenDrawn() {
  const drawn = () => DRAWN.every((selector) => document.querySelector(selector));
  until(drawn, { subtree: true, childList: true }).then(() => document.body.classList.add(LAID_OUT));
}

function present(on, button) {
  document.body.classList.toggle("present", on);
  button.textContent = on ? "Full page" : "Presenter view";
  button.setAttribute("aria-pressed", String(on));
  const url = new URL(location.href);
  if (on) url.searchParams.set("present", "");
  else url.searchParams.delete("present");
  history.replaceState(null, "", url.href.replace(/present=(&|$)/, "present$1")); // ?present, not ?present=
}

export function mount() {
  revealWhenDrawn();
  for (const img of document.querySelectorAll("img[data-src]")) seen(img).then(() => { img.src = img.dataset.src; });
  document.querySelectorAll("fieldset.block:has(input[type=radio])").forEach((f, i) => groupRadios(f, `choice-${i}`));
  const toggle = document.querySelector("#present-toggle");
  present(new URLSearchParams(location.search).has("present"), toggle);
  toggle.addEventListener("click", () => present(!document.body.classList.contains("present"), toggle));
  document.querySelector("#start-over").addEventListener("click", () => emit("start-over"));
  const interpolation = document.querySelector("#interpolation");
  on("results", () => markStale(interpolation, "Made from the drawing before your last change: press Interpolate again."));
}
