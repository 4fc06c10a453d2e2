// The 2-D planes: the 10,000 test digits' codes of the 2-number autoencoder and of the 2-number VAE, exactly where
// they lie (no projection), coloured by digit, with codes from N(0, I) marked. Moving the pointer (or a finger) over a
// plane decodes that point at once, in the page, at most once a display frame.
import { decodeWith, fetched, ready } from "./engine.js";
import { latest } from "./latest.js";
import { cross, legend as digitLegend, show } from "./paint.js";
import { state } from "./store.js";

function toPixel([x0, x1, y0, y1], size, [x, y]) {
  return [(x - x0) / (x1 - x0) * size, (1 - (y - y0) / (y1 - y0)) * size];
}

function planeOf(name, info, size, live) {
  const box = document.createElement("div");
  box.className = "ae-plane";
  box.innerHTML = `<div class="ae-plane-title">${info.title}: the test digits' 2-number codes</div>` +
    `<div class="map"><img alt="the ${info.title}'s 2-D codes of the test digits, coloured by digit">` +
    `<svg viewBox="0 0 ${size} ${size}" aria-hidden="true"></svg></div>` +
    `<figure class="digit small empty" id="plane-${name}"><canvas width="28" height="28"></canvas>` +
    `<div class="blank"></div><figcaption>${live ? "point at the plane" : "decoded in the page only"}</figcaption></figure>`;
  const map = box.querySelector(".map");
  const svg = box.querySelector("svg");
  const figure = box.querySelector("figure");
  map.querySelector("img").src = new URL(info.picture, import.meta.url).href;
  const crosses = info.samples.map((z) => cross(...toPixel(info.extent, size, z))).join("");
  svg.innerHTML = crosses + '<circle class="current" r="6" cx="-20" cy="-20"/>';
  if (!live) return box;
  const ring = svg.querySelector("circle");
  const decode = latest(async (z) => {
    show(figure, await decodeWith({ decoder: info.decoder }, z), `(${z[0].toFixed(2)}, ${z[1].toFixed(2)})`);
  });
  map.addEventListener("pointermove", (e) => {
    const r = map.getBoundingClientRect();
    const [fx, fy] = [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
    const [x0, x1, y0, y1] = info.extent;
    ring.setAttribute("cx", (fx * size).toFixed(1));
    ring.setAttribute("cy", (fy * size).toFixed(1));
    decode([x0 + fx * (x1 - x0), y1 - fy * (y1 - y0)]);
  });
  return box;
}

export function mount(element) {
  const row = element.querySelector(".ae-planes");
  const legend = element.querySelector(".ae-planes-legend");
  ready.then(async ({ mode }) => {
    const info = await fetched("bottleneck.json", "json");
    for (const [name, plane] of Object.entries(info.planes)) {
      row.append(planeOf(name, plane, state.data.map_size, mode === "page"));
    }
    legend.innerHTML = digitLegend(state.data.palette, "· ✕ codes drawn from N(0, I) · ◯ the pointer");
  });
}
