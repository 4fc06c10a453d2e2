// What each number does: under each slider, what the decoder draws as that one number sweeps its range with the other
// numbers held at the slider code. One strip is decoded a display frame (every other frame while the code keeps
// changing), the longest-stale first, so a slider drag keeps its own decode every frame while the strips catch up.
import { decodeAll } from "./engine.js";
import { latest } from "./latest.js";
import { SIDE, paint } from "./paint.js";
import { state } from "./store.js";

export const STEPS = 7; // images a strip: image j is the decode at the middle of the track's j-th seventh

let strips = []; // per dimension: {element, canvases, made: the code it was decoded for, or null}
let note = null; // where a strip that cannot be decoded says why
let turn = 0; // the strip to look at first next time, so every stale strip gets its turn

// Dimension i's sweep of code z over [lo, hi]: STEPS codes (Float32Array, STEPS * dim), all but z[i] held.
function sweepCodes(z, i, lo, hi) {
  const codes = new Float32Array(STEPS * z.length);
  for (let j = 0; j < STEPS; j++) {
    codes.set(z, j * z.length);
    codes[j * z.length + i] = lo + (j + 0.5) / STEPS * (hi - lo);
  }
  return codes;
}

// A strip is stale when any number but its own differs from the code it was decoded for (or it was never decoded).
function stale(strip, i, z) {
  return !strip.made || z.some((v, k) => k !== i && v !== strip.made[k]);
}

const refreshOne = latest(async () => {
  const { space, z } = state;
  if (!z) return;
  const order = strips.map((_, k) => (turn + k) % strips.length); // from this turn's strip on, round the slider
  const d = order.find((k) => stale(strips[k], k, z));
  if (d === undefined) return;
  const strip = strips[d], { lo, hi } = state.data.spaces[space], codes = sweepCodes(z, d, lo[d], hi[d]);
  turn = d + 1;
  try {
    const images = await decodeAll(space, codes, STEPS); // (STEPS, 1, 28, 28)
    if (strips[d] !== strip) return; // the space changed meanwhile: these strips are gone
    strip.canvases.forEach((c, j) => {
      paint(c, images.subarray(j * SIDE * SIDE, (j + 1) * SIDE * SIDE));
      c.setAttribute("aria-label", `decoded with z${d} at ${codes[j * z.length + d].toFixed(2)}`);
    });
    strip.element.values = images;
    strip.element.codes = codes;
    strip.made = z.slice();
    if (state.z !== z) await new Promise((resolve) => requestAnimationFrame(resolve)); // a drag: every other frame
    refreshOne();
  } catch (err) {
    for (const s of strips) s.element.hidden = true;
    strips = []; // no retry until the strips are built again
    note.textContent = `The strips under the sliders are not drawn: ${err.message}.`;
  }
});

// The number whose strip's images differ most (the mean over pixels of their spread), or null if none is drawn.
export function mostChanging() {
  let best = null, top = -1;
  strips.forEach((strip, i) => {
    if (!strip.made) return;
    const images = strip.element.values, n = SIDE * SIDE;
    let spread = 0;
    for (let p = 0; p < n; p++) {
      let lo = 1, hi = 0;
      for (let j = 0; j < STEPS; j++) [lo, hi] = [Math.min(lo, images[j * n + p]), Math.max(hi, images[j * n + p])];
      spread += hi - lo;
    }
    if (spread > top) [best, top] = [i, spread];
  });
  return best;
}

// The strip under a slider's track: STEPS small canvases, decoded once the slider code is known.
export function makeStrip(i) {
  const element = document.createElement("div");
  element.className = "sweep";
  element.setAttribute("role", "group");
  element.setAttribute("aria-label", `what the decoder draws as z${i} sweeps its range, the other numbers held`);
  const canvases = Array.from({ length: STEPS }, () => {
    const c = document.createElement("canvas");
    c.width = c.height = SIDE;
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", `z${i}'s sweep, not decoded yet`);
    return c;
  });
  element.append(...canvases);
  return { element, canvases, made: null };
}

// The current space's strips (one per slider) and the line for a failure; each slider code change calls refresh().
export function watch(newStrips, line) {
  strips = newStrips;
  note = line;
  turn = 0;
}

export function refresh() {
  if (strips.length) refreshOne();
}
