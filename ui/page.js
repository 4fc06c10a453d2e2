// What the whole page needs once gradio has drawn it: the presenter view (?present in the address, or its button),
// Start over, and each radio choice one group, so the keyboard reaches it with one Tab and picks with the arrow keys.
import { emit } from "./store.js";

// gradio names each option's input apart (five tab stops) and renames them on every change: the shared name is put
// back whenever it changes.
function groupRadios(fieldset, name) {
  const rename = () => {
    for (const input of fieldset.querySelectorAll("input[type=radio]")) if (input.name !== name) input.name = name;
  };
  rename();
  new MutationObserver(rename).observe(fieldset, { subtree: true, childList: true, attributeFilter: ["name"] });
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
  document.querySelectorAll("fieldset.block:has(input[type=radio])").forEach((f, i) => groupRadios(f, `choice-${i}`));
  const toggle = document.querySelector("#present-toggle");
  present(new URLSearchParams(location.search).has("present"), toggle);
  toggle.addEventListener("click", () => present(!document.body.classList.contains("present"), toggle));
  document.querySelector("#start-over").addEventListener("click", () => emit("start-over"));
}
