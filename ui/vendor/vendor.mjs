// Rebuild ui/vendor/onnxruntime-web/ from the npm package and check every file against SHA256SUMS.
//   node ui/vendor/vendor.mjs            fetch, check, compress, write, check again
//   node ui/vendor/vendor.mjs --check    only check the committed files
// The page needs two files of the package: the single-thread WASM bundle (which embeds its own loader) and the
// WebAssembly binary it runs. The 14 MB binary is committed compressed twice: brotli for browsers that accept
// it (https and localhost), gzip for the rest (plain http on a LAN); serving.py picks by Accept-Encoding. The gzip
// copy is made by zopfli (`apt-get install zopfli`): any gzip reader takes it, and it is 5% smaller than gzip -9,
// 185 KB less for each browser of a room that a laptop serves over plain http.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const PACKAGE = "onnxruntime-web@1.30.0";
const OUT = join(dirname(fileURLToPath(import.meta.url)), "onnxruntime-web");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

function recorded() {
  // SHA256SUMS: "<hex>  <name>" per line; names in package/ are the npm originals, the rest are committed files
  const sums = new Map();
  for (const line of readFileSync(join(OUT, "SHA256SUMS"), "utf8").split("\n")) {
    const m = line.match(/^([0-9a-f]{64})  (\S+)$/);
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

function check(sums, name, bytes) {
  const got = sha256(bytes);
  if (sums.get(name) !== got) throw new Error(`${name}: SHA-256 ${got}, expected ${sums.get(name)}`);
  console.log(`ok  ${name}`);
}

const sums = recorded();
if (!process.argv.includes("--check")) {
  const work = mkdtempSync(join(tmpdir(), "ort-"));
  try {
    execFileSync("npm", ["pack", PACKAGE, "--pack-destination", work, "--silent"], { stdio: "inherit" });
    const tgz = join(work, "onnxruntime-web-1.30.0.tgz");
    check(sums, "onnxruntime-web-1.30.0.tgz", readFileSync(tgz));
    execFileSync("tar", ["-xzf", tgz, "-C", work, "package/dist/ort.wasm.bundle.min.mjs", "package/dist/ort-wasm-simd-threaded.wasm"]);
    const bundle = readFileSync(join(work, "package/dist/ort.wasm.bundle.min.mjs"));
    const wasm = readFileSync(join(work, "package/dist/ort-wasm-simd-threaded.wasm"));
    check(sums, "package/dist/ort.wasm.bundle.min.mjs", bundle);
    check(sums, "package/dist/ort-wasm-simd-threaded.wasm", wasm);
    writeFileSync(join(OUT, "ort.wasm.bundle.min.mjs"), bundle);
    writeFileSync(join(OUT, "ort-wasm-simd-threaded.wasm.gz"),
      execFileSync("zopfli", ["--i5", "-c", join(work, "package/dist/ort-wasm-simd-threaded.wasm")], { maxBuffer: 64 << 20 }));
    writeFileSync(join(OUT, "ort-wasm-simd-threaded.wasm.br"), brotliCompressSync(wasm, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
    }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
for (const name of ["ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm.gz", "ort-wasm-simd-threaded.wasm.br"]) {
  check(sums, name, readFileSync(join(OUT, name)));
}
