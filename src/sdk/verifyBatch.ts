import { headerFromJSON, headerFromPublicSignals, HEADER_FIELDS, PUBLIC_SIGNAL_NAMES, type BatchHeader } from "../header.js";
import { bindPostedTransactions } from "../dataBinding.js";
import { BatchVerificationError, InvalidArgumentError } from "../errors.js";
import { readJsonFile } from "../readJsonFile.js";
import { groth16Verify } from "./groth16Verify.js";
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
  if (typeof key !== "string") return key;
  const json = await readJsonFile(key, "verification key");
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new InvalidArgumentError(`the verification key ${key} is not a JSON object`);
  return json as Record<string, unknown>;
}

/**
 * Verifies a batch off-chain: the Groth16 proof against the verification key,
 * the header a caller was given (if any) against the one the proof binds, the
 * posted transactions (if given: the raw bytes of the fair-ordered slots, as
 * `submitBatch` carries them) against the proof's data binding, and the header
 * against what it must follow. Resolves with the proven header or rejects with
 * BatchVerificationError naming the first problem; a verification key file
 * that is missing is FileNotFoundError, one that is not JSON MalformedFileError.
 *
 * It verifies on a curve of its own (src/sdk/groth16Verify.ts), never on
 * snarkjs's shared one, so it is safe to call while a snarkjs proof runs in the
 * same process, and it leaves no threads behind.
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
  const vkey = await loadKey(opts.verificationKey);
  let ok: boolean;
  try {
    ok = await groth16Verify(vkey, signals, opts.proof);
  } catch (e) {
    throw new BatchVerificationError(`the proof or verification key is malformed: ${(e as Error).message}`);
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
