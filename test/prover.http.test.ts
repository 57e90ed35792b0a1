import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProver } from "../prover/prover.js";
import { createProverServer } from "../prover/httpServer.js";
import { ProverTokens } from "../prover/proverTokens.js";
import { makeScenario, scenarioBatchJson } from "./helpers/fixtures.js";
import { devFiles, verifyDevProof } from "./helpers/proverBuild.js";
import { loadNativeAddon } from "../prover/nativeAddon.js";

test("http: bad requests get a 4xx JSON error naming the problem, and the service keeps serving; a good job is proven", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-http-")), "jobs.db");
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db, workers: 1 });
  const app = createProverServer(prover);
  try {
    const post = (payload: string | object) =>
      app.inject({ method: "POST", url: "/jobs", headers: { "content-type": "application/json" }, payload: typeof payload === "string" ? payload : JSON.stringify(payload) });
    const s = makeScenario({ seed: 401, txs: 5, forced: 1 });

    const cases: [string, Awaited<ReturnType<typeof post>>, number, string, RegExp?][] = [];
    cases.push(["malformed JSON", await post("{ not json"), 400, "MALFORMED_JSON"]);
    cases.push(["not an object", await post("[1,2]"), 400, "INVALID_ARGUMENT"]);
    cases.push(["unknown build", await post({ build: "huge", input: s.witness.input }), 400, "UNKNOWN_BUILD", /huge/]);
    cases.push(["neither input nor batch", await post({ build: "dev" }), 400, "INVALID_ARGUMENT", /exactly one of input or batch/]);
    const badTimes = { ...s.witness.input, fairTimes: [...(s.witness.input.fairTimes as string[])].reverse() };
    cases.push(["an input the circuit rejects", await post({ build: "dev", input: badTimes }), 400, "CIRCUIT_INPUT_REJECTED", /template (MedianOfOdd|FairOrderLess)/]);
    const missing = { ...s.witness.input } as Record<string, unknown>;
    delete missing.sigS;
    cases.push(["an input missing a signal", await post({ build: "dev", input: missing }), 400, "CIRCUIT_INPUT_REJECTED"]);
    const forged = scenarioBatchJson(s);
    forged.reports[1]!.signature.S = "12345";
    cases.push(["a batch with a forged signature", await post({ build: "dev", batch: forged }), 400, "INVALID_SIGNATURE"]);
    const garbled = scenarioBatchJson(s) as unknown as { header: Record<string, unknown> };
    garbled.header.txRoot = "not a number";
    cases.push(["a batch with a garbled header", await post({ build: "dev", batch: garbled }), 400, "INVALID_FIELD_ELEMENT", /txRoot/]);
    cases.push(["unknown job", await app.inject({ method: "GET", url: "/jobs/" + "a".repeat(32) }), 404, "JOB_NOT_FOUND"]);
    cases.push(["malformed job id", await app.inject({ method: "GET", url: "/jobs/xyz/proof" }), 404, "JOB_NOT_FOUND"]);
    cases.push(["unknown route", await app.inject({ method: "GET", url: "/nope" }), 404, "NOT_FOUND"]);
    for (const [name, res, status, code, message] of cases) {
      assert.equal(res.statusCode, status, `${name}: ${res.body}`);
      const body = res.json() as { error: string; message: string };
      assert.equal(body.error, code, name);
      assert.equal(typeof body.message, "string", name);
      if (message) assert.match(body.message, message, name);
    }

    const health = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json().builds, ["dev"]);
    assert.equal(health.json().backend, "addon" in loadNativeAddon() ? "native" : "snarkjs");

    const accepted = await post({ build: "dev", batch: scenarioBatchJson(s) });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const id = accepted.json().job.id as string;
    const again = await post({ build: "dev", batch: scenarioBatchJson(s) });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().job.id, id);

    const early = await app.inject({ method: "GET", url: `/jobs/${id}/proof` });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error, "JOB_NOT_DONE");

    await prover.waitFor(id);
    const job = await app.inject({ method: "GET", url: `/jobs/${id}` });
    assert.equal(job.json().job.state, "done");
    const proof = (await app.inject({ method: "GET", url: `/jobs/${id}/proof` })).json();
    assert.equal(proof.batchHash, s.witness.batchHash.toString());
    assert.equal(proof.header.batchNumber, s.proposal.header.batchNumber.toString());
    assert.equal(await verifyDevProof(proof.publicSignals, proof.proof), true);

    const del = await app.inject({ method: "DELETE", url: `/jobs/${id}` });
    assert.equal(del.statusCode, 200);
    assert.equal(del.json().job.state, "done", "a finished job stays as it is");

    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers["content-type"] as string, /text\/plain/);
    assert.match(metrics.body, /zkseq_prover_queue_depth 0/);
    assert.match(metrics.body, /zkseq_prover_in_flight 0/);
    assert.match(metrics.body, /zkseq_prover_proofs_done_total\{build="dev"\} 1/);
    assert.match(metrics.body, /zkseq_prover_prove_seconds_count\{build="dev"\} 1/);
    assert.match(metrics.body, /zkseq_prover_witness_seconds_bucket/);

    // the figures the network page shows: one proof done, its time in the percentiles, no queue workers
    const stats = await app.inject({ method: "GET", url: "/stats" });
    assert.equal(stats.statusCode, 200);
    const st = stats.json();
    assert.deepEqual([st.queued, st.inFlight, st.done, st.failed, st.sample, st.workers], [0, 0, 1, 0, 1, []]);
    assert.ok(st.p50ProofMs > 0 && st.p95ProofMs === st.p50ProofMs, JSON.stringify(st));
    assert.ok(st.proofsPerMinute > 0 && st.threads >= 1, JSON.stringify(st));
  } finally {
    await app.close();
    await prover.close();
  }
});

test("http: with tokens, a request without a valid token is refused, and one client cannot cancel another's job", async () => {
  const db = join(await mkdtemp(join(tmpdir(), "zkseq-http-")), "jobs.db");
  const prover = await createProver({ artifacts: { dev: await devFiles() }, db, autoStart: false });
  const tokens = ProverTokens.parse("rollup:rollup-token-0123456789\n# a comment\nother:other-token-0123456789");
  const app = createProverServer(prover, { tokens });
  try {
    const as = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
    const post = (token: string | undefined, payload: object) =>
      app.inject({ method: "POST", url: "/jobs", headers: { "content-type": "application/json", ...as(token) }, payload: JSON.stringify(payload) });
    const batch = scenarioBatchJson(makeScenario({ seed: 411 }));
    for (const res of [await post(undefined, { build: "dev", batch }), await post("wrong-token-0123456789", { build: "dev", batch })]) {
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error, "UNAUTHORIZED");
    }
    assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200, "health and metrics stay open");
    const accepted = await post("rollup-token-0123456789", { build: "dev", batch });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const id = accepted.json().job.id as string;
    // the other client derives the same job from the same public batch: it gets the job, not the right to cancel it
    const same = await post("other-token-0123456789", { build: "dev", batch });
    assert.equal(same.statusCode, 200);
    assert.equal(same.json().job.id, id);
    const denied = await app.inject({ method: "DELETE", url: `/jobs/${id}`, headers: as("other-token-0123456789") });
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().error, "NOT_JOB_OWNER");
    assert.equal((await app.inject({ method: "GET", url: `/jobs/${id}`, headers: as("rollup-token-0123456789") })).json().job.state, "queued");
    const cancelled = await app.inject({ method: "DELETE", url: `/jobs/${id}`, headers: as("rollup-token-0123456789") });
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json().job.state, "cancelled");
    assert.throws(() => ProverTokens.parse("short:abc"), /shorter than 16/);
  } finally {
    await app.close();
    await prover.close();
  }
});
