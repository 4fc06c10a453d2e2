// Bundle the page's modules (ui/index.js and all it imports, the vendored runtime's JavaScript among them) into
// ui/dist/bundle.js with esbuild, so a first visit fetches the page's code in one request instead of one per module.
// The bundle's first line records a digest of its sources; the server checks it at start (serve/files.py
// sources_digest) and serves the modules unbundled, with a warning, while the bundle is older than they are.
//   npm run build               write ui/dist/bundle.js (npm ci first, once)
//   npm run build -- --check    exit 1 unless ui/dist/bundle.js is what esbuild makes of ui/*.js now
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const UI = dirname(fileURLToPath(import.meta.url));
const OUT = join(UI, "dist", "bundle.js");
const RUNTIME = "vendor/onnxruntime-web/ort.wasm.bundle.min.mjs"; // engine.js imports it as if beside it, as served

// sha256 over each ui/*.js in name order and then the runtime's JavaScript, each as its path under ui/, a newline
// and its bytes (the same as serve/files.py's)
function sourcesDigest() {
  const hash = createHash("sha256");
  for (const name of [...readdirSync(UI).filter((n) => n.endsWith(".js")).sort(), RUNTIME]) {
    hash.update(name + "\n").update(readFileSync(join(UI, name)));
  }
  return hash.digest("hex");
}

// "./ort.wasm.bundle.min.mjs", which the route serves beside the modules, is the vendored file
const runtime = {
  name: "runtime",
  setup(b) {
    b.onResolve({ filter: /^\.\/ort\.wasm\.bundle\.min\.mjs$/ }, () => ({ path: join(UI, RUNTIME) }));
  },
};

const result = await build({
  entryPoints: [join(UI, "index.js")],
  bundle: true,
  format: "esm",
  minify: true,
  charset: "utf8",
  legalComments: "eof", // the runtime's licence notice
  banner: { js: `// ui/dist/bundle.js, built by \`npm run build\` from ui/*.js and the runtime, sha256 ${sourcesDigest()}: do not edit` },
  plugins: [runtime],
  write: false,
});
const bundle = result.outputFiles[0].contents;
if (process.argv.includes("--check")) {
  const same = Buffer.compare(Buffer.from(bundle), readFileSync(OUT)) === 0;
  console.log(same ? "ok  ui/dist/bundle.js is current" : "ui/dist/bundle.js is not what ui/*.js build to now: npm run build");
  process.exit(same ? 0 : 1);
}
writeFileSync(OUT, bundle);
console.log(`wrote ui/dist/bundle.js (${bundle.length} bytes)`);
