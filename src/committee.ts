import { poseidon } from "./poseidon.js";
import { assertUint } from "./field.js";
import { binaryMerkleLevels, binaryMerklePath, type BinaryMerklePath } from "./merkle.js";
import { InvalidCommitteeError, UnknownSignerError } from "./errors.js";
import type { PublicKey } from "./keys.js";

/** One committee member: a BabyJubjub public key and a stake weight. */
export interface CommitteeMember {
  publicKey: PublicKey;
  /** Stake weight, 1 .. 2^64 - 1. */
  weight: bigint;
}

/** What defines a committee. */
export interface CommitteeConfig {
  members: readonly CommitteeMember[];
  /** Merkle depth D: at most 2^D members. Must match the circuit build. */
  depth: number;
  /** Total weight a quorum needs, 1 .. sum of weights. */
  thresholdWeight: bigint;
  /** Epoch number (u64), part of committeeHash so a re-used member set still changes hash. */
  epoch: bigint;
}

/** JSON form of a committee (decimal strings). */
export interface CommitteeJson {
  depth: number;
  thresholdWeight: string;
  epoch: string;
  members: { publicKey: [string, string]; weight: string }[];
}

/** A member's leaf: Poseidon(Ax, Ay, weight). */
export function memberLeaf(member: CommitteeMember): bigint {
  return poseidon([member.publicKey[0], member.publicKey[1], member.weight]);
}

/** committeeHash = Poseidon(committeeRoot, thresholdWeight, epoch). */
export function committeeHashOf(root: bigint, thresholdWeight: bigint, epoch: bigint): bigint {
  return poseidon([root, thresholdWeight, epoch]);
}

/**
 * A sequencer committee: its members in leaf order, its Merkle root and its
 * committeeHash (the value the inbox contract stores).
 *
 * @example
 * const committee = new Committee({ members, depth: 2, thresholdWeight: 3n, epoch: 0n })
 * committee.hash // the committeeHash a batch must carry
 */
export class Committee {
  readonly members: readonly CommitteeMember[];
  readonly depth: number;
  readonly thresholdWeight: bigint;
  readonly epoch: bigint;
  readonly totalWeight: bigint;
  readonly root: bigint;
  readonly hash: bigint;
  private readonly levels: bigint[][];
  private readonly byKey: Map<string, number>;

  constructor(config: CommitteeConfig) {
    const { members, depth } = config;
    if (!Number.isInteger(depth) || depth < 1 || depth > 16) throw new InvalidCommitteeError(`depth must be an integer in [1, 16], got ${depth}`);
    if (members.length < 1 || members.length > 2 ** depth) {
      throw new InvalidCommitteeError(`a committee of depth ${depth} has 1 to ${2 ** depth} members, got ${members.length}`);
    }
    this.byKey = new Map();
    let total = 0n;
    members.forEach((m, i) => {
      const w = assertUint(m.weight, 64, `weight of member ${i}`);
      if (w === 0n) throw new InvalidCommitteeError(`member ${i} has weight 0`);
      const k = keyId(m.publicKey);
      if (this.byKey.has(k)) throw new InvalidCommitteeError(`member ${i} has the same public key as member ${this.byKey.get(k)}`);
      this.byKey.set(k, i);
      total += w;
    });
    const threshold = assertUint(config.thresholdWeight, 64, "thresholdWeight");
    if (threshold === 0n || threshold > total) {
      throw new InvalidCommitteeError(`thresholdWeight must be in [1, ${total}] (the total weight), got ${threshold}`);
    }
    this.members = members.map((m) => ({ publicKey: [m.publicKey[0], m.publicKey[1]] as const, weight: BigInt(m.weight) }));
    this.depth = depth;
    this.thresholdWeight = threshold;
    this.epoch = assertUint(config.epoch, 64, "epoch");
    this.totalWeight = total;
    this.levels = binaryMerkleLevels(this.members.map(memberLeaf), depth);
    this.root = this.levels[this.levels.length - 1]![0]!;
    this.hash = committeeHashOf(this.root, this.thresholdWeight, this.epoch);
  }

  /** The member at a leaf index, or an UnknownSignerError. */
  member(index: number): CommitteeMember {
    const m = Number.isInteger(index) ? this.members[index] : undefined;
    if (!m) throw new UnknownSignerError(`#${index}`);
    return m;
  }

  /** Whether a public key holds a leaf. */
  has(publicKey: PublicKey): boolean {
    return this.byKey.has(keyId(publicKey));
  }

  /** The leaf index of a public key, or an UnknownSignerError. */
  indexOf(publicKey: PublicKey): number {
    const i = this.byKey.get(keyId(publicKey));
    if (i === undefined) throw new UnknownSignerError(`with public key (${publicKey[0]}, ${publicKey[1]})`);
    return i;
  }

  /** The Merkle path of a member's leaf. */
  path(index: number): BinaryMerklePath {
    this.member(index);
    return binaryMerklePath(this.levels, index);
  }

  toJSON(): CommitteeJson {
    return {
      depth: this.depth,
      thresholdWeight: this.thresholdWeight.toString(),
      epoch: this.epoch.toString(),
      members: this.members.map((m) => ({ publicKey: [m.publicKey[0].toString(), m.publicKey[1].toString()], weight: m.weight.toString() })),
    };
  }

  static fromJSON(json: CommitteeJson): Committee {
    return new Committee({
      depth: json.depth,
      thresholdWeight: BigInt(json.thresholdWeight),
      epoch: BigInt(json.epoch),
      members: json.members.map((m) => ({ publicKey: [BigInt(m.publicKey[0]), BigInt(m.publicKey[1])] as const, weight: BigInt(m.weight) })),
    });
  }
}

function keyId(k: PublicKey): string {
  return `${k[0]}:${k[1]}`;
}

