// The models: run in the page by ONNX Runtime Web (WebAssembly, one thread), or, where that cannot work (no
// WebAssembly SIMD, a file of the sliders' first space that fails to load, or ?models=server in the address), on the
// server through remote.js. Another space whose files fail runs on the server alone. The rest of the page calls
// reconstruct() and decode() and does not care which.
import { measure, unpack } from "./meter.js";
import { SIDE } from "./paint.js";
import { prepare } from "./prepare.js";
import * as remote from "./remote.js";
import { emit, state } from "./store.js";

const here = (name) => new URL(name, import.meta.url).href;
// the smallest module with a SIMD instruction (i8x16.splat): it validates only where WebAssembly SIMD is supported
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0,
                                   65, 0, 253, 15, 253, 98, 11]);

let ort = null;
const sessions = {}; // "ae_encoder.onnx" -> InferenceSession, created on first use
const packs = {}; // space -> promise of its meter pack
let queue = Promise.resolve(); // one model run at a time: the runtime is single-threaded and not reentrant
const loaded = {}; // name -> promise: each of the page's files is fetched once, whoever asks
export const missing = {}; // part -> why its layer export did not load (the plain export runs in its place)
const elsewhere = {}; // space -> why its files did not load: it runs on the server while the page runs the others

export const ready = start(); // as the sliders' first space opens -> {mode: "page"} or {mode: "server", reason}

export function fetched(name, as = "arrayBuffer") {
  loaded[name] ??= fetch(here(name)).then((response) => {
    if (!response.ok) throw new Error(`${name} did not load (HTTP ${response.status})`);
    return response[as]();
  });
  return loaded[name];
}

async function session(name) {
  if (!sessions[name]) {
    sessions[name] = fetched(name).then((bytes) => ort.InferenceSession.create(new Uint8Array(bytes)))
      .catch((err) => { // a failed fetch names the file already; the runtime's errors do not
        throw err.message.startsWith(name) ? err : new Error(`${name} did not load: ${err.message}`);
      });
  }
  return sessions[name];
}

// A part's session: its layer export where the space has one (the same weights, each layer's activations too), else,
// or when that did not load, the plain export.
async function partSession(files, part) {
  const layered = files[`${part}_layers`];
  if (layered && !(part in missing)) {
    try {
      return await session(layered);
    } catch (err) {
      missing[part] = err.message;
      emit("activations", { part, failed: err.message });
    }
  }
  return session(files[part]);
}

async function start() {
  state.data = await fetched("spaces.json", "json");
  state.space = state.data.space; // the sliders' first space: the server announces its files as the live path
  if (new URLSearchParams(location.search).get("models") === "server") {
    return { mode: "server", reason: "the address asks for it (?models=server)" };
  }
  if (!WebAssembly.validate(SIMD_PROBE)) return { mode: "server", reason: "this browser lacks WebAssembly SIMD" };
  try {
    // ui/vendor/onnxruntime-web/'s, served beside this module; the bundle holds it (ui/build.mjs), evaluated here
    ort = await import("./ort.wasm.bundle.min.mjs");
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = { wasm: here("ort-wasm-simd-threaded.wasm") };
    await open(state.space); // its meter pack follows, as the sliders first decode: the reconstruction needs none
    return { mode: "page" };
  } catch (err) {
    return { mode: "server", reason: err.message };
  }
}

// A space's encoder and decoder, and its meter pack when asked. The sliders' first space opens before ready, its
// meter pack as the sliders first decode; the others on first use, which is the canvas's first finished drawing once
// its reconstruction here is painted, so their files never hold up the live path (and their meter packs wait for the
// sliders to switch to them).
function open(space, meter = false) {
  const { files } = state.data.spaces[space];
  return Promise.all([partSession(files, "encoder"), partSession(files, "decoder"), meter && meterPack(space)]);
}

// Where a space's models run: where ready says, unless that space's files failed to load; then it alone runs on
// the server's live routes, announced once as "fallback" so the page can say why.
async function where(space, meter = false) {
  const page = await ready;
  if (page.mode === "server") return page;
  if (!(space in elsewhere)) {
    try {
      await open(space, meter);
      return page;
    } catch (err) {
      if (!(space in elsewhere)) { // announced once, by whichever call saw it first
        elsewhere[space] = err.message;
        emit("fallback", { space, reason: err.message });
      }
    }
  }
  return { mode: "server", reason: elsewhere[space] };
}

function meterPack(space) {
  const info = state.data.spaces[space];
  packs[space] ??= fetched(info.files.meter).then((buffer) => unpack(buffer, info.meter, info.dim));
  return packs[space];
}

// A part's usual output (Float32Array); a layer export's outputs are announced as "activations" for the network,
// unless the run is not of the page's drawing or slider code (announce false).
async function run(files, part, input, dims, announce = true) {
  const model = await partSession(files, part);
  const feeds = { [model.inputNames[0]]: new ort.Tensor("float32", input, dims) };
  const next = queue.then(() => model.run(feeds));
  queue = next.catch(() => {});
  const out = await next;
  if (announce && model.outputNames.length > 1) {
    const outputs = Object.fromEntries(model.outputNames.map((name) => [name, out[name].data]));
    emit("activations", { part, input, outputs });
  }
  return out[model.outputNames[0]].data;
}

export function encode(files, input) {
  return run(files, "encoder", input, [1, 1, SIDE, SIDE]);
}

export function decodeWith(files, z) {
  return run(files, "decoder", Float32Array.from(z), [1, z.length]);
}

export function mse(a, b) {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += (a[i] - b[i]) ** 2;
  return total / a.length;
}

// a drawing -> {input: Float32Array(784), results: {space: {code, recon, mse}}} for the spaces named; null if empty
export async function reconstruct(drawing, spaces) {
  if (!drawing) return null;
  const modes = await Promise.all(spaces.map(async (name) => (await where(name)).mode));
  const served = spaces.filter((_, i) => modes[i] === "server");
  if (served.length === spaces.length) return remote.reconstruct(drawing, spaces);
  const input = prepare(drawing);
  if (!input) return null;
  const results = {};
  for (const name of spaces.filter((_, i) => modes[i] === "page")) {
    const files = state.data.spaces[name].files;
    const code = await encode(files, input);
    const recon = await decodeWith(files, code);
    results[name] = { code, recon, mse: mse(recon, input) };
  }
  if (served.length) Object.assign(results, (await remote.reconstruct(drawing, served))?.results);
  return { input, results };
}

// count codes of a space (Float32Array, count * dim) -> their images (Float32Array, count * 784), in one run
export async function decodeAll(space, codes, count) {
  const { mode, reason } = await where(space);
  if (mode === "server") throw new Error(`they need the models in the page, and here the server runs them: ${reason}`);
  return run(state.data.spaces[space].files, "decoder", codes, [count, codes.length / count], false);
}

// a code in a space -> {image: Float32Array(784), meter: {distance, digit, percentile, typical, warn}}
export async function decode(space, z) {
  if ((await where(space, true)).mode === "server") return remote.decode(space, z); // true: the meter pack too
  const info = state.data.spaces[space];
  const image = await decodeWith(info.files, z);
  return { image, meter: measure(await meterPack(space), z, info.meter.warn_percentile) };
}
