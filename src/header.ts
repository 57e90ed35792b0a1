import { poseidon } from "./poseidon.js";
import { assertField, assertUint, toBigInt } from "./field.js";
import { InvalidArgumentError } from "./errors.js";

/**
 * A batch header (protocol v2). Every field is a bigint; widths are checked by
 * `validateHeader` and in the circuit (HeaderWords.circom).
 */
export interface BatchHeader {
  /** EVM chain id of the inbox (u64). */
  chainId: bigint;
  /** The inbox contract's address as a 160-bit integer. */
  inbox: bigint;
  /** This batch's number (u64); the first committee batch after genesis is 1. */
  batchNumber: bigint;
  /** The proposal round for this number (u32): a member signs one header per (batchNumber, round). */
  round: bigint;
  /** batchHash of the batch this one extends. */
  prevBatchHash: bigint;
  /** The committee that signs this batch. */
  committeeHash: bigint;
  /** The committee that signs the next batch (equal to committeeHash unless handing over). */
  nextCommitteeHash: bigint;
  /** Unix milliseconds (u48); receive times are u32 offsets from it. */
  timeBase: bigint;
  /** Transactions in the batch, forced ones included (u16, at most the build's B). */
  txCount: bigint;
  /** Root of the transaction tree (src/txTree.ts). */
  txRoot: bigint;
  /** First forced-queue index this batch consumes (u48). */
  forcedFrom: bigint;
  /** One past the last forced-queue index it consumes (u48); forcedTo - forcedFrom forced txs lead the batch. */
  forcedTo: bigint;
  /** Forced-queue accumulator at forcedFrom. */
  forcedAccFrom: bigint;
  /** Forced-queue accumulator at forcedTo. */
  forcedAccTo: bigint;
}

/** Header fields in the order batchHash hashes them. */
export const HEADER_FIELDS = [
  "chainId",
  "inbox",
  "batchNumber",
  "round",
  "prevBatchHash",
  "committeeHash",
  "nextCommitteeHash",
  "timeBase",
  "txCount",
  "txRoot",
  "forcedFrom",
  "forcedTo",
  "forcedAccFrom",
  "forcedAccTo",
] as const satisfies readonly (keyof BatchHeader)[];

/** Bit width of each integer header field; the others are field elements. */
export const HEADER_FIELD_BITS: Partial<Record<keyof BatchHeader, number>> = {
  chainId: 64,
  inbox: 160,
  batchNumber: 64,
  round: 32,
  timeBase: 48,
  txCount: 16,
  forcedFrom: 48,
  forcedTo: 48,
};

/** Checks every field's range and that forcedTo >= forcedFrom; returns a normalised copy. */
export function validateHeader(header: BatchHeader): BatchHeader {
  if (typeof header !== "object" || header === null) throw new InvalidArgumentError("a header is an object");
  const out = {} as BatchHeader;
  for (const f of HEADER_FIELDS) {
    const bits = HEADER_FIELD_BITS[f];
    out[f] = bits ? assertUint(header[f], bits, `header.${f}`) : assertField(header[f], `header.${f}`);
  }
  if (out.forcedTo < out.forcedFrom) throw new InvalidArgumentError(`header.forcedTo (${out.forcedTo}) is below forcedFrom (${out.forcedFrom})`);
  return out;
}

/**
 * batchHash = Poseidon(chainId, inbox, batchNumber, round, prevBatchHash, committeeHash,
 * nextCommitteeHash, timeBase, txCount, txRoot, forcedFrom, forcedTo,
 * forcedAccFrom, forcedAccTo). The next batch's prevBatchHash is this value.
 */
export function batchHash(header: BatchHeader): bigint {
  return batchHashUnchecked(validateHeader(header));
}

/** batchHash without range checks (fields must still be field elements). */
export function batchHashUnchecked(h: BatchHeader): bigint {
  return poseidon(HEADER_FIELDS.map((f) => h[f]));
}

/** The two packed public header words (see HeaderWords.circom). */
export interface PackedHeader {
  /** chainId << 176 | inbox << 16 | txCount */
  packedA: bigint;
  /** batchNumber << 176 | round << 144 | timeBase << 96 | forcedFrom << 48 | forcedTo */
  packedB: bigint;
}

export function packHeader(header: BatchHeader): PackedHeader {
  return packHeaderUnchecked(validateHeader(header));
}

/** packHeader without range checks (for tools that must build invalid inputs, e.g. soundness tests). */
export function packHeaderUnchecked(h: BatchHeader): PackedHeader {
  return {
    packedA: (h.chainId << 176n) | (h.inbox << 16n) | h.txCount,
    packedB: (h.batchNumber << 176n) | (h.round << 144n) | (h.timeBase << 96n) | (h.forcedFrom << 48n) | h.forcedTo,
  };
}

export function unpackHeaderWords(packed: PackedHeader): Pick<BatchHeader, "chainId" | "inbox" | "txCount" | "batchNumber" | "round" | "timeBase" | "forcedFrom" | "forcedTo"> {
  const a = assertUint(packed.packedA, 240, "packedA");
  const b = assertUint(packed.packedB, 240, "packedB");
  const bits = (v: bigint, shift: bigint, width: bigint) => (v >> shift) & ((1n << width) - 1n);
  return {
    chainId: bits(a, 176n, 64n),
    inbox: bits(a, 16n, 160n),
    txCount: bits(a, 0n, 16n),
    batchNumber: bits(b, 176n, 64n),
    round: bits(b, 144n, 32n),
    timeBase: bits(b, 96n, 48n),
    forcedFrom: bits(b, 48n, 48n),
    forcedTo: bits(b, 0n, 48n),
  };
}

/** Names of the circuit's public signals, in snarkjs order (outputs first). */
export const PUBLIC_SIGNAL_NAMES = [
  "batchHash",
  "txRoot",
  "dataEval",
  "prevBatchHash",
  "committeeHash",
  "nextCommitteeHash",
  "forcedAccFrom",
  "forcedAccTo",
  "packedA",
  "packedB",
  "dataChallenge",
] as const;

/** What a batch proof's public signals say: the header, its hash, and the data binding (src/dataBinding.ts). */
export interface DecodedPublicSignals {
  header: BatchHeader;
  batchHash: bigint;
  /** The posted transactions' polynomial at dataChallenge. */
  dataEval: bigint;
  /** keccak256(txRoot, posted hashes) mod p. */
  dataChallenge: bigint;
}

/**
 * The public signals of a proof of this header, as decimal strings, given the
 * data binding of its posted transactions (`bindBatchData` in src/dataBinding.ts
 * computes it; `batchPublicSignals` there does both).
 */
export function headerPublicSignals(header: BatchHeader, binding: { dataEval: bigint; dataChallenge: bigint }): string[] {
  const h = validateHeader(header);
  const { packedA, packedB } = packHeader(h);
  const dataEval = assertField(binding.dataEval, "dataEval");
  const dataChallenge = assertField(binding.dataChallenge, "dataChallenge");
  return [batchHash(h), h.txRoot, dataEval, h.prevBatchHash, h.committeeHash, h.nextCommitteeHash, h.forcedAccFrom, h.forcedAccTo, packedA, packedB, dataChallenge].map(String);
}

/** Rebuilds a header from a proof's public signals (the inverse of headerPublicSignals). */
export function headerFromPublicSignals(signals: readonly (string | bigint)[]): DecodedPublicSignals {
  if (signals.length !== PUBLIC_SIGNAL_NAMES.length) {
    throw new InvalidArgumentError(`a batch proof has ${PUBLIC_SIGNAL_NAMES.length} public signals, got ${signals.length}`);
  }
  const s = signals.map((v, i) => assertField(v, `public signal ${PUBLIC_SIGNAL_NAMES[i]}`));
  const header: BatchHeader = {
    ...unpackHeaderWords({ packedA: s[8]!, packedB: s[9]! }),
    txRoot: s[1]!,
    prevBatchHash: s[3]!,
    committeeHash: s[4]!,
    nextCommitteeHash: s[5]!,
    forcedAccFrom: s[6]!,
    forcedAccTo: s[7]!,
  };
  return { header, batchHash: s[0]!, dataEval: s[2]!, dataChallenge: s[10]! };
}

/** JSON form of a header: decimal strings (inbox as 0x-address). */
export type BatchHeaderJson = Record<keyof BatchHeader, string>;

export function headerToJSON(header: BatchHeader): BatchHeaderJson {
  const h = validateHeader(header);
  const out = {} as BatchHeaderJson;
  for (const f of HEADER_FIELDS) out[f] = f === "inbox" ? "0x" + h.inbox.toString(16).padStart(40, "0") : h[f].toString();
  return out;
}

export function headerFromJSON(json: unknown): BatchHeader {
  if (typeof json !== "object" || json === null) throw new InvalidArgumentError("a header is a JSON object");
  const src = json as Record<string, unknown>;
  const out = {} as BatchHeader;
  for (const f of HEADER_FIELDS) {
    if (src[f] === undefined || src[f] === null) throw new InvalidArgumentError(`header.${f} is missing`);
    out[f] = toBigInt(src[f], `header.${f}`);
  }
  return validateHeader(out);
}
