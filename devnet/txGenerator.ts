import { randomBytes } from "node:crypto";
import { keccak256, parseGwei, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { txHashOf } from "../src/txHash.js";

/** A rollup transaction as the devnet's users send it: raw bytes, its zkseq id and its Ethereum hash. */
export interface RollupTransaction {
  raw: Hex;
  /** zkseq's id: the low 248 bits of `ethHash`. */
  txHash: bigint;
  /** keccak256 of the raw bytes: the hash a wallet shows its user. */
  ethHash: Hex;
}

/**
 * The devnet's users: each a fresh secp256k1 account that signs EIP-1559
 * transfers for the rollup's chain id, one nonce after the other. zkseq
 * treats them as opaque bytes; a user recognises its transaction by its
 * Ethereum hash, whose low 248 bits are zkseq's txHash.
 *
 * @example
 * const users = new TransactionGenerator({ chainId: 901n, users: 4 })
 * const tx = await users.next() // { raw: "0x02f8…", txHash, ethHash }
 */
export class TransactionGenerator {
  private readonly accounts: PrivateKeyAccount[];
  private readonly nonces: number[];
  private turn = 0;

  constructor(private readonly opts: { chainId: bigint; users?: number }) {
    this.accounts = Array.from({ length: opts.users ?? 4 }, () => privateKeyToAccount(`0x${randomBytes(32).toString("hex")}`));
    this.nonces = this.accounts.map(() => 0);
  }

  /** The next user's next transfer to another user, signed. */
  async next(): Promise<RollupTransaction> {
    const i = this.turn++ % this.accounts.length;
    const to = this.accounts[(i + 1) % this.accounts.length]!.address;
    const raw = await this.accounts[i]!.signTransaction({
      type: "eip1559",
      chainId: Number(this.opts.chainId),
      nonce: this.nonces[i]!++,
      to,
      value: BigInt(1 + Math.floor(Math.random() * 1e6)) * 10n ** 9n,
      gas: 21_000n,
      maxFeePerGas: parseGwei("2"),
      maxPriorityFeePerGas: parseGwei("1"),
    });
    return { raw, txHash: txHashOf(raw), ethHash: keccak256(raw) };
  }
}
