// The server's live routes (serving.py), for a page that cannot run the models itself: the same answers as
// engine.js gives in the page, one request at a time per caller (each caller goes through latest.js).
import { fromBase64 } from "./paint.js";

async function post(route, body) {
  const response = await fetch(new URL(route, document.baseURI), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
  return answer;
}

export async function reconstruct(drawing, spaces) {
  const answer = await post("live/reconstruct", { drawing, spaces });
  if (answer.empty) return null;
  const results = {};
  for (const [name, r] of Object.entries(answer.results)) {
    results[name] = { code: Float32Array.from(r.code), recon: fromBase64(r.recon), mse: r.mse };
  }
  return { input: fromBase64(answer.input), results };
}

export async function decode(space, z) {
  const { image, ...meter } = await post("live/decode", { space, z: Array.from(z) });
  return { image: fromBase64(image), meter };
}
