import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devArtifacts } from "./helpers/devBuild.js";
import { verifyDevProof } from "./helpers/proverBuild.js";
import Database from "better-sqlite3";

const BIN = fileURLToPath(new URL("../bin/zkseq.mjs", import.meta.url));

interface Service {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  exited: Promise<unknown>;
}

/** Starts `zkseq prover serve` on a free port; resolves once it listens. */
async function serve(db: string): Promise<Service> {
  const child = spawn(process.execPath, [BIN, "prover", "serve", "--port", "0", "--db", db, "--workers", "2"], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise((r) => child.on("exit", r));
  const url = await new Promise<string>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`prover exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "prover listening") resolve(entry.address as string);
    });
  });
  return { child, url, logs, exited };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("restart: kill -9 mid-run loses no accepted job and proves none twice", { timeout: 300_000 }, async () => {
  await devArtifacts(); // the child finds the set-up build in the cache
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-restart-")), "jobs.db");
  const first = await serve(db);
  const ids: string[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${first.url}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ build: "dev", batch: scenarioBatchJson(makeScenario({ seed: 500 + i, batchNumber: BigInt(100 + i) })) }),
      });
      assert.equal(res.status, 202);
      ids.push(((await res.json()) as { job: { id: string } }).job.id);
    }
    // let some proofs finish while others are in flight, then pull the plug
    await until(() => first.logs.some((l) => l.msg === "job proven"), "a first proof");
    await until(() => first.logs.filter((l) => l.msg === "job started").length > first.logs.filter((l) => l.msg === "job proven").length, "a proof in flight");
  } finally {
    first.child.kill("SIGKILL");
    await first.exited;
  }
  // what the first run finished is what its database says (a log line written just before SIGKILL may never reach the pipe)
  const store = new Database(db, { readonly: true });
  const provenBefore = (store.prepare(`SELECT id FROM jobs WHERE state = 'done'`).all() as { id: string }[]).map((r) => r.id);
  store.close();
  assert.ok(provenBefore.length >= 1 && provenBefore.length < ids.length, `killed with ${provenBefore.length} of ${ids.length} proven`);
  for (const id of first.logs.filter((l) => l.msg === "job proven").map((l) => l.jobId as string)) assert.ok(provenBefore.includes(id), `job ${id} logged proven is done in the store`);

  const second = await serve(db);
  try {
    assert.ok(second.logs.some((l) => typeof l.msg === "string" && /requeued \d+ job/.test(l.msg)), "interrupted jobs were requeued");
    await until(async () => {
      const states = await Promise.all(ids.map(async (id) => ((await (await fetch(`${second.url}/jobs/${id}`)).json()) as { job: { state: string } }).job.state));
      return states.every((s) => s === "done");
    }, "every job done after the restart");
    for (const id of ids) {
      const proof = (await (await fetch(`${second.url}/jobs/${id}/proof`)).json()) as { proof: never; publicSignals: string[] };
      assert.equal(await verifyDevProof(proof.publicSignals, proof.proof), true, `proof of ${id}`);
    }
    const health = (await (await fetch(`${second.url}/healthz`)).json()) as { jobs: Record<string, number> };
    assert.deepEqual(health.jobs, { queued: 0, running: 0, done: 6, failed: 0, cancelled: 0 });
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
  const proven = [...provenBefore, ...second.logs.filter((l) => l.msg === "job proven").map((l) => l.jobId)];
  assert.deepEqual([...proven].sort(), [...ids].sort(), "each accepted job completed exactly once across both runs");
});
