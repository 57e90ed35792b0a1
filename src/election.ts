import { encodeAbiParameters, keccak256 } from "viem";
import { Committee } from "./committee.js";
import { InvalidArgumentError, InvalidCommitteeError } from "./errors.js";
import type { PublicKey } from "./keys.js";

/**
 * The largest committee a proof with `signerCount` (Q) signer slots can serve:
 * the largest n with floor(2n/3) + 1 <= Q, i.e. 2n < 3Q. (Q = 3: 4, Q = 5: 7.)
 */
export function maxMembersFor(signerCount: number): number {
  if (!Number.isInteger(signerCount) || signerCount < 1) throw new InvalidArgumentError(`signerCount must be a positive integer, got ${signerCount}`);
  return Math.floor((3 * signerCount - 1) / 2);
}

/** The quorum of an elected committee of n members (weight 1 each): floor(2n/3) + 1. */
export function electedThreshold(n: number): bigint {
  return BigInt(Math.floor((2 * n) / 3) + 1);
}

/** The inbox's id of a member key: keccak256(abi.encode(Ax, Ay)). */
export function memberIdOf(publicKey: PublicKey): `0x${string}` {
  return keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [publicKey[0], publicKey[1]]));
}

/** A bonded key competing for a seat. */
export interface Candidate {
  publicKey: PublicKey;
  /** Wei bonded (0 for genesis members). */
  stake: bigint;
}

/**
 * The committee BatchInbox elects (its `scheduleCommittee` and genesis rule):
 * the top n = min(2^depth, maxMembersFor(Q), #candidates) candidates by stake,
 * ties by memberId ascending, each with weight 1, in that rank order as leaves,
 * thresholdWeight = floor(2n/3) + 1. Refuses (InvalidCommitteeError) a
 * committee no Q-signer proof can serve (n < Q).
 *
 * @example
 * const committee = electCommittee({ candidates: keys.map((k) => ({ publicKey: k.publicKey, stake: 0n })), depth: 2, signerCount: 3, epoch: 0n })
 */
export function electCommittee(opts: { candidates: readonly Candidate[]; depth: number; signerCount: number; epoch: bigint }): Committee {
  const seats = Math.min(2 ** opts.depth, maxMembersFor(opts.signerCount));
  const ranked = opts.candidates
    .map((c) => ({ ...c, id: memberIdOf(c.publicKey) }))
    .sort((a, b) => (a.stake !== b.stake ? (a.stake > b.stake ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = Math.min(seats, ranked.length);
  if (n < opts.signerCount) throw new InvalidCommitteeError(`an elected committee needs at least ${opts.signerCount} members (the build's signer count), got ${n}`);
  return new Committee({
    members: ranked.slice(0, n).map((c) => ({ publicKey: c.publicKey, weight: 1n })),
    depth: opts.depth,
    thresholdWeight: electedThreshold(n),
    epoch: opts.epoch,
  });
}

/**
 * The genesis committee of an inbox deployed with these keys: the election
 * with every stake 0 (leaves in memberId order). The inbox refuses more keys
 * than seats, duplicates, and fewer than Q.
 */
export function genesisCommitteeOf(keys: readonly PublicKey[], depth: number, signerCount: number): Committee {
  const seats = Math.min(2 ** depth, maxMembersFor(signerCount));
  if (keys.length > seats) throw new InvalidCommitteeError(`a genesis committee has at most ${seats} members, got ${keys.length}`);
  return electCommittee({ candidates: keys.map((publicKey) => ({ publicKey, stake: 0n })), depth, signerCount, epoch: 0n });
}
