// The network drawn as the interface: the drawing, what the model sees, each layer's activations as a grid of maps
// (one per channel), the ten numbers and the output, painted whenever the engine runs a layer export (engine.js
// announces its outputs as "activations"): the live reconstruction paints every layer, a slider the decoder's.
import { missing, ready } from "./engine.js";
import { SIDE } from "./paint.js";
import { on, state } from "./store.js";

const GAP = 1; // px between maps in a grid
const INPUT = { name: "input", part: "encoder", shape: [1, SIDE, SIDE], code: "x = prepare(drawing)", parameters: 0,
                does: "Your drawing as MNIST's digits were made: fitted into 20x20, centred by its mass, 28x28." };

// (C, H, W) -> the grid's columns and its canvas size in px
function grid([c, h, w]) {
  const cols = c <= 16 ? Math.ceil(Math.sqrt(c)) : 8;
  const rows = Math.ceil(c / cols);
  return { cols, width: cols * (w + GAP) - GAP, height: rows * (h + GAP) - GAP };
}

function largest(values) {
  let top = 1e-6;
  for (const v of values) if (v > top) top = v;
  return top;
}

// Paint values (Float32Array of C*H*W, row-major) as grey maps, top white (a layer's largest value: ReLU, all >= 0).
function paintGrid(canvas, shape, values, top) {
  const [c, h, w] = shape;
  const { cols, width, height } = grid(shape);
  const image = new ImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer); // one RGBA pixel each, little-endian: 0xAABBGGRR
  for (let i = 0; i < c; i++) {
    const x0 = (i % cols) * (w + GAP), y0 = Math.floor(i / cols) * (h + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = Math.round(Math.min(Math.max(values[(i * h + y) * w + x] / top, 0), 1) * 255);
        pixels[(y0 + y) * width + x0 + x] = 0xff000000 | (v << 16) | (v << 8) | v;
      }
    }
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

// The ten numbers as bars up (positive) or down (negative) from the middle, scaled by the largest |z|.
function paintCode(canvas, z) {
  const ctx = canvas.getContext("2d");
  const top = Math.max(...Array.from(z, Math.abs), 1e-6), bar = canvas.width / z.length, mid = canvas.height / 2;
  const image = new ImageData(canvas.width, canvas.height);
  z.forEach((v, i) => {
    const h = Math.round(Math.abs(v) / top * mid);
    for (let y = v >= 0 ? mid - h : mid; y < (v >= 0 ? mid : mid + h); y++) {
      for (let x = i * bar + 1; x < (i + 1) * bar - 1; x++) {
        image.data.set([194, 65, 12, 255], 4 * (y * canvas.width + x)); // the page's orange
      }
    }
  });
  ctx.putImageData(image, 0, 0);
}

// One layer's view: a figure with its shape, painted canvas and the numbers it paints (view.values, for the tests).
function makeView(layer) {
  const figure = document.createElement("figure");
  const shape = layer.shape.join("x");
  figure.className = "ae-layer empty";
  figure.id = `layer-${layer.name}`;
  figure.dataset.shape = shape;
  figure.tabIndex = 0;
  const canvas = document.createElement("canvas");
  if (layer.shape.length === 1) [canvas.width, canvas.height] = [10 * layer.shape[0], 40];
  else ({ width: canvas.width, height: canvas.height } = grid(layer.shape));
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${layer.part} output ${shape}: blank until you draw`);
  const caption = document.createElement("figcaption");
  caption.textContent = shape.replaceAll("x", "×");
  figure.append(canvas, caption);
  figure.layer = layer;
  return figure;
}

function arrow() {
  const span = document.createElement("span");
  span.className = "ae-arrow";
  span.setAttribute("aria-hidden", "true");
  span.textContent = "→";
  return span;
}

function paintView(view, values) {
  const canvas = view.querySelector("canvas");
  if (view.layer.shape.length === 1) paintCode(canvas, values);
  else paintGrid(canvas, view.layer.shape, values, view.layer.shape[0] === 1 ? 1 : largest(values)); // images: 0..1
  view.values = values;
  if (view.classList.contains("empty")) canvas.setAttribute("aria-label", `${view.layer.part} output ` +
    `${view.dataset.shape} for your drawing, ${view.layer.shape[0]} map(s), brighter where it responds more`);
  view.classList.remove("empty", "failed");
  view.querySelector("figcaption").textContent = view.dataset.shape.replaceAll("x", "×");
}

function blankView(view, line = "") {
  const canvas = view.querySelector("canvas");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height); // nothing stale under the blank
  view.values = null;
  canvas.setAttribute("aria-label", `${view.layer.part} output ${view.dataset.shape}: ${line || "blank until you draw"}`);
  view.classList.add("empty");
  view.classList.toggle("failed", Boolean(line));
  view.querySelector("figcaption").textContent = line || view.dataset.shape.replaceAll("x", "×");
}

// The channel of a grid under a pointer at (x, y) in the canvas's CSS px; -1 between maps.
function channelAt(layer, canvas, x, y) {
  const [c, h, w] = layer.shape, { cols, width, height } = grid(layer.shape);
  const gx = x * width / canvas.clientWidth, gy = y * height / canvas.clientHeight;
  const col = Math.floor(gx / (w + GAP)), row = Math.floor(gy / (h + GAP));
  const i = row * cols + col;
  return gx % (w + GAP) < w && gy % (h + GAP) < h && i < c ? i : -1;
}

// The detail of one layer: larger, as code, its parameter count, what it does, and the channel pointed at.
function detailer(panel) {
  const big = panel.querySelector(".ae-net-big"), map = panel.querySelector(".ae-net-map");
  const text = (cls, value) => { panel.querySelector(cls).textContent = value; };
  let shown = null, channel = -1;

  function paintChannel() {
    const [c, h, w] = shown.layer.shape;
    map.hidden = channel < 0 || !shown.values || c === 1;
    text(".ae-net-channel", map.hidden ? (c > 1 ? "Point at one map to see that channel." : "")
      : `channel ${channel} of ${c}, ${h}×${w}`);
    if (map.hidden) return;
    [map.width, map.height] = [w, h];
    paintGrid(map, [1, h, w], shown.values.subarray(channel * h * w, (channel + 1) * h * w), largest(shown.values));
  }

  function refresh(view) {
    if (view !== shown) return;
    const small = view.querySelector("canvas");
    [big.width, big.height] = [small.width, small.height];
    if (view.values) big.getContext("2d").drawImage(small, 0, 0);
    big.style.aspectRatio = `${small.width} / ${small.height}`;
    if (channel >= 0) paintChannel();
  }

  function show(view) {
    const { layer } = view;
    shown = view;
    channel = -1;
    big.hidden = false;
    panel.classList.add("shown");
    text(".ae-net-title", `${view.dataset.shape.replaceAll("x", "×")}, in the ${layer.part}`);
    text(".ae-net-code", layer.code);
    text(".ae-net-params", `${layer.parameters.toLocaleString("en")} parameters`);
    text(".ae-net-does", layer.does);
    refresh(view);
    paintChannel();
  }

  function point(canvas, e) {
    if (!shown || shown.layer.shape.length === 1) return;
    const r = canvas.getBoundingClientRect();
    channel = channelAt(shown.layer, canvas, e.clientX - r.left, e.clientY - r.top);
    paintChannel();
  }
  big.addEventListener("pointermove", (e) => point(big, e));
  return { show, refresh, point };
}

export function mount(element) {
  const rows = { encoder: element.querySelector("[data-part=encoder]"),
                 decoder: element.querySelector("[data-part=decoder]") };
  const drawingView = element.querySelector("#layer-drawing");
  const detail = detailer(element.querySelector(".ae-net-detail"));
  const views = {}; // layer name -> its figure

  const blankAll = () => {
    const canvas = drawingView.querySelector("canvas");
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    drawingView.classList.add("empty");
    for (const view of Object.values(views)) if (!(view.layer.part in missing)) blankView(view);
  };

  function build(network) {
    for (const layer of [INPUT, ...network]) {
      const view = views[layer.name] = makeView(layer);
      rows[layer.part].append(arrow(), view);
      const showIt = () => detail.show(view);
      view.addEventListener("pointerenter", showIt);
      view.addEventListener("focus", showIt);
      view.addEventListener("click", showIt);
      const canvas = view.querySelector("canvas");
      canvas.addEventListener("pointermove", (e) => detail.point(canvas, e));
    }
    rows.decoder.firstChild.textContent = "↳"; // the decoder starts from the code at the encoder row's end
  }

  function paintDrawing() {
    const source = document.querySelector("#canvas .ae-draw");
    if (!source) return;
    const canvas = drawingView.querySelector("canvas");
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    drawingView.classList.remove("empty");
  }

  function painted({ part, input, outputs, failed }) {
    const names = state.data.network.filter((n) => n.part === part).map((n) => n.name);
    if (failed) {
      for (const name of names) {
        blankView(views[name], "did not load");
        views[name].title = failed; // which file, and why
      }
      return;
    }
    if (!state.drawing) return; // at rest: a code decoded without a drawing (the sliders' centre) is not drawn here
    if (part === "encoder") {
      paintDrawing();
      paintView(views.input, input);
    } else paintView(views.z, input);
    for (const name of names) paintView(views[name], outputs[name]);
    for (const name of [...names, part === "encoder" ? "input" : "z"]) detail.refresh(views[name]);
  }

  ready.then(({ mode, reason }) => {
    build(state.data.network);
    if (mode === "server") { // one line for the whole network: its views stay blank
      element.querySelector(".ae-net-title").textContent = `The layers are drawn only when the models run in the ` +
        `page, and here they run on the server: ${reason}.`;
      return;
    }
    for (const part of Object.keys(missing)) painted({ part, failed: missing[part] });
    on("activations", painted);
    on("space", () => {
      const other = state.space !== "ae", line = element.querySelector(".ae-net-space");
      line.hidden = !other;
      line.textContent = other ? `This is the autoencoder's network. The sliders now drive the ` +
        `${state.data.spaces[state.space].title}'s decoder, so the decoder row here stays at your drawing's code.` : "";
    });
    on("drawing", () => { if (!state.drawing) blankAll(); });
  });
}
