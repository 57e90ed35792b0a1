/**
 * zkseq's errors: one base class, one subclass per failure, each with a
 * machine-readable `code`. The CLI prints `shortMessage`; the HTTP services
 * answer `{ error: code, message }`; the inbox contract has a matching custom error.
 *
 * @example
 * try { buildWitnessInput(...) } catch (e) {
 *   if (e instanceof WeightBelowThresholdError) console.log(e.code, e.shortMessage)
 * }
 */
export class ZkseqError extends Error {
  /** A stable identifier, e.g. `WEIGHT_BELOW_THRESHOLD`. */
  readonly code: string;
  /** One readable line. */
  readonly shortMessage: string;
  /** Extra context (values, indices), if any. */
  readonly details: string | undefined;

  constructor(code: string, shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** A value is not a valid element of the BN254 scalar field, or not of the width it must have. */
export class InvalidFieldElementError extends ZkseqError {
  constructor(what: string, value: unknown, bound: string) {
    super("INVALID_FIELD_ELEMENT", `${what} must be an integer in ${bound}, got ${describeValue(value)}`);
  }
}

/** A short, safe rendering of an untrusted value for an error message (never calls its own toString, never huge). */
function describeValue(value: unknown): string {
  if (typeof value === "string") return value.length > 80 ? `a string of ${value.length} characters` : value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** An argument is malformed (wrong type, wrong length, inconsistent with another). */
export class InvalidArgumentError extends ZkseqError {
  constructor(message: string, details?: string) {
    super("INVALID_ARGUMENT", message, details === undefined ? {} : { details });
  }
}

/** The batch has more transactions (or forced transactions) than the circuit build holds. */
export class BatchTooLargeError extends ZkseqError {
  constructor(what: "transactions" | "forced transactions", count: number, max: number, build: string) {
    super("BATCH_TOO_LARGE", `${count} ${what} do not fit build '${build}' (at most ${max})`);
  }
}

/** A receive time is not a u32 millisecond offset from the header's timeBase. */
export class TimestampOutOfRangeError extends ZkseqError {
  constructor(value: unknown, where: string) {
    super("TIMESTAMP_OUT_OF_RANGE", `receive time ${String(value)} at ${where} is not an integer in [0, 2^32)`);
  }
}

/** A report names a member that is not in the committee (or whose key does not match). */
export class UnknownSignerError extends ZkseqError {
  constructor(what: string) {
    super("UNKNOWN_SIGNER", `signer ${what} is not a member of the committee`);
  }
}

/** Two reports come from the same member. */
export class DuplicateSignerError extends ZkseqError {
  constructor(memberIndex: number) {
    super("DUPLICATE_SIGNER", `member ${memberIndex} signed more than one report`);
  }
}

/** The number of reports does not match the build's signer slots. */
export class WrongSignerCountError extends ZkseqError {
  constructor(got: number, want: number, build: string) {
    super("WRONG_SIGNER_COUNT", `build '${build}' takes exactly ${want} signed reports, got ${got}`);
  }
}

/** The signers' weights add up to less than the committee's threshold. */
export class WeightBelowThresholdError extends ZkseqError {
  constructor(weight: bigint, threshold: bigint) {
    super("WEIGHT_BELOW_THRESHOLD", `signers' weight ${weight} is below the threshold ${threshold}`);
  }
}

/** A report's signature does not verify. */
export class InvalidSignatureError extends ZkseqError {
  constructor(memberIndex: number) {
    super("INVALID_SIGNATURE", `the report of member ${memberIndex} has an invalid signature`);
  }
}

/** Two fair-ordered transactions are out of (fairTime, txHash) order. */
export class UnsortedTransactionsError extends ZkseqError {
  constructor(slot: number) {
    super("UNSORTED_TRANSACTIONS", `slots ${slot} and ${slot + 1} are not in (fairTime, txHash) order`);
  }
}

/** The same transaction appears twice. */
export class DuplicateTransactionError extends ZkseqError {
  constructor(txHash: bigint, slot: number) {
    super("DUPLICATE_TRANSACTION", `transaction 0x${txHash.toString(16)} appears more than once (again at slot ${slot})`);
  }
}

/** The forced range, its accumulators and the forced transactions do not agree. */
export class ForcedRangeMismatchError extends ZkseqError {
  constructor(message: string) {
    super("FORCED_RANGE_MISMATCH", message);
  }
}

/** The committee is malformed (duplicate keys, bad weights or threshold, too many members). */
export class InvalidCommitteeError extends ZkseqError {
  constructor(message: string) {
    super("INVALID_COMMITTEE", message);
  }
}

/** A header is inconsistent with the batch it describes. */
export class HeaderMismatchError extends ZkseqError {
  constructor(field: string, expected: bigint | number, got: bigint | number) {
    super("HEADER_MISMATCH", `header ${field} is ${got} but the batch gives ${expected}`);
  }
}

/** No circuit build of that name. */
export class UnknownBuildError extends ZkseqError {
  constructor(name: string, known: readonly string[]) {
    super("UNKNOWN_BUILD", `unknown circuit build '${name}' (known: ${known.join(", ")})`);
  }
}

/** The powers-of-tau file is missing, unreadable or too small for the circuit. */
export class PtauError extends ZkseqError {
  constructor(message: string, cause?: unknown) {
    super("PTAU", message, cause === undefined ? {} : { cause });
  }
}

/** A circuit failed to compile or set up. */
export class CircuitBuildError extends ZkseqError {
  constructor(message: string, details?: string, cause?: unknown) {
    super("CIRCUIT_BUILD", message, { ...(details === undefined ? {} : { details }), cause });
  }
}

/** A keystore file cannot be read or decrypted. */
export class KeystoreError extends ZkseqError {
  constructor(message: string, cause?: unknown) {
    super("KEYSTORE", message, cause === undefined ? {} : { cause });
  }
}

/** The prover's queue is full: retry later. */
export class QueueFullError extends ZkseqError {
  constructor(limit: number) {
    super("QUEUE_FULL", `the proving queue is full (${limit} jobs waiting); retry later`);
  }
}

/** No job with this id. */
export class JobNotFoundError extends ZkseqError {
  constructor(id: string) {
    super("JOB_NOT_FOUND", `no job with id ${id}`);
  }
}

/** The job has no proof (yet, or ever: it failed or was cancelled). */
export class JobNotDoneError extends ZkseqError {
  constructor(id: string, state: string) {
    super("JOB_NOT_DONE", `job ${id} has no proof: it is ${state}`);
  }
}

/** A proving job was cancelled before it finished. */
export class JobCancelledError extends ZkseqError {
  constructor(what = "the proving job") {
    super("JOB_CANCELLED", `${what} was cancelled`);
  }
}

/** A proving job ran longer than its timeout. */
export class JobTimeoutError extends ZkseqError {
  constructor(timeoutMs: number) {
    super("JOB_TIMEOUT", `the proving job did not finish within ${timeoutMs} ms`);
  }
}

/** A proving worker died (crash, out of memory) on every attempt at a job. */
export class WorkerCrashedError extends ZkseqError {
  constructor(attempts: number, cause: unknown) {
    super("WORKER_CRASHED", `the proving worker crashed on all ${attempts} attempts (last: ${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

/** A freshly made proof did not verify against the build's verification key: never returned as a result. */
export class ProofVerificationError extends ZkseqError {
  constructor(buildId: string) {
    super("PROOF_NOT_VERIFIED", `the proof made with build '${buildId}' does not verify against its verification key (mismatched zkey and verification key?)`);
  }
}

/** The circuit rejects the input (a constraint fails while computing the witness). */
export class CircuitInputRejectedError extends ZkseqError {
  constructor(buildId: string, reason: string) {
    super("CIRCUIT_INPUT_REJECTED", `build '${buildId}' rejects the input: ${reason}`);
  }
}

/** A .zkey is truncated, corrupted or not a BN254 Groth16 key (found by the native prover's loader). */
export class ZkeyFormatError extends ZkseqError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super("ZKEY_FORMAT", `the proving key ${file} is unusable: ${reason}`);
  }
}

/** A witness (.wtns bytes) is truncated or corrupted. */
export class WitnessFormatError extends ZkseqError {
  constructor(readonly reason: string) {
    super("WITNESS_FORMAT", `the witness is unusable: ${reason}`);
  }
}

/** A well-formed witness that belongs to another build (its length or field differs from the proving key's). */
export class WitnessMismatchError extends ZkseqError {
  constructor(
    buildId: string,
    readonly reason: string,
  ) {
    super("WITNESS_MISMATCH", `the witness does not fit build '${buildId}': ${reason}`);
  }
}

/** The native prover is not built on this machine (use the snarkjs backend). */
export class NativeProverUnavailableError extends ZkseqError {
  constructor(reason: string) {
    super("NATIVE_PROVER_UNAVAILABLE", `the native prover is not available: ${reason} (run \`npm rebuild zkseq\` or \`node scripts/build-native.mjs\`, or use --backend snarkjs)`);
  }
}

/** The prover is shutting down or closed. */
export class ProverClosedError extends ZkseqError {
  constructor() {
    super("PROVER_CLOSED", "the prover is closed");
  }
}

/** Two reports are not slashing evidence (different slots, different signers, or the same report). */
export class NotEquivocationError extends ZkseqError {
  constructor(reason: string) {
    super("NOT_EQUIVOCATION", `not equivocation: ${reason}`);
  }
}

/** A contract zkseq deploys is neither compiled nor compilable on demand; the message names the command that fixes it. */
export class ContractsNotBuiltError extends ZkseqError {
  /**
   * @param what the contract(s)
   * @param fix the command that makes them, e.g. `npm run build:contracts -- dev`
   * @param reason why they could not be compiled on demand, if that was tried
   */
  constructor(what: string, fix: string, reason?: string, cause?: unknown) {
    super("CONTRACTS_NOT_BUILT", reason === undefined ? `${what} is not compiled: run \`${fix}\`` : `${what} cannot be compiled: ${reason}${fix ? `; run \`${fix}\`` : ""}`, { cause });
  }
}

/** The inbox contract reverted; `errorName` is its custom error (e.g. `BatchInbox__WrongPrevBatchHash`). */
export class InboxRevertError extends ZkseqError {
  readonly errorName: string;
  readonly args: readonly unknown[];
  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    super("INBOX_REVERT", `the inbox rejected the transaction: ${errorName}(${args.map((a) => String(a)).join(", ")})`, { cause });
    this.errorName = errorName;
    this.args = args;
  }
}

/** A member already signed a different report for this (batch number, round): signing again would be equivocation. */
export class ReportConflictError extends ZkseqError {
  constructor(batchNumber: bigint, round = 0n) {
    super("REPORT_CONFLICT", `already signed a different report for batch ${batchNumber} round ${round}; signing another would be equivocation`);
  }
}

/** The inbox would refuse this header now (wrong number, head, committee, handover, forced range, timeBase): a member does not sign it. */
export class HeaderNotLandableError extends ZkseqError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super("HEADER_NOT_LANDABLE", `the inbox would refuse this header: ${reason}`);
    this.field = field;
  }
}

/** A header's timeBase is later than this member's own receive time of a fair-ordered transaction: signing would misstate what it saw. */
export class TimeBaseAfterReceiveError extends ZkseqError {
  constructor(txHash: bigint, receivedAt: number, timeBase: bigint) {
    super(
      "TIME_BASE_AFTER_RECEIVE",
      `timeBase ${timeBase} is later than this member's receive time ${receivedAt} of transaction 0x${txHash.toString(16)}; the proposer must pick a timeBase at or before every signer's receive times`,
    );
  }
}

/** A raw transaction is empty, too long, or not bytes. */
export class InvalidTransactionError extends ZkseqError {
  constructor(reason: string) {
    super("INVALID_TRANSACTION", reason);
  }
}

/** A proposed header does not extend the batch chain as this node knows it. */
export class NotExtendingError extends ZkseqError {
  constructor(message: string) {
    super("HEADER_DOES_NOT_EXTEND", message);
  }
}

/** A remote zkseq service answered with an error, or not at all. */
export class ServiceError extends ZkseqError {
  readonly status: number | undefined;
  constructor(service: string, message: string, status?: number, code = "SERVICE_ERROR") {
    super(code, `${service}: ${message}`);
    this.status = status;
  }
}

/** A batch does not verify: bad proof, a header that does not match it, or a broken chain. */
export class BatchVerificationError extends ZkseqError {
  readonly reason: string;
  constructor(reason: string) {
    super("BATCH_NOT_VERIFIED", `batch does not verify: ${reason}`);
    this.reason = reason;
  }
}

/** A cancelled job is still stopping on its worker: it can be submitted again once it has stopped. */
export class JobStoppingError extends ZkseqError {
  constructor(id: string) {
    super("JOB_STOPPING", `job ${id} was cancelled and is still stopping on its worker; submit it again in a few seconds`);
  }
}

/** A request to an authenticating service without a valid bearer token. */
export class UnauthorizedError extends ZkseqError {
  constructor() {
    super("UNAUTHORIZED", "a valid token is required: send `Authorization: Bearer <token>`");
  }
}

/** A client tried to act on a job another client submitted. */
export class NotJobOwnerError extends ZkseqError {
  constructor(id: string) {
    super("NOT_JOB_OWNER", `job ${id} was submitted by another client; only its owner can cancel it`);
  }
}

/** A mempool refuses more transactions: it is full (503), or this client has its quota of pending transactions (429). Nothing is evicted. */
export class MempoolFullError extends ZkseqError {
  /** 503 when the whole mempool is full, 429 when this client's quota is. */
  readonly httpStatus: 429 | 503;
  constructor(scope: "mempool" | "client", limit: number) {
    super(
      "MEMPOOL_FULL",
      scope === "mempool"
        ? `the mempool is full (${limit} pending transactions); retry later`
        : `this client already has ${limit} pending transactions (its quota); retry once some are sequenced`,
    );
    this.httpStatus = scope === "mempool" ? 503 : 429;
  }
}

/** Another member's answer to a proposer is malformed, implausible, or not what it must be (wrong signer, bad signature, another proposal): the member is skipped for the round. */
export class MemberAnswerError extends ZkseqError {
  readonly member: number;
  /** What was wrong: `malformed` (shape or ranges), `implausible` (times no honest clock gives), `bad-report` (signer, signature, or not this proposal's). */
  readonly kind: "malformed" | "implausible" | "bad-report";
  /** The answer carries this member's own valid signature (a report on other times than it stated): evidence against the member, not against whoever answered at its address. */
  readonly signed: boolean;
  constructor(member: number, kind: "malformed" | "implausible" | "bad-report", reason: string, signed = false) {
    super("BAD_MEMBER_ANSWER", `member ${member}'s answer is ${kind === "bad-report" ? "not a valid report on this proposal" : kind}: ${reason}`);
    this.member = member;
    this.kind = kind;
    this.signed = signed;
  }
}

/** A member cannot read the chain now, so it signs nothing (retry later). */
export class ChainUnavailableError extends ZkseqError {
  constructor(cause: unknown) {
    super("CHAIN_UNAVAILABLE", `cannot read the inbox's state from the chain (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}); nothing signed, retry later`, { cause });
  }
}

/** A ptau file is not on the list of accepted ceremony files (`src/ceremony/knownPtau.json`) and was not explicitly allowed. */
export class UnlistedPtauError extends ZkseqError {
  constructor(file: string, sha256: string) {
    super("PTAU_NOT_LISTED", `${file} (sha256 ${sha256}) is not a listed ceremony ptau; pass --allow-unlisted-ptau to use it anyway`);
  }
}

/** A ceremony file (zkey or transcript) is missing, malformed, or does not belong where it is used. */
export class CeremonyFileError extends ZkseqError {
  constructor(message: string, cause?: unknown) {
    super("CEREMONY_FILE", message, cause === undefined ? {} : { cause });
  }
}

/** A phase-2 key or transcript does not verify: a contribution that does not follow from the previous one, a key that does not come from the circuit and ptau, an edited transcript. */
export class CeremonyVerificationError extends ZkseqError {
  readonly reason: string;
  constructor(reason: string) {
    super("CEREMONY_NOT_VERIFIED", `the ceremony does not verify: ${reason}`);
    this.reason = reason;
  }
}

/** A file zkseq was told to read does not exist (or cannot be read). */
export class FileNotFoundError extends ZkseqError {
  readonly path: string;
  constructor(path: string, what = "file") {
    super("FILE_NOT_FOUND", `${what} ${path} does not exist or cannot be read`);
    this.path = path;
  }
}

/** A file zkseq was told to read is not valid JSON (or not the JSON object it must hold). */
export class MalformedFileError extends ZkseqError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super("MALFORMED_FILE", `${path} is not valid JSON: ${reason}`);
    this.path = path;
  }
}


/** A store has no batch with this number that can be exported (none, or not signed yet). */
export class BatchNotFoundError extends ZkseqError {
  constructor(batchNumber: bigint, why: string) {
    super("BATCH_NOT_FOUND", `batch ${batchNumber}: ${why}`);
  }
}

/** A database file is not the kind of zkseq store that was needed. */
export class WrongStoreError extends ZkseqError {
  constructor(path: string, why: string) {
    super("WRONG_STORE", `${path}: ${why}`);
  }
}

/** No endpoint took a submitted transaction; `refused` says what each answered. */
export class TransactionNotAcceptedError extends ZkseqError {
  readonly refused: ReadonlyArray<{ url: string; code: string; message: string }>;
  constructor(txHash: bigint, refused: ReadonlyArray<{ url: string; code: string; message: string }>) {
    super("TX_NOT_ACCEPTED", `no endpoint took transaction 0x${txHash.toString(16)}: ${refused.map((r) => `${r.url} ${r.code}`).join("; ")}`);
    this.refused = refused;
  }
}

/** A transaction was not in any finalized batch before the wait was given up. */
export class TransactionNotLandedError extends ZkseqError {
  constructor(txHash: bigint, waitedMs: number) {
    super("TX_NOT_LANDED", `transaction 0x${txHash.toString(16)} is in no finalized batch after ${Math.round(waitedMs / 1000)} s (send it again, or force it in through the inbox)`);
  }
}

/**
 * A header's timeBase is later than this member's receive time of a pending
 * transaction the batch leaves out (by more than the grace for gossip): the
 * leader would make it stale, and stale transactions are ordered first by
 * txHash, so a member does not sign it.
 */
export class TimeBaseSkipsPendingError extends ZkseqError {
  constructor(txHash: bigint, receivedAt: number, timeBase: bigint) {
    super("TIME_BASE_SKIPS_PENDING", `timeBase ${timeBase} is past this member's receive time ${receivedAt} of pending transaction 0x${txHash.toString(16)}, which the batch leaves out`);
  }
}

/** A fair-ordered slot holds a transaction this member saw land in a finalized batch: signing would land it twice. */
export class TransactionLandedError extends ZkseqError {
  constructor(txHash: bigint, batchNumber: bigint) {
    super("TX_ALREADY_LANDED", `transaction 0x${txHash.toString(16)} landed in batch ${batchNumber} already`);
  }
}

/** A proposal is not the current round's: its round is not the one the chain's clock is in, so a member does not sign it. */
export class RoundNotCurrentError extends ZkseqError {
  constructor(round: bigint, current: bigint) {
    super("ROUND_NOT_CURRENT", `round ${round} is not the current round ${current} by the chain's clock`);
  }
}

/** A proposal is not signed by the leader of its (batch number, round), so a member does not sign it. */
export class NotLeaderError extends ZkseqError {
  constructor(reason: string) {
    super("NOT_THE_LEADER", `the proposal is not the round's leader's: ${reason}`);
  }
}
