import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { headerFromJSON, headerFromPublicSignals, HEADER_FIELDS, PUBLIC_SIGNAL_NAMES, type BatchHeader } from "../header.js";
import { bindPostedTransactions } from "../dataBinding.js";
import { BatchVerificationError } from "../errors.js";
import { releaseCurves } from "../build/curves.js";
import type { SnarkjsProof } from "../chain/solidity.js";

/** What a batch must also match besides its proof (each optional). */
export interface BatchExpectations {
  chainId?: bigint;
  inbox?: bigint;
  batchNumber?: bigint;
  /** The hash of the batch it must follow (chain continuity). */
  prevBatchHash?: bigint;
  /** The committee that must have signed it. */
  committeeHash?: bigint;
}

/** A verified batch: its header as the proof binds it. */
export interface VerifiedBatch {
  header: BatchHeader;
  batchHash: bigint;
  /** The data binding's public signals (src/dataBinding.ts). */
  dataEval: bigint;
  dataChallenge: bigint;
}

/** A Groth16 verification key (snarkjs JSON), or the path of one. */
export type VerificationKey = Record<string, unknown> | string;

async function loadKey(key: VerificationKey): Promise<Record<string, unknown>> {
  return typeof key === "string" ? (JSON.parse(await readFile(key, "utf8")) as Record<string, unknown>) : key;
}

/**
 * Verifies a batch off-chain: the Groth16 proof against the verification key,
 * the header a caller was given (if any) against the one the proof binds, the
 * posted transactions (if given: the raw bytes of the fair-ordered slots, as
 * `submitBatch` carries them) against the proof's data binding, and the header
 * against what it must follow. Resolves with the proven header or rejects with
 * BatchVerificationError naming the first problem.
 *
 * @example
 * const { header } = await verifyBatch({ proof, publicSignals, verificationKey: "vkey.json", expected: { prevBatchHash } })
 */
export async function verifyBatch(opts: {
  proof: SnarkjsProof;
  publicSignals: readonly (string | bigint)[];
  verificationKey: VerificationKey;
  /** A header claimed for this batch (JSON or parsed); it must be the one the proof binds. */
  header?: unknown;
  /** The raw bytes of the batch's fair-ordered transactions, in slot order: they must be the ones the proof binds. */
  postedTxs?: readonly (Uint8Array | string)[];
  expected?: BatchExpectations;
}): Promise<VerifiedBatch> {
  const signals = opts.publicSignals.map(String);
  const n = PUBLIC_SIGNAL_NAMES.length;
  if (signals.length !== n) throw new BatchVerificationError(`a batch proof has ${n} public signals, got ${signals.length}`);
  let decoded: ReturnType<typeof headerFromPublicSignals>;
  try {
    decoded = headerFromPublicSignals(signals);
  } catch (e) {
    throw new BatchVerificationError(`public signals do not decode: ${(e as Error).message}`);
  }
  let ok: boolean;
  try {
    ok = await snarkjs.groth16.verify(await loadKey(opts.verificationKey), signals, opts.proof);
  } catch (e) {
    throw new BatchVerificationError(`the proof is malformed: ${(e as Error).message}`);
  } finally {
    await releaseCurves();
  }
  if (!ok) throw new BatchVerificationError("the Groth16 proof does not verify against the verification key");

  const h = decoded.header;
  if (opts.header !== undefined) {
    const claimed = typeof (opts.header as { batchNumber?: unknown }).batchNumber === "bigint" ? (opts.header as BatchHeader) : headerFromJSON(opts.header);
    for (const f of HEADER_FIELDS) {
      if (claimed[f] !== h[f]) throw new BatchVerificationError(`header.${f} is ${claimed[f]} but the proof binds ${h[f]}`);
    }
  }
  if (opts.postedTxs !== undefined) {
    const k = Number(h.forcedTo - h.forcedFrom);
    if (BigInt(opts.postedTxs.length + k) !== h.txCount) {
      throw new BatchVerificationError(`${opts.postedTxs.length} posted transactions, but the header has ${h.txCount - BigInt(k)} fair-ordered slots`);
    }
    const b = bindPostedTransactions(h, opts.postedTxs);
    if (b.dataChallenge !== decoded.dataChallenge) throw new BatchVerificationError("the posted transactions give another data challenge than the proof's");
    if (b.dataEval !== decoded.dataEval) throw new BatchVerificationError("the posted transactions are not the slots the proof binds");
  }
  const e = opts.expected ?? {};
  const check = (what: keyof BatchExpectations, got: bigint) => {
    const want = e[what];
    if (want !== undefined && want !== got) throw new BatchVerificationError(`${what} is ${got}, expected ${want}`);
  };
  check("chainId", h.chainId);
  check("inbox", h.inbox);
  check("batchNumber", h.batchNumber);
  check("prevBatchHash", h.prevBatchHash);
  check("committeeHash", h.committeeHash);
  return { header: h, batchHash: decoded.batchHash, dataEval: decoded.dataEval, dataChallenge: decoded.dataChallenge };
}
