// A strip of real test digits, one of each; clicking one puts it on the canvas in place of the drawing.
import { ready } from "./engine.js";
import { fromBase64, paint } from "./paint.js";
import { emit, state } from "./store.js";

export function mount(element) {
  const strip = element.querySelector(".ae-examples");
  ready.then(() => {
    state.data.examples.pixels.forEach((pixels, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ae-example";
      button.setAttribute("aria-label", `test digit ${state.data.examples.labels[i]}`);
      const tile = document.createElement("canvas");
      tile.width = tile.height = 28;
      paint(tile, fromBase64(pixels));
      button.append(tile);
      button.addEventListener("click", () => emit("example", i));
      strip.append(button);
    });
  });
}
