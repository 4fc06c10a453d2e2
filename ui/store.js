// The one place the page's components share: the spaces' data, the drawing, its codes and the slider code.
// Components change it and announce the change with emit(); the others listen with on(). Nothing else is global.
const listeners = new Map();

export const state = {
  data: null, // spaces.json: per space its sliders' box and histograms, map, meter sizes and files; the examples
  space: null, // whose decoder the sliders drive: "ae", "vae" or "pca"; spaces.json's "space" as the page opens
  drawing: null, // {strokes: [[[x, y], ...], ...]} in canvas pixels, {image: base64 of 784 bytes}, or null
  results: null, // the finished drawing in every space: {ae: {code, recon, mse}, ...}, null without a drawing
  z: null, // the slider code, number[] of the current space's size
  moved: [], // the numbers of the slider code moved off the drawing's code (indices), so the captions can say so
};

export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(listener);
}

export function emit(event, detail) {
  for (const listener of listeners.get(event) ?? []) listener(detail);
}
