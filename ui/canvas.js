// The drawing canvas (white ink on black, like MNIST) and its live previews. The drawing is kept as strokes of
// points; each change is prepared and reconstructed (engine.js) at most once a display frame, in the model the
// sliders drive. A finished drawing is then reconstructed in the other models too, which the sliders and the
// comparison take from the store, and becomes props.value, the canvas's value that Interpolate sends the server with
// its click.
import { ready, reconstruct } from "./engine.js";
import { latest } from "./latest.js";
import { SIDE as PIXELS, fromBase64, paint, show } from "./paint.js";
import { emit, on, state } from "./store.js";

const SIDE = 280; // canvas bitmap in px; CSS scales it to the column
const BRUSH = 18; // how strokes look on the canvas; the model sees them at MNIST's width (prepare.js)
const MIN_STEP = 1; // px: a point nearer than this to the previous one adds bytes, not shape

function commit(results) {
  state.results = results;
  emit("results");
}

// A finished drawing in every model, for the store: the sliders' model has painted it (out), and the others follow
// outside the live loop, since the first time they wait for their files and a new stroke's previews must not.
async function finish(drawn, out, say) {
  if (!out) return commit(null);
  const others = Object.keys(state.data.spaces).filter((name) => !(name in out.results));
  let rest;
  try {
    rest = await reconstruct(drawn, others);
  } catch (err) {
    say("others", `The other models could not reconstruct this drawing: ${err.message}.`);
    return;
  }
  say("others", null);
  if (state.drawing === drawn) commit({ ...out.results, ...rest?.results }); // else a newer drawing's will follow
}

export function mount(element, props) {
  const canvas = element.querySelector(".ae-draw");
  const ctx = canvas.getContext("2d");
  const undoButton = element.querySelector(".ae-undo");
  const clearButton = element.querySelector(".ae-clear");
  const notice = element.querySelector(".ae-mode");
  const seen = element.querySelector("#model-input");
  const recon = element.querySelector("#reconstruction");
  const unusual = element.querySelector(".ae-unusual");
  let strokes = []; // each a list of [x, y] in bitmap px, rounded to 0.1
  let example = null; // base64 pixels of a test digit, shown until the first stroke (Undo brings it back)
  let active = null; // {id, points} of the stroke under the pointer
  const lines = {}; // what the notice says, by subject: where the models run, what could not be done

  const drawing = () => (strokes.length ? { strokes } : example ? { image: example } : null);
  const points = () => strokes.reduce((n, s) => n + s.length, 0);
  const full = () => state.data !== null && points() >= state.data.limits.max_points; // the server's limit (ae/config.py)

  // The notice under the canvas: the latest line of each subject (where the models run, too much ink, a failure of
  // the other models), as one paragraph; a null line takes that subject's back.
  function say(subject, line) {
    lines[subject] = line;
    notice.textContent = Object.values(lines).filter(Boolean).join(" ");
    notice.hidden = !notice.textContent;
  }

  function pointAt(e) {
    const r = canvas.getBoundingClientRect();
    const at = (v, size) => Math.round(Math.min(Math.max(v * SIDE / size, 0), SIDE) * 10) / 10;
    return [at(e.clientX - r.left, r.width), at(e.clientY - r.top, r.height)];
  }

  function stroke(pts) {
    ctx.beginPath();
    ctx.moveTo(...pts[0]);
    for (const p of pts.slice(1)) ctx.lineTo(...p);
    if (pts.length === 1) ctx.lineTo(pts[0][0] + 0.01, pts[0][1]); // a tap still leaves a dot
    ctx.stroke();
  }

  function repaint() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, SIDE, SIDE);
    if (example && !strokes.length) {
      const tile = document.createElement("canvas");
      tile.width = tile.height = PIXELS;
      paint(tile, fromBase64(example));
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tile, 0, 0, SIDE, SIDE);
    }
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = BRUSH;
    ctx.lineCap = ctx.lineJoin = "round";
    strokes.forEach(stroke);
    undoButton.disabled = strokes.length === 0;
    clearButton.disabled = !drawing();
  }

  const update = latest(async (final) => {
    await ready;
    const space = state.space, drawn = state.drawing;
    const title = state.data.spaces[space].title;
    let out;
    try {
      out = await reconstruct(drawn, [space]);
    } catch (err) {
      show(recon, null, "could not reconstruct: " + err.message, true);
      return;
    }
    if (!out) {
      show(seen, null, "nothing to reconstruct: draw a digit");
      show(recon, null, "reconstruction");
      unusual.hidden = true;
    } else {
      const r = out.results[space];
      show(seen, out.input, "what the model sees");
      show(recon, r.recon, `reconstruction by the ${title} · MSE ${r.mse.toFixed(4)}`, false,
        " (your drawing's own code, decoded)");
      const limit = state.data.spaces[space].error_limit;
      unusual.hidden = r.mse <= limit;
      unusual.textContent = `Unlike the digits the ${title} learned from: its error is larger than ` +
        `${state.data.error_percentile}% of real test digits' (${limit.toFixed(4)}).`;
    }
    if (final) finish(drawn, out, say);
  });

  function changed(final) {
    state.drawing = drawing();
    update(final);
    emit("drawing");
    if (final) props.value = state.drawing ? JSON.stringify(state.drawing) : ""; // no request: read on Interpolate
  }

  canvas.addEventListener("pointerdown", (e) => {
    if (active || !e.isPrimary || e.button !== 0) return; // one pointer, primary button only
    e.preventDefault();
    if (full()) {
      say("ink", "That is a lot of ink: Undo or Clear before drawing more.");
      return;
    }
    canvas.setPointerCapture(e.pointerId); // keep the stroke when the pointer leaves the canvas
    active = { id: e.pointerId, points: [pointAt(e)] };
    strokes.push(active.points);
    repaint();
    changed(false);
  });

  canvas.addEventListener("pointermove", (e) => {
    if (!active || e.pointerId !== active.id) return;
    const pts = active.points;
    for (const c of e.getCoalescedEvents ? e.getCoalescedEvents() : [e]) { // every sample, not one per frame
      const p = pointAt(c);
      const last = pts[pts.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_STEP || full()) continue;
      stroke([last, p]);
      pts.push(p);
    }
    changed(false);
  });

  function endStroke(e) {
    if (!active || e.pointerId !== active.id) return;
    active = null;
    repaint();
    changed(true);
  }
  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", endStroke);
  canvas.addEventListener("lostpointercapture", endStroke); // a stroke the browser took away must still end

  undoButton.addEventListener("click", () => {
    if (active || !strokes.length) return;
    strokes.pop();
    repaint();
    changed(true);
  });

  function clear() {
    if (active) return;
    strokes = [];
    example = null;
    repaint();
    changed(true);
  }
  clearButton.addEventListener("click", clear);
  on("start-over", clear); // the drawing gone, the sliders and every output follow it

  on("example", (index) => { // a test digit picked below the canvas replaces the drawing
    if (active) return;
    strokes = [];
    example = state.data.examples.pixels[index];
    repaint();
    changed(true);
  });

  on("space", () => update(false)); // the previews follow the model the sliders drive
  on("fallback", ({ space, reason }) => { // one model's files failed: the page runs the others
    say(space, `The ${state.data.spaces[space].title} runs on the server, not in this page: ${reason}.`);
  });

  ready.then(({ mode, reason }) => {
    if (mode === "server") say("mode", `The models run on the server, not in this page: ${reason}.`);
    example = state.data.examples.pixels[0]; // the page starts from a real test digit
    repaint();
    changed(true);
  }, (err) => show(seen, null, "the page's data did not load: " + err.message, true));
}
