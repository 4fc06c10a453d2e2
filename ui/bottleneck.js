// The drawing reconstructed through every code size side by side, with its error, live while drawing whenever the
// section is in view (the models load the first time it is), and the measured curves beside it.
import { decodeWith, encode, fetched, mse, ready } from "./engine.js";
import { latest } from "./latest.js";
import { show } from "./paint.js";
import { prepare } from "./prepare.js";
import { seen } from "./seen.js";
import { on, state } from "./store.js";

export function mount(element) {
  const row = element.querySelector(".ae-sizes-row");
  const note = element.querySelector(".ae-sizes-note");
  const curves = element.querySelector(".ae-curves");
  let sizes = []; // [{d, files, figure}]
  let visible = false;

  const update = latest(async () => {
    const input = prepare(state.drawing);
    for (const { d, files, figure } of sizes) {
      if (!input) {
        show(figure, null, `${d} numbers: draw a digit`);
        continue;
      }
      const recon = await decodeWith(files, await encode(files, input));
      show(figure, recon, `${d} numbers · MSE ${mse(recon, input).toFixed(4)}`);
    }
  });

  Promise.all([ready, seen(element, "100%")]).then(async ([{ mode }]) => {
    const info = await fetched("bottleneck.json", "json");
    if (info.measured) curves.querySelector("img").src = new URL("bottleneck.svg", import.meta.url).href;
    else curves.hidden = true;
    sizes = info.sizes.map(({ d, files }) => {
      const figure = document.createElement("figure");
      figure.className = "digit small empty";
      figure.id = `size-${d}`;
      figure.dataset.what = `your drawing through a ${d}-number code`;
      figure.innerHTML = `<canvas width="28" height="28"></canvas><div class="blank"></div><figcaption>${d} numbers</figcaption>`;
      row.append(figure);
      return { d, files, figure };
    });
    if (mode === "server") {
      note.hidden = false;
      note.textContent = "These models run only in the page, and this browser runs the models on the server.";
      return;
    }
    new IntersectionObserver((entries) => {
      visible = entries[0].isIntersecting;
      if (visible) update();
    }, { rootMargin: "200px" }).observe(element);
    on("drawing", () => visible && update());
  });
}
