// The latent map: the test digits' codes projected on their top two principal axes (the picture, drawn by the
// server once), with the slider code as a ring and the latest samples as crosses, or hollow squares for those the
// meter puts off the data: two dimensions can put a code on a cluster that is far from it in ten. Its value, set by
// the server when it samples, is {"space": name, "codes": [[k numbers], ...], "off": [true or false per code]}.
import { ready } from "./engine.js";
import { cross, legend as digitLegend } from "./paint.js";
import { seen } from "./seen.js";
import { on, state } from "./store.js";

function toPixel(info, size, z) {
  const d = z.map((v, j) => v - info.centre[j]);
  const [x, y] = info.axes.map((axis) => axis.reduce((s, a, j) => s + a * d[j], 0));
  const [x0, x1, y0, y1] = info.extent;
  const clip = (v) => Math.min(Math.max(v, 0), size - 1);
  return [clip((x - x0) / (x1 - x0) * (size - 1)), clip((1 - (y - y0) / (y1 - y0)) * (size - 1))];
}

export function mount(element, props, watch) {
  const img = element.querySelector(".map img");
  const svg = element.querySelector(".map svg");
  const legend = element.querySelector(".legend");
  const note = element.querySelector(".map-note");

  function draw() {
    if (!state.data || !state.z) return;
    const info = state.data.spaces[state.space];
    const size = state.data.map_size;
    const samples = props.value ? JSON.parse(props.value) : null;
    let marks = "";
    if (samples && samples.space === state.space) {
      samples.codes.forEach((code, i) => { marks += cross(...toPixel(info, size, code), samples.off?.[i]); });
    }
    const elsewhere = samples && samples.codes.length && samples.space !== state.space;
    note.hidden = !elsewhere; // the samples are another model's codes: say so instead of a map without crosses
    if (elsewhere) {
      note.textContent = `This is the ${info.title}'s map; the samples are the ${state.data.spaces[samples.space].title}'s ` +
        "codes: choose it above the sliders to see them.";
    }
    const [x, y] = toPixel(info, size, state.z);
    svg.innerHTML = marks + `<circle class="current" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="7"/>`;
  }

  let near = false; // the picture loads once the map comes near the screen
  function picture() {
    if (near) img.src = new URL(state.data.spaces[state.space].files.map, import.meta.url).href;
    draw();
  }

  ready.then(() => {
    legend.innerHTML = digitLegend(state.data.palette, "· ◯ sliders · ✕ samples among the data · " +
      "□ off the data (the meter) · axes: the codes' two main directions (PCA of the ten numbers)");
    picture();
  });
  Promise.all([ready, seen(element)]).then(() => {
    near = true;
    picture();
  });
  on("space", picture);
  on("z", draw);
  watch("value", draw);
}
