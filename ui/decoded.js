// The decoder's output for the sliders' code, and the off-manifold meter: how far that code is from the
// training codes. Decoded at most once a display frame, for every slider step.
import { decode } from "./engine.js";
import { latest } from "./latest.js";
import { show } from "./paint.js";
import { on, state } from "./store.js";

function showMeter(meter, m) {
  meter.classList.toggle("warn", m.warn);
  const verdict = document.createElement("b");
  verdict.textContent = m.warn ? "⚠ off the data: no training digit has a code like this, so the decoder is guessing"
    : "among the data";
  meter.replaceChildren(verdict, document.createElement("br"),
    `nearest training code: ${m.distance.toFixed(2)} away (a ${m.digit}); farther than ` +
    `${m.percentile.toFixed(0)}% of real test digits (median ${m.typical.toFixed(2)})`);
}

// Why the decoded image is or is not the reconstruction: the sliders hold the drawing's code until one is moved.
function why() {
  const { moved } = state;
  if (!state.results) return " from the sliders' code (no drawing: each at its track's middle)";
  if (!moved.length) return " from the sliders, at your drawing's code: the reconstruction";
  const names = moved.length > 3 ? `${moved.length} numbers` : moved.map((i) => `z${i}`).join(", ");
  return ` from the sliders: ${names} moved off your drawing's code, so not the reconstruction`;
}

export function mount(element) {
  const figure = element.querySelector("#decoded");
  const meter = element.querySelector(".meter");
  const update = latest(async () => {
    const { space, z } = state;
    try {
      const out = await decode(space, z);
      show(figure, out.image, `decoded by the ${state.data.spaces[space].title}`, false, why());
      showMeter(meter, out.meter);
    } catch (err) {
      show(figure, null, "could not decode: " + err.message, true);
    }
  });
  on("z", () => update());
  if (state.z) update(); // mounted after the sliders set their first code: catch up
}
