// What the replay paints for one recorded point: a plane of codes as dots, a row of ten digits, the loss curves with
// a cursor. Pure drawing: ui/replay.js decides which point of which run.
import { SIDE } from "./paint.js";

const DOT = 3; // px, a code's dot on a plane

// codes: Float32Array (N * 2) of one point; labels: string of N digits; extent [x0, x1, y0, y1].
export function paintPlane(canvas, codes, labels, extent, palette) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const [x0, x1, y0, y1] = extent;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  for (let i = 0; i < labels.length; i++) { // in the digits' order, so no one digit's colour covers the rest
    ctx.fillStyle = palette[labels.charCodeAt(i) - 48];
    const px = (codes[2 * i] - x0) / (x1 - x0) * width;
    const py = (1 - (codes[2 * i + 1] - y0) / (y1 - y0)) * height;
    ctx.fillRect(px - DOT / 2, py - DOT / 2, DOT, DOT);
  }
}

// pixels: Uint8Array (10 * 784) of ten 28x28 images, painted side by side into a (280 x 28) canvas.
export function paintRow(canvas, pixels) {
  const ctx = canvas.getContext("2d");
  const count = pixels.length / (SIDE * SIDE);
  const image = ctx.createImageData(SIDE * count, SIDE);
  const rgba = new Uint32Array(image.data.buffer); // one write a pixel: grey v as 0xFFvvvvvv (little-endian)
  for (let i = 0; i < pixels.length; i++) {
    const k = Math.floor(i / (SIDE * SIDE));
    const r = Math.floor(i / SIDE) % SIDE;
    const v = pixels[i];
    rgba[r * SIDE * count + k * SIDE + (i % SIDE)] = 0xff000000 | (v << 16) | (v << 8) | v;
  }
  ctx.putImageData(image, 0, 0);
}

// The curves' axes: log-epoch across (0 at the left edge), log-MSE up.
export function curveScale(runs, width, height) {
  const floor = Math.min(...runs.map((r) => r.epochs[1])); // one step: x is log(epoch + one step), step 0 at the left
  const last = Math.max(...runs.map((r) => r.epochs.at(-1)));
  const values = runs.flatMap((r) => [...r.test_mse, ...(r.train_mse ?? [])]).filter((v) => v !== null);
  const lo = Math.log(Math.min(...values) * 0.9), hi = Math.log(Math.max(...values) * 1.1);
  const left = Math.log(floor), right = Math.log(last + floor);
  return {
    x: (epoch) => (Math.log(epoch + floor) - left) / (right - left) * width,
    y: (mse) => (1 - (Math.log(mse) - lo) / (hi - lo)) * height,
    ticks: [0.01, 0.1, 1, 10].filter((e) => e <= last),
    levels: [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3].filter((v) => Math.log(v) > lo && Math.log(v) < hi),
  };
}

// An SVG of each run's test MSE against epoch, with a labelled tick per epoch decade and a cursor line to move.
export function curvesSvg(runs, colours, width, height) {
  const s = curveScale(runs, width, height);
  const line = (epochs, values, colour, dash) => {
    const d = epochs.map((e, i) => [e, values[i]]).filter(([, v]) => v !== null)
      .map(([e, v], i) => `${i ? "L" : "M"}${s.x(e).toFixed(1)},${s.y(v).toFixed(1)}`);
    return `<path d="${d.join("")}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"/>`;
  };
  const lines = runs.map((r, k) => line(r.epochs, r.test_mse, colours[k], "none") +
    (r.train_mse ? line(r.epochs, r.train_mse, colours[k], "2 3") : ""));
  const ticks = s.ticks.map((e) => `<line x1="${s.x(e)}" x2="${s.x(e)}" y1="${height}" y2="${height - 6}" ` +
    `stroke="#666"/><text x="${s.x(e)}" y="${height + 14}" text-anchor="middle">${e}</text>`);
  const levels = s.levels.map((v) => `<line x1="0" x2="${width}" y1="${s.y(v)}" y2="${s.y(v)}" stroke="#eee"/>` +
    `<text x="-4" y="${s.y(v) + 4}" text-anchor="end">${v}</text>`);
  return `<svg viewBox="-34 -8 ${width + 40} ${height + 44}" width="${width + 40}" height="${height + 44}" ` +
    `role="img" aria-label="each run's test MSE (solid) and ` +
    `training MSE (dotted) against epochs, on log scales">${levels.join("")}${lines.join("")}${ticks.join("")}` +
    `<text x="0" y="${height + 28}">MSE against epochs (both log scales)</text>` +
    `<line class="cursor" y1="-8" y2="${height}" stroke="#000" stroke-dasharray="3 3"/></svg>`;
}

export function moveCursor(svg, x) {
  const line = svg.querySelector(".cursor");
  line.setAttribute("x1", x.toFixed(1));
  line.setAttribute("x2", x.toFixed(1));
}
