// A drawing canvas for gr.HTML's js_on_load: white ink on black, like MNIST. The drawing travels as the
// JSON payload that ae/canvas.py parses, {w, h, ink: base64 of w*h bytes (row-major, 255 = ink), seq, final},
// or "" when empty. While a stroke is drawn, every update goes to the live route (POST live/reconstruct,
// outside gradio's queue) and fills the two previews; when the stroke ends, the payload also becomes
// props.value, which fires .change in Python for the sliders and everything else.
// gr.HTML provides: element (the component's root), props, watch.
const SIDE = 280;  // canvas bitmap in px; CSS scales it to the column, so strokes keep their proportions
const SEND = 64;  // side of the downsampled drawing sent to Python
const BRUSH = 26;  // stroke width in bitmap px: a digit drawn 200 px tall, shrunk into MNIST's 20 px box, gets ~2.3 px strokes
const THROTTLE_MS = 80;  // at most one update per this many ms while a stroke is drawn

const canvas = element.querySelector("canvas");
const undoButton = element.querySelector(".ae-undo");
const clearButton = element.querySelector(".ae-clear");
const seen = element.querySelector("#model-input");
const recon = element.querySelector("#reconstruction");
const ctx = canvas.getContext("2d");
const small = document.createElement("canvas");  // offscreen: the browser's smoothing does the downsampling
small.width = small.height = SEND;
const smallCtx = small.getContext("2d", { willReadFrequently: true });

let strokes = [];  // finished and current strokes, each a list of [x, y] in bitmap px
let background = null;  // a canvas with ink set from Python (an example digit); strokes go over it
let active = null;  // { id, points } of the stroke under the pointer
let seq = 0;
let sent = props.value;  // the last value this script set: Python echoing it back is not a new drawing
let lastSendTime = -Infinity;
let timer = null;
let inFlight = false;  // one live request at a time, as gradio's "always_last": only the newest waiting one is sent
let waiting = null;

function pointAt(e) {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) * SIDE / r.width, (e.clientY - r.top) * SIDE / r.height];
}

function dot([x, y]) {
  ctx.beginPath();
  ctx.arc(x, y, BRUSH / 2, 0, 2 * Math.PI);
  ctx.fill();
}

function segment([x0, y0], [x1, y1]) {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function paint() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, SIDE, SIDE);
  if (background) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(background, 0, 0, SIDE, SIDE);
  }
  ctx.fillStyle = ctx.strokeStyle = "#fff";
  ctx.lineWidth = BRUSH;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const points of strokes) {
    dot(points[0]);  // a tap with no movement still leaves a mark
    for (let i = 1; i < points.length; i++) segment(points[i - 1], points[i]);
  }
  undoButton.disabled = strokes.length === 0;
  clearButton.disabled = strokes.length === 0 && !background;
}

function encode(final) {
  if (strokes.length === 0 && !background) return "";
  smallCtx.imageSmoothingEnabled = true;
  smallCtx.imageSmoothingQuality = "high";
  smallCtx.drawImage(canvas, 0, 0, SEND, SEND);
  const rgba = smallCtx.getImageData(0, 0, SEND, SEND).data;  // (SEND * SEND * 4), grey so R = G = B
  let bytes = "";
  for (let i = 0; i < rgba.length; i += 4) bytes += String.fromCharCode(rgba[i]);
  seq += 1;
  return JSON.stringify({ w: SEND, h: SEND, ink: btoa(bytes), seq, final });
}

function show(figure, src, caption, failed) {
  figure.classList.toggle("empty", !src);
  figure.classList.toggle("failed", Boolean(failed));
  if (src) figure.querySelector("img").src = src;
  figure.querySelector("figcaption").textContent = caption;
}

async function reconstruct(payload) {
  if (!payload) {
    show(seen, null, "nothing to reconstruct: draw a digit");
    show(recon, null, "reconstruction");
    return;
  }
  try {
    const response = await fetch("live/reconstruct", { method: "POST", headers: { "Content-Type": "application/json" }, body: payload });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
    if (answer.empty) return reconstruct("");
    show(seen, answer.seen, "what the model sees");
    show(recon, answer.recon, "reconstruction · MSE " + answer.mse.toFixed(4));
  } catch (err) {
    show(recon, null, "could not reconstruct: " + err.message, true);
  }
}

async function live(payload) {
  waiting = payload;
  if (inFlight) return;
  inFlight = true;
  while (waiting !== null) {
    const next = waiting;
    waiting = null;
    await reconstruct(next);
  }
  inFlight = false;
}

function send(final) {
  clearTimeout(timer);
  timer = null;
  lastSendTime = performance.now();
  const payload = encode(final);
  live(payload);
  if (final) sent = props.value = payload;  // Python hears only finished strokes
}

function sendSoon() {
  // throttled, never debounced: updates flow during a long stroke, each with the drawing as it is then
  const wait = THROTTLE_MS - (performance.now() - lastSendTime);
  if (wait <= 0) send(false);
  else if (!timer) timer = setTimeout(() => send(false), wait);
}

function load(value) {
  // paint a payload set from Python as the new background, replacing the drawing
  clearTimeout(timer);
  timer = null;
  strokes = [];
  active = null;
  background = null;
  if (value) {
    const { w, h, ink } = JSON.parse(value);
    const bytes = atob(ink);
    const image = new ImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const v = bytes.charCodeAt(i);
      image.data.set([v, v, v, 255], 4 * i);
    }
    background = document.createElement("canvas");
    background.width = w;
    background.height = h;
    background.getContext("2d").putImageData(image, 0, 0);
  }
  paint();
}

canvas.addEventListener("pointerdown", (e) => {
  if (active || !e.isPrimary || e.button !== 0) return;  // one pointer, primary button only
  e.preventDefault();
  canvas.setPointerCapture(e.pointerId);  // keep the stroke when the pointer leaves the canvas
  active = { id: e.pointerId, points: [pointAt(e)] };
  strokes.push(active.points);
  dot(active.points[0]);
  sendSoon();
});

canvas.addEventListener("pointermove", (e) => {
  if (!active || e.pointerId !== active.id) return;
  const points = active.points;
  for (const c of e.getCoalescedEvents ? e.getCoalescedEvents() : [e]) {  // every sample, not one per frame
    const p = pointAt(c);
    segment(points[points.length - 1], p);
    points.push(p);
  }
  sendSoon();
});

function endStroke(e) {
  if (!active || e.pointerId !== active.id) return;
  active = null;
  paint();  // refresh the buttons
  send(true);
}
canvas.addEventListener("pointerup", endStroke);
canvas.addEventListener("pointercancel", endStroke);
canvas.addEventListener("lostpointercapture", endStroke);  // a stroke the browser took away must still end

undoButton.addEventListener("click", () => {
  if (active || strokes.length === 0) return;
  strokes.pop();
  paint();
  send(true);
});

clearButton.addEventListener("click", () => {
  if (active) return;
  strokes = [];
  background = null;
  paint();
  send(true);
});

watch("value", () => {
  // runs when Python sets the value (an example digit); the script's own values are skipped
  if (props.value === sent) return;
  sent = props.value;
  try {
    load(props.value);
    live(props.value);
  } catch (err) {
    console.error("canvas: cannot paint the value set from Python:", err);
  }
});

load(props.value);
live(props.value);
