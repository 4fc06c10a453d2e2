// A drawing to the model's input as MNIST was made, the same arithmetic as ae/strokes.py (the browser tests compare
// the two): fit the drawing, pen included, in a 20x20 box keeping its aspect ratio; draw its strokes with a pen of
// MNIST's width whatever the drawing's size; move its centre of mass to MNIST's (14, 14).
import { SIDE } from "./paint.js";

export const BOX = 20;
export const PEN = 3.0; // stroke width in model pixels (ae/strokes.py says why)
const CENTRE = 14;
const REACH = PEN / 2 + 0.5; // a pixel farther than this from every stroke gets no ink
const MIN_SIDE = 1e-3; // canvas px: a drawing smaller than this is a dot (ae/strokes.py says why)

// segments: Float64Array(4 * S) of x0, y0, x1, y1 in pixel units -> ink Float64Array(784)
function render(segments) {
  const distance = new Float64Array(SIDE * SIDE).fill(Infinity);
  for (let s = 0; s < segments.length; s += 4) {
    const [ax, ay, bx, by] = segments.subarray(s, s + 4);
    const abx = bx - ax;
    const aby = by - ay;
    const length2 = abx * abx + aby * aby;
    const c0 = Math.max(0, Math.floor(Math.min(ax, bx) - REACH));
    const c1 = Math.min(SIDE - 1, Math.ceil(Math.max(ax, bx) + REACH));
    const r0 = Math.max(0, Math.floor(Math.min(ay, by) - REACH));
    const r1 = Math.min(SIDE - 1, Math.ceil(Math.max(ay, by) + REACH));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        // pixel (r, c) samples the point (c, r); t: where along the segment its nearest point lies
        let t = length2 > 0 ? ((c - ax) * abx + (r - ay) * aby) / length2 : 0;
        t = Math.min(Math.max(t, 0), 1);
        const dx = ax + t * abx - c;
        const dy = ay + t * aby - r;
        const d = Math.sqrt(dx * dx + dy * dy);
        if (d < distance[r * SIDE + c]) distance[r * SIDE + c] = d;
      }
    }
  }
  return distance.map((d) => Math.min(Math.max(REACH - d, 0), 1));
}

function centreOfMass(ink) {
  let mass = 0, x = 0, y = 0;
  for (let i = 0; i < ink.length; i++) {
    mass += ink[i];
    x += ink[i] * (i % SIDE);
    y += ink[i] * Math.floor(i / SIDE);
  }
  return [x / mass, y / mass];
}

function shifted(segments, dx, dy) {
  return segments.map((v, i) => v + (i % 2 === 0 ? dx : dy));
}

export function prepareStrokes(strokes) {
  const points = strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const lo = [Math.min(...xs), Math.min(...ys)];
  const size = [Math.max(...xs) - lo[0], Math.max(...ys) - lo[1]];
  const side = Math.max(...size);
  const scale = side > MIN_SIDE ? (BOX - 2 * REACH) / side : 0; // ink reaches REACH beyond a stroke: all of it in 20 px
  const list = [];
  for (const stroke of strokes) {
    const pairs = stroke.length > 1 ? stroke.length - 1 : 1; // a tap is a segment of length 0
    for (let i = 0; i < pairs; i++) {
      const [p, q] = [stroke[i], stroke[Math.min(i + 1, stroke.length - 1)]];
      list.push((p[0] - lo[0]) * scale, (p[1] - lo[1]) * scale, (q[0] - lo[0]) * scale, (q[1] - lo[1]) * scale);
    }
  }
  const boxed = shifted(Float64Array.from(list), CENTRE - size[0] * scale / 2, CENTRE - size[1] * scale / 2);
  const [cx, cy] = centreOfMass(render(boxed));
  return render(shifted(boxed, CENTRE - cx, CENTRE - cy));
}

// {strokes} or {image: base64} -> Float32Array(784), exactly what the encoder gets; null for no drawing
export function prepare(drawing) {
  if (!drawing) return null;
  if (drawing.image) {
    const bytes = atob(drawing.image);
    return Float32Array.from({ length: SIDE * SIDE }, (_, i) => bytes.charCodeAt(i) / 255);
  }
  return drawing.strokes.length ? Float32Array.from(prepareStrokes(drawing.strokes)) : null;
}
