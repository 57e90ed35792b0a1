/**
 * A leader's proposal: the header it asks the committee to sign, signed with
 * the leader's own EdDSA-Poseidon member key, so a member signs only what the
 * current round's leader proposed (member/signingPolicy.ts `checkLeader`).
 *
 * The signed message is Poseidon(PROPOSAL_DOMAIN, batchHash, 0), a 3-input
 * Poseidon: reports sign the 2-input Poseidon(batchHash, tsCommit), and the
 * two hash functions have different round constants, so no proposal
 * signature is ever a valid report signature (the circuit checks only
 * reports) and no report signature is a proposal's.
 */
import { poseidon } from "./poseidon.js";
import { assertField, toBigInt } from "./field.js";
import { InvalidArgumentError } from "./errors.js";
import { signMessage, verifySignature, type MemberKey, type PublicKey, type Signature } from "./keys.js";

/** "zkseq.proposal" as a field element. */
export const PROPOSAL_DOMAIN = BigInt("0x" + Buffer.from("zkseq.proposal").toString("hex"));

/** The message a leader signs for a proposed header. */
export function proposalMessage(batchHash: bigint): bigint {
  return poseidon([PROPOSAL_DOMAIN, assertField(batchHash, "batchHash"), 0n]);
}

/** The leader's signature on a proposal of `batchHash`. */
export function signProposal(key: MemberKey, batchHash: bigint): Signature {
  return signMessage(key.privateKey, proposalMessage(batchHash));
}

/** True if `signature` is `publicKey`'s signature on a proposal of `batchHash`. */
export function verifyProposal(publicKey: PublicKey, batchHash: bigint, signature: Signature): boolean {
  try {
    return verifySignature(publicKey, proposalMessage(batchHash), signature);
  } catch {
    return false;
  }
}

/** How a proposal names its leader: its leaf index and its signature on the header's batchHash. */
export interface ProposalAuth {
  leader: number;
  signature: Signature;
}

/** JSON form of ProposalAuth (decimal strings). */
export interface ProposalAuthJson {
  leader: number;
  signature: { R8: [string, string]; S: string };
}

export function proposalAuthToJSON(a: ProposalAuth): ProposalAuthJson {
  return { leader: a.leader, signature: { R8: [a.signature.R8[0].toString(), a.signature.R8[1].toString()], S: a.signature.S.toString() } };
}

/** Parses a ProposalAuth from untrusted JSON; InvalidArgumentError naming the field otherwise. */
export function proposalAuthFromJSON(json: unknown): ProposalAuth {
  const o = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (!o) throw new InvalidArgumentError("proposal must be { leader, signature }");
  if (!Number.isSafeInteger(o.leader) || (o.leader as number) < 0) throw new InvalidArgumentError("proposal.leader must be a non-negative integer");
  const sig = typeof o.signature === "object" && o.signature !== null ? (o.signature as Record<string, unknown>) : undefined;
  if (!sig || !Array.isArray(sig.R8) || sig.R8.length !== 2) throw new InvalidArgumentError("proposal.signature must be { R8: [x, y], S }");
  return {
    leader: o.leader as number,
    signature: {
      R8: [assertField(toBigInt(sig.R8[0], "proposal.signature.R8[0]"), "proposal.signature.R8[0]"), assertField(toBigInt(sig.R8[1], "proposal.signature.R8[1]"), "proposal.signature.R8[1]")],
      S: toBigInt(sig.S, "proposal.signature.S"),
    },
  };
}

/** "zkseq.identity" as a field element. */
export const IDENTITY_DOMAIN = BigInt("0x" + Buffer.from("zkseq.identity").toString("hex"));

/**
 * What a member signs to prove it holds its key to a leader that asks
 * (`POST /identity { nonce }`): Poseidon(IDENTITY_DOMAIN, nonce, 0, 0), a
 * 4-input Poseidon, neither a report's (2) nor a proposal's (3). A leader
 * matches a peer URL to a committee leaf only through it, so an endpoint
 * cannot pass itself off as another member.
 */
export function identityMessage(nonce: bigint): bigint {
  return poseidon([IDENTITY_DOMAIN, assertField(nonce, "nonce"), 0n, 0n]);
}

export function signIdentity(key: MemberKey, nonce: bigint): Signature {
  return signMessage(key.privateKey, identityMessage(nonce));
}

export function verifyIdentity(publicKey: PublicKey, nonce: bigint, signature: Signature): boolean {
  try {
    return verifySignature(publicKey, identityMessage(nonce), signature);
  } catch {
    return false;
  }
}
