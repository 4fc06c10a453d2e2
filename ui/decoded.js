// The decoder's output for gr.HTML's js_on_load. Its value is a code, {"space": name, "z": [10 numbers]} as
// JSON, set by the sliders' input event in the page (no Python call) or by Python; each new code goes to the
// live route (POST live/decode, outside gradio's queue), which answers with the image and the meter's figures.
// gr.HTML provides: element (the component's root), props, watch.
const figure = element.querySelector("figure");
const meter = element.querySelector(".meter");
let inFlight = false;  // one request at a time; only the newest waiting code is sent
let waiting = null;

function showMeter(m) {
  meter.classList.toggle("warn", m.warn);
  const verdict = m.warn ? "⚠ off the data: no training digit has a code like this, so the decoder is guessing" : "among the data";
  const bold = document.createElement("b");
  bold.textContent = verdict;
  meter.replaceChildren(bold, document.createElement("br"),
    "nearest training code: " + m.distance.toFixed(2) + " away (a " + m.digit + "); farther than " +
    m.percentile.toFixed(0) + "% of real test digits (median " + m.typical.toFixed(2) + ")");
}

async function decode(code) {
  const caption = figure.querySelector("figcaption");
  try {
    const response = await fetch("live/decode", { method: "POST", headers: { "Content-Type": "application/json" }, body: code });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
    figure.querySelector("img").src = answer.image;
    figure.classList.remove("empty", "failed");
    caption.textContent = "decoded by the " + answer.title;
    showMeter(answer);
  } catch (err) {
    figure.classList.add("failed");
    caption.textContent = "could not decode: " + err.message;
  }
}

async function live(code) {
  waiting = code;
  if (inFlight) return;
  inFlight = true;
  while (waiting !== null) {
    const next = waiting;
    waiting = null;
    if (next) await decode(next);
  }
  inFlight = false;
}

watch("value", () => live(props.value));
live(props.value);
