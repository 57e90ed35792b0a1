/** Deterministic keys, committees and random valid batches for the tests. */
import { createHash } from "node:crypto";
import { generateMemberKey, type MemberKey } from "../../src/keys.js";
import { Committee } from "../../src/committee.js";
import { ForcedQueue } from "../../src/forced.js";
import { proposeBatch, type Proposal } from "../../src/batch.js";
import { batchHash, type BatchHeader } from "../../src/header.js";
import { signReport, type SignedReport } from "../../src/report.js";
import { buildWitnessInput, type BatchWitness } from "../../src/witness.js";
import { getBatchBuild } from "../../src/builds.js";
import { TX_HASH_BITS } from "../../src/field.js";
import { txHashOf } from "../../src/txHash.js";
import { batchFileToJSON, type BatchFileJson } from "../../src/batchFile.js";

/** A small seeded PRNG (mulberry32), so a failing random case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function testKey(i: number, salt = "zkseq-test"): MemberKey {
  return generateMemberKey(new Uint8Array(createHash("sha256").update(`${salt}:${i}`).digest()));
}

/** Random raw transaction bytes (20 to 199 bytes) drawn from `r`. */
export function randomRawTx(r: () => number): Uint8Array {
  return Uint8Array.from({ length: 20 + Math.floor(r() * 180) }, () => Math.floor(r() * 256));
}

export function randomTxHash(r: () => number): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 32n) | BigInt(Math.floor(r() * 2 ** 32));
  return v & ((1n << BigInt(TX_HASH_BITS)) - 1n);
}

export function makeCommittee(opts: { size: number; depth: number; weights?: bigint[]; threshold?: bigint; epoch?: bigint; salt?: string }) {
  const keys = Array.from({ length: opts.size }, (_, i) => testKey(i, opts.salt));
  const committee = new Committee({
    depth: opts.depth,
    members: keys.map((k, i) => ({ publicKey: k.publicKey, weight: opts.weights?.[i] ?? 1n })),
    thresholdWeight: opts.threshold ?? BigInt(Math.ceil((2 * opts.size + 1) / 3)),
    epoch: opts.epoch ?? 0n,
  });
  return { committee, keys };
}

export interface Scenario {
  buildId: string;
  committee: Committee;
  keys: MemberKey[];
  signers: number[];
  proposal: Proposal;
  reports: SignedReport[];
  witness: BatchWitness;
  queue: ForcedQueue;
  /** The raw bytes of every fair-ordered candidate, by hash. */
  rawTxs: Map<bigint, Uint8Array>;
  /** The raw bytes of the batch's fair-ordered slots, in slot order: what submitBatch posts. */
  posted: Uint8Array[];
}

/**
 * A random valid batch for a build: `txs` fair-ordered candidates (some with
 * tied fair times), `forced` forced ones after `consumed` earlier queue
 * entries, signed by a random Q-subset of the committee.
 */
export function makeScenario(opts: {
  seed: number;
  buildId?: string;
  txs?: number;
  forced?: number;
  consumed?: number;
  committeeSize?: number;
  weights?: bigint[];
  threshold?: bigint;
  signers?: number[];
  batchNumber?: bigint;
}): Scenario {
  const r = rng(opts.seed);
  const build = getBatchBuild(opts.buildId ?? "dev");
  const { D, Q, B, F } = build.params;
  const size = opts.committeeSize ?? Math.min(2 ** D, Q + 1);
  const { committee, keys } = makeCommittee({ size, depth: D, ...(opts.weights ? { weights: opts.weights } : {}), threshold: opts.threshold ?? BigInt(Q) });
  let signers = opts.signers;
  if (!signers) {
    const all = Array.from({ length: size }, (_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    signers = all.slice(0, Q);
  }
  const nForced = opts.forced ?? Math.floor(r() * (F + 1));
  const consumed = opts.consumed ?? Math.floor(r() * 3);
  const queue = new ForcedQueue();
  for (let i = 0; i < consumed + nForced; i++) queue.append(randomTxHash(r), BigInt(1_700_000_000 + i));
  const nTx = Math.min(opts.txs ?? Math.floor(r() * (B - nForced + 1)), B - nForced);

  const timeBase = 1_750_000_000_000;
  const raws = Array.from({ length: nTx }, () => randomRawTx(r));
  const candidates = raws.map((raw) => txHashOf(raw));
  const rawTxs = new Map(candidates.map((h, i) => [h, raws[i]!] as const));
  const tiedTime = timeBase + 500;
  const receivedAt = signers.map(() => new Map<bigint, number>());
  candidates.forEach((h, n) => {
    const tied = n % 3 === 2; // every third tx: every signer saw it at the same moment -> equal fair times
    receivedAt.forEach((m) => {
      if (!tied && r() < 0.1) return; // this signer never saw it
      m.set(h, tied ? tiedTime : timeBase + Math.floor(r() * 2000));
    });
  });
  const proposal = proposeBatch({
    build,
    chainId: 31337n,
    inbox: 0x5fbdb2315678afecb367f032d93f642f64180aa3n,
    batchNumber: opts.batchNumber ?? BigInt(1 + Math.floor(r() * 1000)),
    prevBatchHash: randomTxHash(r),
    committee,
    forced: { from: BigInt(consumed), accFrom: queue.accAt(consumed), txHashes: queue.slice(consumed, consumed + nForced) },
    candidates,
    receivedAt,
    signers,
    timeBase: BigInt(timeBase),
  });
  const bHash = batchHash(proposal.header);
  const reports = signers.map((s, j) => signReport(keys[s]!, s, bHash, proposal.times[j]!));
  const witness = buildWitnessInput({ build, header: proposal.header, committee, txHashes: proposal.txHashes, reports });
  const posted = proposal.txHashes.slice(proposal.forcedCount).map((h) => rawTxs.get(h)!);
  return { buildId: build.id, committee, keys, signers, proposal, reports, witness, queue, rawTxs, posted };
}

/** A scenario as the BatchFile JSON `zkseq prove` and `POST /jobs` take. */
export function scenarioBatchJson(s: Scenario): BatchFileJson {
  return batchFileToJSON({ build: s.buildId, header: s.proposal.header, committee: s.committee, txHashes: s.proposal.txHashes, reports: s.reports });
}

/** A header for `batchNumber` of (chainId, inbox), with arbitrary other fields drawn from `seed`. */
export function randomHeader(seed: number, fields: { chainId?: bigint; inbox?: bigint; batchNumber: bigint; round?: bigint; committeeHash?: bigint }): BatchHeader {
  const r = rng(seed);
  return {
    chainId: fields.chainId ?? 31337n,
    inbox: fields.inbox ?? 0x5fbdb2315678afecb367f032d93f642f64180aa3n,
    batchNumber: fields.batchNumber,
    round: fields.round ?? 0n,
    prevBatchHash: randomTxHash(r),
    committeeHash: fields.committeeHash ?? randomTxHash(r),
    nextCommitteeHash: randomTxHash(r),
    timeBase: 1_750_000_000_000n + BigInt(Math.floor(r() * 1e6)),
    txCount: 3n,
    txRoot: randomTxHash(r),
    forcedFrom: 0n,
    forcedTo: 0n,
    forcedAccFrom: 0n,
    forcedAccTo: 0n,
  };
}

/**
 * Two different reports signed by `key` (member `index`) over two headers of the same batch slot
 * (and the same round, unless `secondRound` gives the second header another one).
 */
export function equivocatingReports(
  key: MemberKey,
  index: number,
  B: number,
  header: { chainId?: bigint; inbox?: bigint; batchNumber: bigint; round?: bigint; committeeHash?: bigint },
  seed = 1,
  secondRound?: bigint,
) {
  const h1 = randomHeader(seed, header);
  const h2 = randomHeader(seed + 1, secondRound === undefined ? header : { ...header, round: secondRound });
  const times = (s: number) => Array.from({ length: B }, (_, i) => (i * 17 + s) % 5000);
  return {
    first: { header: h1, report: signReport(key, index, batchHash(h1), times(1)) },
    second: { header: h2, report: signReport(key, index, batchHash(h2), times(2)) },
  };
}
