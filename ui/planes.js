// The 2-D planes: the 10,000 test digits' codes of the 2-number autoencoder and of the 2-number VAE, exactly where
// they lie (no projection), coloured by digit, with codes from N(0, I) marked. The pointer, a finger or the arrow
// keys pick a point on a plane, decoded at once in the page, at most once a display frame.
import { decodeWith, fetched, ready } from "./engine.js";
import { latest } from "./latest.js";
import { cross, legend as digitLegend, show } from "./paint.js";
import { seen } from "./seen.js";
import { on, state } from "./store.js";

function toPixel([x0, x1, y0, y1], size, [x, y]) {
  return [(x - x0) / (x1 - x0) * size, (1 - (y - y0) / (y1 - y0)) * size];
}

const STEPS = { ArrowLeft: [-0.02, 0], ArrowRight: [0.02, 0], ArrowUp: [0, -0.02], ArrowDown: [0, 0.02] };

// A mouse or pen decodes where it hovers; a finger decodes where it presses and while it drags sideways, and a
// vertical drag scrolls the page (touch-action: pan-y), so a page scroll may start on a plane.
function followPointer(map, moveTo) {
  const to = (e) => {
    const r = map.getBoundingClientRect();
    moveTo([(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]);
  };
  map.addEventListener("pointerdown", to);
  map.addEventListener("pointermove", (e) => { if (e.pointerType !== "touch" || e.pressure > 0) to(e); });
}

function planeOf(name, info, size, live) {
  const box = document.createElement("div");
  box.className = "ae-plane";
  box.innerHTML = `<div class="ae-plane-title">${info.title}: the test digits' 2-number codes</div>` +
    `<div class="map"><img alt="the ${info.title}'s 2-number codes of the 10,000 test digits, a ` +
    `dot each, coloured by digit, with crosses at codes drawn from N(0, I)">` +
    `<svg viewBox="0 0 ${size} ${size}" aria-hidden="true"></svg></div>` +
    `<figure class="digit small empty" id="plane-${name}" data-what="the ${info.title}'s decoder at the chosen point"><canvas width="28" height="28"></canvas>` +
    `<div class="blank"></div><figcaption>${live ? "point at the plane" : "decoded in the page only"}</figcaption></figure>`;
  const map = box.querySelector(".map");
  const svg = box.querySelector("svg");
  const figure = box.querySelector("figure");
  map.querySelector("img").src = new URL(info.picture, import.meta.url).href;
  const crosses = info.samples.map((z) => cross(...toPixel(info.extent, size, z))).join("");
  svg.innerHTML = crosses + '<circle class="current" r="6" cx="-20" cy="-20"/>';
  if (!live) return box;
  map.tabIndex = 0;
  map.setAttribute("role", "group");
  map.setAttribute("aria-label", `${info.title}'s plane: point, tap or use the arrow keys to decode a point`);
  const ring = svg.querySelector("circle");
  const decode = latest(async (z) => {
    show(figure, await decodeWith({ decoder: info.decoder }, z), `(${z[0].toFixed(2)}, ${z[1].toFixed(2)})`);
  });
  let at = [0.5, 0.5]; // the point, as fractions of the plane's box from its top left
  const moveTo = ([fx, fy]) => {
    at = [Math.min(Math.max(fx, 0), 1), Math.min(Math.max(fy, 0), 1)];
    const [x0, x1, y0, y1] = info.extent;
    ring.setAttribute("cx", (at[0] * size).toFixed(1));
    ring.setAttribute("cy", (at[1] * size).toFixed(1));
    decode([x0 + at[0] * (x1 - x0), y1 - at[1] * (y1 - y0)]);
  };
  followPointer(map, moveTo);
  map.addEventListener("keydown", (e) => {
    const step = STEPS[e.key];
    if (!step) return;
    e.preventDefault(); // the arrows move the point, not the page
    moveTo([at[0] + step[0] * (e.shiftKey ? 5 : 1), at[1] + step[1] * (e.shiftKey ? 5 : 1)]);
  });
  map.addEventListener("focus", () => moveTo(at));
  on("start-over", () => {
    ring.setAttribute("cx", "-20");
    show(figure, null, "point at the plane");
  });
  return box;
}

export function mount(element) {
  const row = element.querySelector(".ae-planes");
  const legend = element.querySelector(".ae-planes-legend");
  Promise.all([ready, seen(element, "100%")]).then(async ([{ mode }]) => {
    const info = await fetched("bottleneck.json", "json");
    for (const [name, plane] of Object.entries(info.planes)) {
      row.append(planeOf(name, plane, state.data.map_size, mode === "page"));
    }
    legend.innerHTML = digitLegend(state.data.palette, "· ✕ codes drawn from N(0, I) · ◯ the pointer · " +
      "across: the code's first number, up: its second (the decoded point's caption gives both)");
  });
}
