// Rebuild ui/vendor/axe-core/ from the npm package and check it against SHA256SUMS. The browser tests run it in the
// page (tests/browser/test_access.py); the app never serves it.
//   node ui/vendor/axe.mjs            fetch, check, write, check again
//   node ui/vendor/axe.mjs --check    only check the committed file
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "4.14.1";
const OUT = join(dirname(fileURLToPath(import.meta.url)), "axe-core");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const sums = new Map(readFileSync(join(OUT, "SHA256SUMS"), "utf8").split("\n").filter(Boolean)
  .map((line) => line.split("  ").reverse()));

function check(name, path) {
  const got = sha256(readFileSync(path));
  if (sums.get(name) !== got) throw new Error(`${name}: SHA-256 ${got}, expected ${sums.get(name)}`);
  console.log(`ok  ${name}`);
}

if (!process.argv.includes("--check")) {
  const work = mkdtempSync(join(tmpdir(), "axe-"));
  try {
    execFileSync("npm", ["pack", `axe-core@${VERSION}`, "--pack-destination", work, "--silent"], { stdio: "inherit" });
    check(`axe-core-${VERSION}.tgz`, join(work, `axe-core-${VERSION}.tgz`));
    execFileSync("tar", ["-xzf", join(work, `axe-core-${VERSION}.tgz`), "-C", work, "package/axe.min.js", "package/LICENSE"]);
    copyFileSync(join(work, "package/axe.min.js"), join(OUT, "axe.min.js"));
    copyFileSync(join(work, "package/LICENSE"), join(OUT, "LICENSE"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
check("axe.min.js", join(OUT, "axe.min.js"));
