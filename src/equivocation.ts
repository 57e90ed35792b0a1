import { getEquivocationBuild, type EquivocationCircuitBuild } from "./builds.js";
import type { Committee } from "./committee.js";
import { batchHash, HEADER_FIELDS, validateHeader, type BatchHeader } from "./header.js";
import { reportMessage, tsCommit, verifyReport, type SignedReport } from "./report.js";
import { InvalidArgumentError, InvalidSignatureError, NotEquivocationError } from "./errors.js";
import { assertUint } from "./field.js";
import type { CircuitInput } from "./witness.js";

/** One signed report and the header it was signed over. */
export interface ReportOpening {
  header: BatchHeader;
  report: SignedReport;
}

/** The Equivocation circuit's input and public signals. */
export interface EquivocationWitness {
  input: CircuitInput;
  /** [committeeHash, chainId, inbox, batchNumber, round, Ax, Ay, reporter] */
  publicSignals: string[];
}

/** Public signal names of the Equivocation circuit, in snarkjs order. */
export const EQUIVOCATION_PUBLIC_SIGNALS = ["committeeHash", "chainId", "inbox", "batchNumber", "round", "Ax", "Ay", "reporter"] as const;

/**
 * Builds slashing evidence: a member of `committee` signed two different
 * reports for the same (chainId, inbox, batchNumber, round). Reports in two
 * different rounds are not evidence (a member may sign one header per round).
 * Refuses with NotEquivocationError when the two reports do not show that, and
 * InvalidSignatureError when a signature does not verify. `reporter` (an
 * address) is bound to the proof: the inbox pays it the reward, whoever sends
 * the slash transaction.
 *
 * @example
 * const { input } = buildEquivocationInput({ build: "equivocation-dev", committee, first, second, reporter: "0x…" })
 */
export function buildEquivocationInput(req: {
  build: string | EquivocationCircuitBuild;
  committee: Committee;
  first: ReportOpening;
  second: ReportOpening;
  /** The address the slashing reward goes to (0x-hex or a 160-bit integer). */
  reporter: string | bigint;
}): EquivocationWitness {
  const build = getEquivocationBuild(typeof req.build === "string" ? req.build : req.build.id);
  const { committee } = req;
  if (committee.depth !== build.params.D) throw new InvalidArgumentError(`build '${build.id}' covers committees of depth ${build.params.D}, this one has depth ${committee.depth}`);
  const a = { header: validateHeader(req.first.header), report: req.first.report };
  const b = { header: validateHeader(req.second.header), report: req.second.report };
  if (a.report.memberIndex !== b.report.memberIndex) throw new NotEquivocationError(`the reports are by members ${a.report.memberIndex} and ${b.report.memberIndex}`);
  const reporter = assertUint(req.reporter, 160, "reporter");
  for (const f of ["chainId", "inbox", "batchNumber", "round"] as const) {
    if (a.header[f] !== b.header[f]) throw new NotEquivocationError(`the headers have different ${f}`);
  }
  const index = a.report.memberIndex;
  const member = committee.member(index);
  const hashes = [batchHash(a.header), batchHash(b.header)];
  [a, b].forEach((o, r) => {
    if (!verifyReport(committee, hashes[r]!, o.report)) throw new InvalidSignatureError(index);
  });
  if (reportMessage(hashes[0]!, a.report.times) === reportMessage(hashes[1]!, b.report.times)) throw new NotEquivocationError("the two reports are the same report");

  const s = (v: bigint | number) => v.toString();
  const rest = (h: BatchHeader) => HEADER_FIELDS.slice(4).map((f) => s(h[f]));
  const input: CircuitInput = {
    committeeHash: s(committee.hash),
    chainId: s(a.header.chainId),
    inbox: s(a.header.inbox),
    batchNumber: s(a.header.batchNumber),
    round: s(a.header.round),
    Ax: s(member.publicKey[0]),
    Ay: s(member.publicKey[1]),
    reporter: s(reporter),
    committeeRoot: s(committee.root),
    thresholdWeight: s(committee.thresholdWeight),
    epoch: s(committee.epoch),
    weight: s(member.weight),
    index: s(index),
    siblings: committee.path(index).siblings.map(s),
    rest: [rest(a.header), rest(b.header)],
    tsCommit: [s(tsCommit(a.report.times)), s(tsCommit(b.report.times))],
    R8x: [s(a.report.signature.R8[0]), s(b.report.signature.R8[0])],
    R8y: [s(a.report.signature.R8[1]), s(b.report.signature.R8[1])],
    S: [s(a.report.signature.S), s(b.report.signature.S)],
  };
  return { input, publicSignals: EQUIVOCATION_PUBLIC_SIGNALS.map((k) => input[k] as string) };
}
