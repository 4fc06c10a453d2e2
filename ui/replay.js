// The training replayed (#replay): the recorded runs of train.py --record, point by point, at display rate. Its
// files load only when the section is scrolled to. One timeline, in epochs of the 2-D autoencoder's run; each run
// shows its recorded point nearest in log-epoch. Space plays and pauses, the arrow keys step.
import { decodeWith, fetched, ready } from "./engine.js";
import { latest } from "./latest.js";
import { fromHalf } from "./meter.js";
import { SIDE, legend, show } from "./paint.js";
import { curveScale, curvesSvg, moveCursor, paintPlane, paintRow } from "./replay-draw.js";
import { seen } from "./seen.js";
import { state } from "./store.js";

const PLANE = 280; // px, a plane's side
const CURVES = [560, 160]; // px, the curves' widest and their height; drawn 1:1, so their 11 px text stays 11 px
const COLOURS = ["#c2410c", "#2563eb", "#15803d", "#555"]; // the runs' curves, in replay.json's order
const IMAGES = 10 * SIDE * SIDE;

// ae/page.py's replay pack: recons (P, 10, 28, 28) uint8, then codes (P, N, 2) float16 when the run keeps them.
function unpackRun(run, buffer, digits) {
  const points = run.steps.length;
  const recons = new Uint8Array(buffer, 0, points * IMAGES);
  const half = run.codes ? new Uint16Array(buffer.slice(points * IMAGES)) : null;
  const codes = half && Float32Array.from(half, fromHalf);
  return {
    ...run,
    recons: (p) => recons.subarray(p * IMAGES, (p + 1) * IMAGES),
    codesAt: (p) => codes.subarray(p * digits * 2, (p + 1) * digits * 2),
  };
}

// The run's point nearest to an epoch, in log-epoch (step 0 nearest to epoch 0).
function nearest(run, epoch) {
  const far = (e) => Math.abs(Math.log((e + 1e-3) / (epoch + 1e-3)));
  let best = 0;
  run.epochs.forEach((e, i) => { if (far(e) < far(run.epochs[best])) best = i; });
  return best;
}

// The recorded decoder nearest to a point (by point index, log-spaced steps), or null when the run kept none.
function nearestDecoder(run, point) {
  const kept = Object.keys(run.decoders).map(Number);
  if (!kept.length) return null;
  const at = kept.reduce((a, b) => (Math.abs(b - point) < Math.abs(a - point) ? b : a));
  return { point: at, file: run.decoders[at] };
}

function stepText(run, p) {
  return `epoch ${run.epochs[p].toFixed(2)}, step ${run.steps[p].toLocaleString("en")}`;
}

// A plane of one run: its canvas of codes and, in the page, the pointer decoding with the nearest recorded decoder.
function planeOf(run, live) {
  const box = document.createElement("div");
  box.className = "ae-plane";
  box.innerHTML = `<div class="ae-plane-title">${run.title}: 2,000 test digits' codes</div>` +
    `<canvas class="ae-replay-plane" width="${PLANE}" height="${PLANE}" role="img"></canvas>` +
    `<figure class="digit small empty" data-what="the ${run.title}'s decoder as it was then">` +
    `<canvas width="28" height="28"></canvas><div class="blank"></div>` +
    `<figcaption>${live ? "point at the plane" : "decoded in the page only"}</figcaption></figure>`;
  const canvas = box.querySelector("canvas");
  const figure = box.querySelector("figure");
  const plane = { run, canvas, point: 0 };
  if (!live || !Object.keys(run.decoders).length) return [box, plane];
  const decode = latest(async ([fx, fy]) => {
    const [x0, x1, y0, y1] = run.extent;
    const z = [x0 + fx * (x1 - x0), y1 - fy * (y1 - y0)];
    const { point, file } = nearestDecoder(run, plane.point);
    show(figure, await decodeWith({ decoder: file }, z),
         `(${z[0].toFixed(1)}, ${z[1].toFixed(1)}) by the decoder of ${stepText(run, point)}`);
  });
  const to = (e) => {
    const r = canvas.getBoundingClientRect();
    decode([(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]);
  };
  canvas.addEventListener("pointerdown", to); // a finger decodes where it taps
  canvas.addEventListener("pointermove", to);
  return [box, plane];
}

function digitRows(element, runs) {
  const rows = element.querySelector(".ae-replay-digits");
  const originals = new Uint8Array(10 * SIDE * SIDE);
  state.data.examples.pixels.forEach((b64, k) => { // base64 of 784 bytes each (ae/page.py's pixels_b64)
    originals.set(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), k * SIDE * SIDE);
  });
  const row = (title) => {
    const line = document.createElement("div");
    line.className = "ae-replay-row";
    line.innerHTML = `<canvas width="${10 * SIDE}" height="${SIDE}" role="img"></canvas><span>${title}</span>`;
    rows.append(line);
    return line;
  };
  const seed = row("the seed's ten test digits");
  paintRow(seed.querySelector("canvas"), originals);
  seed.querySelector("canvas").setAttribute("aria-label", "ten test digits, one of each class");
  return runs.map((run) => row(`reconstructed by the ${run.title}`));
}

// Build the player for the loaded runs; returns the timeline's number of points and paint(index), which paints every
// part for one point of the timeline.
function build(element, runs, labels, live) {
  const palette = state.data.palette;
  const timeline = runs.find((r) => r.codes) ?? runs[0];
  const planes = runs.filter((r) => r.codes).map((run) => planeOf(run, live));
  element.querySelector(".ae-replay-planes").append(...planes.map(([box]) => box));
  element.querySelector(".ae-replay-legend").innerHTML = legend(palette, "· a dot is one test digit's code");
  const rows = digitRows(element, runs);
  const curves = element.querySelector(".ae-replay-curves");
  const size = [Math.min(CURVES[0], (curves.clientWidth || CURVES[0] + 40) - 40), CURVES[1]]; // as wide as it has
  curves.innerHTML = curvesSvg(runs, COLOURS, ...size) + '<div class="legend">' + runs.map((r, k) =>
    `<span style="color:${COLOURS[k]}">━</span> ${r.title} `).join("") +
    "· solid: MSE on 2,000 test digits · dotted: training MSE since the point before (the VAE trains on another " +
    "loss)</div>";
  const svg = curves.querySelector("svg");
  const x = curveScale(runs, ...size).x;
  const when = element.querySelector(".ae-replay-when");
  return [timeline.steps.length, (index) => {
    const epoch = timeline.epochs[index];
    for (const [, plane] of planes) {
      plane.point = nearest(plane.run, epoch);
      plane.canvas.values = plane.run.codesAt(plane.point);
      paintPlane(plane.canvas, plane.canvas.values, labels, plane.run.extent, palette);
      plane.canvas.dataset.point = plane.point;
      plane.canvas.setAttribute("aria-label", `${plane.run.title}'s codes at ${stepText(plane.run, plane.point)}`);
    }
    runs.forEach((run, k) => {
      const p = nearest(run, epoch);
      paintRow(rows[k].querySelector("canvas"), run.recons(p));
      const ended = epoch > run.epochs.at(-1) * 1.01 ? " (where its recording ended)" : "";
      const text = `${run.title}, ${stepText(run, p)}${ended}: test MSE ${run.test_mse[p].toFixed(4)}`;
      rows[k].querySelector("span").textContent = text;
      rows[k].querySelector("canvas").setAttribute("aria-label", `the ten digits reconstructed by the ${text}`);
    });
    moveCursor(svg, x(epoch));
    when.textContent = `point ${index + 1} of ${timeline.steps.length}: ${stepText(timeline, index)}`;
  }];
}

// Play, pause, step, scrub and speed: the one index they move, painted at most once a display frame.
function control(element, points, paint) {
  const [back, play, forward] = ["back", "play", "forward"].map((n) => element.querySelector(`.ae-replay-${n}`));
  const scrub = element.querySelector(".ae-replay-scrub");
  const speed = element.querySelector(".ae-replay-speed");
  let index = 0, playing = false, last = 0, carried = 0;
  const go = (i) => {
    index = Math.min(Math.max(i, 0), points - 1);
    scrub.value = index;
    paint(index);
    element.painted = { index, at: performance.now() };
  };
  const setPlaying = (on) => {
    playing = on;
    play.innerHTML = on ? "&#10074;&#10074; pause" : "&#9654; play";
    play.setAttribute("aria-label", on ? "pause" : "play");
    if (on) requestAnimationFrame((t) => { last = t; carried = 0; requestAnimationFrame(tick); });
  };
  const tick = (t) => {
    if (!playing) return;
    carried += (t - last) / 1000 * Number(speed.value);
    last = t;
    const steps = Math.floor(carried);
    carried -= steps;
    if (steps) go(index + steps);
    if (index === points - 1) return setPlaying(false);
    requestAnimationFrame(tick);
  };
  const toggle = () => setPlaying(!playing && (index < points - 1 || (go(0), true)));
  const step = (d) => { setPlaying(false); go(index + d); };
  for (const el of [back, play, forward, scrub]) el.disabled = false;
  scrub.max = points - 1;
  play.addEventListener("click", toggle);
  back.addEventListener("click", () => step(-1));
  forward.addEventListener("click", () => step(1));
  scrub.addEventListener("input", () => { setPlaying(false); go(Number(scrub.value)); });
  element.addEventListener("keydown", (e) => {
    if (e.target.matches("select, input") || (e.key === " " && e.target.matches("button"))) return; // their own keys
    if (e.key === " ") toggle();
    else if (e.key === "ArrowLeft" || e.key === "ArrowRight") step(e.key === "ArrowLeft" ? -1 : 1);
    else return;
    e.preventDefault();
  });
  go(0);
}

function sayNotShown(element, lines) {
  element.querySelector(".ae-replay-problems").append(...lines.map((line) => {
    const p = document.createElement("p");
    p.className = "ae-problem";
    p.textContent = `Not shown: ${line}`;
    return p;
  }));
}

// replay.json, then each run's pack; a run whose pack does not load is left out with its line, the others play.
async function load(element) {
  const info = await fetched("replay.json", "json");
  sayNotShown(element, info.problems);
  const names = Object.keys(info.runs);
  const packs = await Promise.allSettled(names.map((n) => fetched(info.runs[n].pack)));
  sayNotShown(element, packs.filter((p) => p.status === "rejected").map((p) => p.reason.message));
  const runs = names.map((n, k) => packs[k].status === "fulfilled" && unpackRun(info.runs[n], packs[k].value,
                                                                                  info.labels.length)).filter(Boolean);
  if (!runs.length) {
    element.querySelector(".ae-replay-when").textContent = "no recording to replay";
    return;
  }
  const { mode } = await ready;
  control(element, ...build(element, runs, info.labels, mode === "page"));
}

export function mount(element) {
  const box = element.querySelector(".ae-replay");
  seen(box).then(() => ready).then(() => load(box)).catch((err) => {
    box.querySelector(".ae-replay-when").textContent = `The replay did not load: ${err.message}`;
  });
}
