// The page's modules by file name, in one object: the entry ui/build.mjs bundles into ui/dist/bundle.js, so a
// first visit fetches the page's code in one request, not one per module. Each gr.HTML part mounts its own module
// from it (app.py script()); served as it is (each module then fetched alone) while the bundle is not current.
import * as bottleneck from "./bottleneck.js";
import * as canvas from "./canvas.js";
import * as compare from "./compare.js";
import * as decoded from "./decoded.js";
import * as engine from "./engine.js";
import * as examples from "./examples.js";
import * as guide from "./guide.js";
import * as latentMap from "./latent-map.js";
import * as latest from "./latest.js";
import * as meter from "./meter.js";
import * as network from "./network.js";
import * as page from "./page.js";
import * as paint from "./paint.js";
import * as planes from "./planes.js";
import * as prepare from "./prepare.js";
import * as remote from "./remote.js";
import * as replayDraw from "./replay-draw.js";
import * as replay from "./replay.js";
import * as seen from "./seen.js";
import * as sliders from "./sliders.js";
import * as store from "./store.js";
import * as sweep from "./sweep.js";

export const modules = {
  "bottleneck.js": bottleneck,
  "canvas.js": canvas,
  "compare.js": compare,
  "decoded.js": decoded,
  "engine.js": engine,
  "examples.js": examples,
  "guide.js": guide,
  "latent-map.js": latentMap,
  "latest.js": latest,
  "meter.js": meter,
  "network.js": network,
  "page.js": page,
  "paint.js": paint,
  "planes.js": planes,
  "prepare.js": prepare,
  "remote.js": remote,
  "replay-draw.js": replayDraw,
  "replay.js": replay,
  "seen.js": seen,
  "sliders.js": sliders,
  "store.js": store,
  "sweep.js": sweep,
};
