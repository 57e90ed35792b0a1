#!/usr/bin/env node
// Builds the network page (web/) into web/dist/: one script bundle (uPlot,
// the page, and Poseidon's constants for the widths it hashes: t = 3 and 5),
// its styles and uPlot's. Every member node serves these files itself
// (member/networkPage.ts): no CDN. Run by `npm install` and `npm test`;
// `npm run build:web` after editing web/.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const out = join(root, "web", "dist");
/** A dependency's folder (circomlibjs's `exports` hide its constants file from require.resolve). */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json")) || JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== name) {
    if (dirname(dir) === dir) throw new Error(`cannot find the ${name} package`);
    dir = dirname(dir);
  }
  return dir;
}
await mkdir(out, { recursive: true });

/** Only the Poseidon widths the transaction tree uses (arity 2 and 4): about 60 KB instead of circomlibjs's 900 KB of constants. */
const poseidonConstants = {
  name: "poseidon-constants",
  setup(b) {
    b.onResolve({ filter: /^zkseq:poseidon-constants$/ }, () => ({ path: "poseidon-constants", namespace: "zkseq" }));
    b.onLoad({ filter: /.*/, namespace: "zkseq" }, async () => {
      const all = JSON.parse(await readFile(join(packageDir("circomlibjs"), "src", "poseidon_constants.json"), "utf8"));
      const widths = Object.fromEntries([3, 5].map((t) => [t, { C: all.C[t - 2], M: all.M[t - 2] }]));
      return { contents: `export default ${JSON.stringify(widths)};`, loader: "js" };
    });
  },
};

const started = Date.now();
const result = await build({
  entryPoints: [join(root, "web", "main.ts")],
  bundle: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  outfile: join(out, "app.js"),
  plugins: [poseidonConstants],
  metafile: true,
  logLevel: "warning",
});
await copyFile(join(root, "web", "style.css"), join(out, "app.css"));
await copyFile(join(root, "web", "index.html"), join(out, "index.html"));
await copyFile(join(packageDir("uplot"), "dist", "uPlot.min.css"), join(out, "uPlot.min.css"));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`network page: web/dist/ (${Math.round(bytes / 1024)} KiB of script) in ${Date.now() - started} ms`);
