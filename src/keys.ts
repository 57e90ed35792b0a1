import { randomBytes, scryptSync, createCipheriv, createDecipheriv } from "node:crypto";
import { readFile, writeFile, rename } from "node:fs/promises";
import { circomlib } from "./poseidon.js";
import { assertField } from "./field.js";
import { InvalidArgumentError, KeystoreError } from "./errors.js";

/** A BabyJubjub public key (affine point). */
export type PublicKey = readonly [bigint, bigint];

/** An EdDSA-Poseidon signature: the point R8 and the scalar S. */
export interface Signature {
  R8: readonly [bigint, bigint];
  S: bigint;
}

/** A committee member's signing key. */
export interface MemberKey {
  /** 32 random bytes (circomlibjs derives the scalar with blake512). */
  privateKey: Uint8Array;
  publicKey: PublicKey;
}

/**
 * Creates a new member key from 32 bytes of OS randomness (or the given seed).
 *
 * @example
 * const key = generateMemberKey()
 */
export function generateMemberKey(seed?: Uint8Array): MemberKey {
  const privateKey = seed ?? new Uint8Array(randomBytes(32));
  if (privateKey.length !== 32) throw new InvalidArgumentError(`a private key is 32 bytes, got ${privateKey.length}`);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

/** The BabyJubjub public key of a 32-byte private key. */
export function publicKeyOf(privateKey: Uint8Array): PublicKey {
  const A = circomlib.eddsa.prv2pub(Buffer.from(privateKey));
  return [circomlib.F.toObject(A[0]), circomlib.F.toObject(A[1])] as const;
}

/**
 * Signs a field element with EdDSA-Poseidon, as circomlib's
 * `EdDSAPoseidonVerifier` checks it.
 */
export function signMessage(privateKey: Uint8Array, message: bigint): Signature {
  assertField(message, "message");
  const sig = circomlib.eddsa.signPoseidon(Buffer.from(privateKey), circomlib.F.e(message));
  return { R8: [circomlib.F.toObject(sig.R8[0]), circomlib.F.toObject(sig.R8[1])] as const, S: BigInt(sig.S) };
}

/** Verifies an EdDSA-Poseidon signature; false (never a throw) for any malformed part. */
export function verifySignature(publicKey: PublicKey, message: bigint, signature: Signature): boolean {
  try {
    assertField(message, "message");
    const F = circomlib.F;
    return circomlib.eddsa.verifyPoseidon(
      F.e(message),
      { R8: [F.e(signature.R8[0]), F.e(signature.R8[1])], S: signature.S },
      [F.e(publicKey[0]), F.e(publicKey[1])],
    ) as boolean;
  } catch {
    return false;
  }
}

// ---- keystore files ----

/** The JSON form of an encrypted member key (scrypt + AES-256-GCM). */
export interface KeystoreFile {
  version: 1;
  kind: "zkseq-member-key";
  publicKey: [string, string];
  crypto: {
    kdf: "scrypt";
    kdfparams: { N: number; r: number; p: number; salt: string };
    cipher: "aes-256-gcm";
    iv: string;
    ciphertext: string;
    tag: string;
  };
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

function deriveKey(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(password.normalize("NFKC"), salt, 32, { ...params, maxmem: 256 * params.N * params.r });
}

/** Encrypts a member key under a password. */
export function encryptKeystore(key: MemberKey, password: string): KeystoreFile {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(password, salt, SCRYPT), iv);
  const ciphertext = Buffer.concat([cipher.update(key.privateKey), cipher.final()]);
  return {
    version: 1,
    kind: "zkseq-member-key",
    publicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()],
    crypto: {
      kdf: "scrypt",
      kdfparams: { ...SCRYPT, salt: salt.toString("hex") },
      cipher: "aes-256-gcm",
      iv: iv.toString("hex"),
      ciphertext: ciphertext.toString("hex"),
      tag: cipher.getAuthTag().toString("hex"),
    },
  };
}

/** Decrypts a keystore; a wrong password or a tampered file is a KeystoreError. */
export function decryptKeystore(file: unknown, password: string): MemberKey {
  const ks = file as KeystoreFile;
  if (!ks || ks.version !== 1 || ks.kind !== "zkseq-member-key" || ks.crypto?.kdf !== "scrypt" || ks.crypto?.cipher !== "aes-256-gcm") {
    throw new KeystoreError("not a zkseq member keystore (version 1)");
  }
  let privateKey: Uint8Array;
  try {
    const { N, r, p, salt } = ks.crypto.kdfparams;
    const decipher = createDecipheriv("aes-256-gcm", deriveKey(password, Buffer.from(salt, "hex"), { N, r, p }), Buffer.from(ks.crypto.iv, "hex"));
    decipher.setAuthTag(Buffer.from(ks.crypto.tag, "hex"));
    privateKey = new Uint8Array(Buffer.concat([decipher.update(Buffer.from(ks.crypto.ciphertext, "hex")), decipher.final()]));
  } catch (cause) {
    throw new KeystoreError("cannot decrypt the keystore: wrong password or corrupted file", cause);
  }
  const key = generateMemberKey(privateKey);
  if (key.publicKey[0].toString() !== ks.publicKey[0] || key.publicKey[1].toString() !== ks.publicKey[1]) {
    throw new KeystoreError("the keystore's public key does not match its private key");
  }
  return key;
}

/** Writes an encrypted keystore file (mode 0600, atomically). */
export async function writeKeystore(path: string, key: MemberKey, password: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(encryptKeystore(key, password), null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, path);
}

/** Reads and decrypts a keystore file. */
export async function readKeystore(path: string, password: string): Promise<MemberKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new KeystoreError(`cannot read keystore ${path}`, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new KeystoreError(`keystore ${path} is not JSON`, cause);
  }
  return decryptKeystore(json, password);
}
