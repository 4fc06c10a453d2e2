// The latent sliders: one per dimension of the chosen model's code, each track a histogram of where the training
// codes lie. Every change sets the store's code and tells the decoder panel and the map; a finished drawing moves
// the sliders to its code. Arrow keys step 2% of a slider's range, Page Up and Page Down 10%, Home and End to its ends.
// Under each track, a strip of what that number does (ui/sweep.js).
import { ready } from "./engine.js";
import { emit, on, state } from "./store.js";
import { makeStrip, refresh, watch } from "./sweep.js";

const STEPS = { ArrowRight: 0.02, ArrowUp: 0.02, ArrowLeft: -0.02, ArrowDown: -0.02, PageUp: 0.1, PageDown: -0.1 };

function histogram(counts) {
  const peak = Math.max(...counts, 1);
  const w = 200 / counts.length;
  const bars = counts.map((c, i) => c ? `<rect x="${(i * w).toFixed(2)}" y="${(24 * (1 - c / peak)).toFixed(2)}" ` +
    `width="${w.toFixed(2)}" height="${(24 * c / peak).toFixed(2)}"/>` : "").join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 24" preserveAspectRatio="none">` +
    `<g fill="#9aa5b1">${bars}</g></svg>`;
  return `url("data:image/svg+xml;base64,${btoa(svg)}")`;
}

export function mount(element) {
  const fieldset = element.querySelector(".ae-space");
  const rows = element.querySelector(".ae-rows");
  const back = element.querySelector(".ae-back");
  const note = element.querySelector(".ae-slider-note");
  const sweepNote = element.querySelector(".ae-sweep-note");
  let inputs = []; // per dimension: {range, number, reset}

  const info = () => state.data.spaces[state.space];
  const drawn = () => state.results && Array.from(state.results[state.space].code);
  const clamp = (v, i) => Math.min(Math.max(v, info().lo[i]), info().hi[i]);

  function set(z) {
    state.z = z;
    z.forEach((v, i) => {
      inputs[i].range.value = v;
      inputs[i].number.value = v.toFixed(2);
    });
    const code = drawn();
    inputs.forEach((input, i) => { input.reset.disabled = !code || clamp(code[i], i) === z[i]; });
    state.moved = inputs.flatMap((input, i) => input.reset.disabled ? [] : [i]);
    back.disabled = !code;
    note.textContent = "";
    emit("z");
    refresh();
  }

  function setOne(i, v) {
    const z = state.z.slice();
    z[i] = clamp(v, i);
    set(z);
  }

  function build() {
    const { lo, hi, hist, dim } = info();
    rows.replaceChildren();
    const strips = [];
    inputs = Array.from({ length: dim }, (_, i) => {
      const row = document.createElement("div");
      row.className = "z";
      row.id = `z${i}`;
      row.innerHTML = `<label for="z${i}-range">z${i}</label>` +
        `<input type="range" id="z${i}-range" min="${lo[i]}" max="${hi[i]}" step="any">` +
        `<input type="number" min="${lo[i]}" max="${hi[i]}" step="0.01" aria-label="z${i} value">` +
        `<button type="button" class="reset" title="z${i} back to the drawing's value" aria-label="z${i} back to the drawing's value">↺</button>`;
      const input = { range: row.children[1], number: row.children[2], reset: row.children[3] };
      const strip = makeStrip(i);
      row.append(strip.element);
      strips.push(strip);
      input.range.style.background = histogram(hist[i]);
      input.range.addEventListener("input", () => setOne(i, parseFloat(input.range.value)));
      input.range.addEventListener("keydown", (e) => {
        const span = hi[i] - lo[i];
        const target = e.key in STEPS ? state.z[i] + STEPS[e.key] * span
          : e.key === "Home" ? lo[i] : e.key === "End" ? hi[i] : null;
        if (target === null) return;
        e.preventDefault();
        setOne(i, target);
      });
      input.number.addEventListener("change", () => {
        const v = parseFloat(input.number.value);
        if (!Number.isFinite(v)) {
          input.number.value = state.z[i].toFixed(2);
          note.textContent = `z${i} takes a number from ${lo[i].toFixed(2)} to ${hi[i].toFixed(2)}.`;
          return;
        }
        setOne(i, v);
        if (clamp(v, i) !== v) {
          note.textContent = `z${i} goes from ${lo[i].toFixed(2)} to ${hi[i].toFixed(2)}: set to ${state.z[i].toFixed(2)}.`;
        }
      });
      input.reset.addEventListener("click", () => setOne(i, drawn()[i]));
      rows.append(row);
      return input;
    });
    watch(strips, sweepNote);
  }

  function toDrawing() {
    const code = drawn();
    set(code ? code.map(clamp) : info().lo.map((l, i) => (l + info().hi[i]) / 2)); // no drawing: the box's centre
  }

  back.addEventListener("click", toDrawing);
  on("results", toDrawing);

  ready.then(() => {
    for (const [name, s] of Object.entries(state.data.spaces)) {
      const label = document.createElement("label");
      label.innerHTML = `<input type="radio" name="ae-space" value="${name}"> ${s.title}`;
      const radio = label.firstChild;
      radio.checked = name === state.space;
      radio.addEventListener("change", () => {
        state.space = name;
        build();
        toDrawing();
        emit("space");
      });
      fieldset.append(label);
    }
    build();
    if (state.z === null) toDrawing();
  });
}
