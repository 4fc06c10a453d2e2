// 28x28 images in the page: Float32Array(784), row-major, 0 black .. 1 white, painted into <canvas width=28 height=28>
// that CSS scales up with crisp pixels; over the wire they are base64 of 784 bytes (ae/page.py's pixels_b64).
export const SIDE = 28;

export function paint(canvas, pixels) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(Math.min(Math.max(pixels[i], 0), 1) * 255);
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

export function fromBase64(text) {
  const bytes = atob(text);
  const pixels = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes.charCodeAt(i) / 255;
  return pixels;
}

// A figure holding one painted image: its canvas shown or a blank square, and a caption, with why it shows what it
// does after it (folded away in the presenter view). The canvas's text alternative is what the figure shows (its
// data-what, else "a 28x28 digit image") and the caption.
export function show(figure, pixels, caption, failed = false, why = "") {
  figure.classList.toggle("empty", !pixels);
  figure.classList.toggle("failed", failed);
  const canvas = figure.querySelector("canvas");
  if (pixels) paint(canvas, pixels);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${figure.dataset.what || "a 28x28 digit image"}: ${caption}${why}`);
  const text = figure.querySelector("figcaption");
  text.textContent = caption;
  if (!why) return;
  const span = document.createElement("span");
  span.className = "ae-why";
  span.textContent = why;
  text.append(span);
}

// The digits' colours as a legend, then what the marks mean.
export function legend(palette, marks) {
  return palette.map((c, d) => `<span style="color:${c}">●</span>${d} `).join("") + marks;
}

// A cross marking a sampled code at (x, y) on a map's SVG; a hollow square instead for one the meter puts off the data.
export function cross(x, y, off = false) {
  const corner = `M${(x - 4).toFixed(0)},${(y - 4).toFixed(0)}`;
  return off ? `<path class="sample off" d="${corner}h8v8h-8z"/>` : `<path class="sample" d="${corner}l8,8m0,-8l-8,8"/>`;
}
