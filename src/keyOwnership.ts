import { blake512 } from "@noble/hashes/blake1.js";
import * as snarkjs from "snarkjs";
import { circomlib } from "./poseidon.js";
import { InvalidArgumentError } from "./errors.js";
import type { PublicKey } from "./keys.js";
import type { SnarkjsProof } from "./chain/solidity.js";
import { withSharedCurve } from "./build/curves.js";

/** The KeyOwnership circuit's public signals, in order: the key and the address it is bound to. */
export const KEY_OWNERSHIP_PUBLIC_SIGNALS = ["Ax", "Ay", "owner"] as const;

/**
 * The BabyJubjub scalar of a 32-byte private key, exactly as circomlibjs's
 * `eddsa.prv2pub` derives it: the first 32 bytes of blake512(privateKey),
 * pruned (low 3 bits cleared, bit 255 cleared, bit 254 set), read little-endian,
 * shifted right by 3. The public key is scalar * Base8.
 *
 * @example
 * keyOwnershipScalar(key.privateKey) // < 2^252
 */
export function keyOwnershipScalar(privateKey: Uint8Array): bigint {
  if (privateKey.length !== 32) throw new InvalidArgumentError(`a private key is 32 bytes, got ${privateKey.length}`);
  const h = blake512(privateKey).slice(0, 32);
  h[0]! &= 0xf8;
  h[31]! &= 0x7f;
  h[31]! |= 0x40;
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(h[i]!);
  return s >> 3n;
}

/** The public key scalar * Base8 (what the circuit computes). */
export function publicKeyOfScalar(scalar: bigint): PublicKey {
  const A = circomlib.babyJub.mulPointEscalar(circomlib.babyJub.Base8, scalar);
  return [circomlib.F.toObject(A[0]) as bigint, circomlib.F.toObject(A[1]) as bigint] as const;
}

/** The KeyOwnership circuit's input for a key and an owner address. */
export function keyOwnershipInput(privateKey: Uint8Array, owner: `0x${string}` | bigint): { input: Record<string, string>; publicSignals: string[] } {
  const ownerValue = typeof owner === "bigint" ? owner : BigInt(owner);
  if (ownerValue < 0n || ownerValue >= 1n << 160n) throw new InvalidArgumentError("the owner is an address (< 2^160)");
  const s = keyOwnershipScalar(privateKey);
  const [Ax, Ay] = publicKeyOfScalar(s);
  const input = { Ax: Ax.toString(), Ay: Ay.toString(), owner: ownerValue.toString(), s: s.toString() };
  return { input, publicSignals: [input.Ax, input.Ay, input.owner] };
}

/**
 * Proves that the caller knows the private key of a member key, bound to the
 * L1 address that will own its bond (`BatchInbox.bond` checks it against
 * msg.sender). Takes the `key-ownership` build's artifacts (from `buildCircuit`).
 *
 * @example
 * const art = await buildCircuit("key-ownership")
 * const { proof, publicSignals } = await proveKeyOwnership(key.privateKey, wallet.account.address, art)
 * await inbox.bond(key.publicKey, minBond, proof)
 */
export async function proveKeyOwnership(
  privateKey: Uint8Array,
  owner: `0x${string}` | bigint,
  artifacts: { wasm: string; zkey: string },
): Promise<{ proof: SnarkjsProof; publicSignals: string[] }> {
  const { input } = keyOwnershipInput(privateKey, owner);
  const { proof, publicSignals } = await withSharedCurve<{ proof: SnarkjsProof; publicSignals: unknown[] }>(() => snarkjs.groth16.fullProve(input, artifacts.wasm, artifacts.zkey));
  return { proof, publicSignals: publicSignals as string[] };
}
