/**
 * What the network page computes in the browser, checked here in Node against
 * zkseq's own code: its BigInt Poseidon equals circomlibjs's, and its check of
 * a node's transaction answer accepts a true inclusion proof and refuses every
 * tampered one (sibling, slot, root, hash asked, raw bytes). The prover's
 * proof-time figures are checked too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { makePoseidon, FIELD } from "../web/poseidon.js";
import { checkTxLookup, txHashOfHex } from "../web/txCheck.js";
import { poseidon } from "../src/poseidon.js";
import { txHashOf } from "../src/txHash.js";
import { txInclusionProof, txRoot } from "../src/txTree.js";
import { RecentProofs } from "../prover/proverStats.js";
import type { TxLookup } from "../member/networkView.js";

const require = createRequire(import.meta.url);
const constantsFile = join(dirname(require.resolve("circomlibjs")), "..", "src", "poseidon_constants.json");
const all = JSON.parse(await readFile(constantsFile, "utf8")) as { C: string[][]; M: string[][][] };
// the widths the page ships (scripts/build-web.mjs): the transaction tree's arities 2 and 4
const pagePoseidon = makePoseidon(Object.fromEntries([3, 5].map((t) => [t, { C: all.C[t - 2]!, M: all.M[t - 2]! }])));
const field = () => BigInt("0x" + randomBytes(32).toString("hex")) % FIELD;

test("page: its BigInt Poseidon equals circomlibjs's for 2 and 4 inputs (zero, random, near the modulus) and refuses widths and values it has no constants for", () => {
  const cases: bigint[][] = [
    [0n, 0n],
    [1n, 2n],
    [FIELD - 1n, FIELD - 2n],
    [0n, 0n, 0n, 0n],
    [FIELD - 1n, 0n, 1n, FIELD - 1n],
    ...Array.from({ length: 6 }, () => [field(), field()]),
    ...Array.from({ length: 6 }, () => [field(), field(), field(), field()]),
  ];
  for (const inputs of cases) assert.equal(pagePoseidon(inputs), poseidon(inputs), inputs.join(","));
  assert.equal(pagePoseidon([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  assert.throws(() => pagePoseidon([1n, 2n, 3n]), /no Poseidon constants for 3 inputs/);
  assert.throws(() => pagePoseidon([FIELD, 0n]), /field element/);
  assert.throws(() => pagePoseidon([-1n, 0n]), /field element/);
});

test("page: the txHash of raw bytes is zkseq's (keccak256, low 248 bits)", () => {
  for (const len of [1, 32, 150, 1000]) {
    const raw = "0x" + randomBytes(len).toString("hex");
    assert.equal(txHashOfHex(raw), txHashOf(raw));
  }
  assert.throws(() => txHashOfHex("0xabc"), /0x-hex/);
});

test("page: a node's answer is accepted only when its inclusion proof leads to the batch's txRoot, for the hash asked, with matching bytes", () => {
  const raws = Array.from({ length: 5 }, () => "0x" + randomBytes(40).toString("hex"));
  const hashes = raws.map((r) => txHashOf(r));
  for (const [size, slot] of [
    [8, 3],
    [8, 0],
    [32, 4],
    [2, 1],
  ] as const) {
    const slots = size === 2 ? hashes.slice(0, 2) : hashes;
    const root = txRoot(slots, size);
    const proof = txInclusionProof(slots, size, slot);
    const answer: TxLookup = {
      txHash: "0x" + slots[slot]!.toString(16),
      status: "landed",
      receivedAt: 1,
      raw: raws[slot]!,
      batch: { batchNumber: "7", round: "0", txRoot: root.toString(), l1TxHash: "0x00", blockNumber: "9" },
      slot,
      forced: false,
      proof: { size, siblings: proof.siblings.map((l) => l.map(String)) },
    };
    const asked = slots[slot]!;
    assert.deepEqual(checkTxLookup(asked, answer, pagePoseidon), { included: true, rawMatches: true, sameHash: true }, `B=${size} slot ${slot}`);

    // every tampering is caught
    const sib = structuredClone(answer);
    sib.proof!.siblings[0]![0] = (BigInt(sib.proof!.siblings[0]![0]!) + 1n).toString();
    assert.equal(checkTxLookup(asked, sib, pagePoseidon).included, false, "a changed sibling");
    const wrongSlot = { ...answer, slot: (slot + 1) % size };
    assert.equal(checkTxLookup(asked, wrongSlot, pagePoseidon).included, false, "another slot");
    const wrongRoot = { ...answer, batch: { ...answer.batch!, txRoot: (root + 1n).toString() } };
    assert.match(checkTxLookup(asked, wrongRoot, pagePoseidon).reason ?? "", /does not lead to the batch's txRoot/);
    assert.equal(checkTxLookup(asked + 1n, answer, pagePoseidon).sameHash, false, "an answer for another hash");
    assert.equal(checkTxLookup(asked, { ...answer, raw: raws[(slot + 1) % raws.length]! }, pagePoseidon).rawMatches, false, "bytes of another transaction");
    const short = { ...answer, proof: { size, siblings: answer.proof!.siblings.slice(1) } };
    assert.match(checkTxLookup(asked, short, pagePoseidon).reason ?? "", /malformed proof/);
    assert.match(checkTxLookup(asked, { ...answer, proof: null }, pagePoseidon).reason ?? "", /no inclusion proof/);
  }
});

test("prover stats: proofs per minute over the window, p50/p95 over the last 200, and nothing invented before the first proof", () => {
  const r = new RecentProofs();
  assert.deepEqual(r.summary(), { proofsPerMinute: 0, p50ProofMs: null, p95ProofMs: null, sample: 0 });
  const now = Date.now();
  for (let i = 1; i <= 100; i++) r.record(now - 100 + i, i * 10);
  r.record(now, Number.NaN); // a bad timing is not a proof time
  const s = r.summary(now + 1);
  assert.equal(s.sample, 100);
  assert.equal(s.p50ProofMs, 500);
  assert.equal(s.p95ProofMs, 950);
  assert.equal(s.proofsPerMinute, 100, "100 proofs within the first minute of uptime");
});

test("page routes: a node whose page is not built says so with a 503 and the command that builds it; unknown assets are 404", async () => {
  const { createServiceApp } = await import("../src/service.js");
  const { registerNetworkPage } = await import("../member/networkPage.js");
  const { NetworkView } = await import("../member/networkView.js");
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const app = createServiceApp();
  // the view is not asked anything by these routes
  registerNetworkPage(app, new NetworkView({ build: "dev" } as ConstructorParameters<typeof NetworkView>[0]), { dir: await mkdtemp(join(tmpdir(), "zkseq-page-")) });
  const page = await app.inject({ method: "GET", url: "/" });
  assert.equal(page.statusCode, 503);
  assert.equal(page.json().error, "PAGE_NOT_BUILT");
  assert.match(page.json().message, /npm run build:web/);
  assert.equal((await app.inject({ method: "GET", url: "/assets/secret.txt" })).statusCode, 404);
  await app.close();
});
