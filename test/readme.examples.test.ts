/**
 * The README's examples cannot drift: each one is a file under examples/,
 * shown verbatim in the README (after an `<!-- example: path -->` marker), and
 * run here with plain `node`, importing zkseq by its package name exactly as
 * a dependent project does (the compiled entry points in dist/, which
 * `npm test` builds first).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every `<!-- example: path -->` marker of the README and the fenced block after it. */
async function readmeExamples(): Promise<{ path: string; shown: string }[]> {
  const readme = await readFile(`${ROOT}README.md`, "utf8");
  return [...readme.matchAll(/<!-- example: (\S+) -->\n```[a-z]*\n([\s\S]*?)```/g)].map((m) => ({ path: m[1]!, shown: m[2]! }));
}

test("README: every example it shows is a file under examples/, shown verbatim and run by a test", async () => {
  const examples = await readmeExamples();
  assert.ok(examples.length >= 2, "the README shows its examples through markers");
  // prove-a-batch runs below; follow-the-chain needs a chain with a landed batch: the package test runs it in a consumer project
  const runners: Record<string, string> = { "examples/prove-a-batch.mjs": "test/readme.examples.test.ts", "examples/follow-the-chain.mjs": "test/package.consumer.test.ts" };
  for (const e of examples) {
    assert.match(e.path, /^examples\/[\w.-]+\.mjs$/);
    assert.equal(e.shown, await readFile(`${ROOT}${e.path}`, "utf8"), `${e.path} differs from the README's copy`);
    const runner = runners[e.path];
    assert.ok(runner, `${e.path}: no test runs it`);
    assert.ok((await readFile(`${ROOT}${runner}`, "utf8")).includes(e.path.split("/")[1]!), `${runner} runs ${e.path}`);
  }
  // no other fenced TypeScript or JavaScript in the README: every example is a file that runs
  const readme = await readFile(`${ROOT}README.md`, "utf8");
  const fenced = [...readme.matchAll(/(<!-- example: \S+ -->\n)?```(ts|js|typescript|javascript)\n/g)];
  assert.deepEqual(fenced.filter((m) => !m[1]).map((m) => m.index), [], "a code block that is not an example file");
});

test("README: the library example proves a batch and verifies it, with plain node and the package's own entry points", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [`${ROOT}examples/prove-a-batch.mjs`], { cwd: ROOT, env: process.env, maxBuffer: 1 << 24 });
  assert.match(stdout, /^batch 1 verified: 3 transactions, batchHash 0x[0-9a-f]+$/m);
});
