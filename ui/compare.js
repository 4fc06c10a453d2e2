// The finished drawing reconstructed by each model (the autoencoder, the VAE, PCA) with its error, side by side.
import { ready } from "./engine.js";
import { show } from "./paint.js";
import { on, state } from "./store.js";

export function mount(element) {
  const row = element.querySelector(".ae-compare");
  const figures = {};
  ready.then(() => {
    for (const [name, s] of Object.entries(state.data.spaces)) {
      const figure = document.createElement("figure");
      figure.className = "digit small empty";
      figure.id = `compare-${name}`;
      figure.dataset.what = `your drawing reconstructed by the ${s.title}`;
      figure.innerHTML = `<canvas width="28" height="28"></canvas><div class="blank"></div><figcaption>${s.title}</figcaption>`;
      figures[name] = figure;
      row.append(figure);
    }
    if (state.results) paint(); // mounted after the first drawing was reconstructed: catch up
  });

  function paint() {
    for (const [name, figure] of Object.entries(figures)) {
      const r = state.results && state.results[name];
      const title = state.data.spaces[name].title;
      show(figure, r && r.recon, r ? `${title} · MSE ${r.mse.toFixed(4)}` : `${title}: draw a digit`);
    }
  }
  on("results", paint);
}
