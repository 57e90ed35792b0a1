import { createPublicClient, createWalletClient, defineChain, http, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { InvalidArgumentError } from "../errors.js";

/** Hardhat's first development account (public knowledge: for local chains only). */
export const HARDHAT_DEV_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/**
 * viem clients for a JSON-RPC endpoint: a public client and, with a private
 * key, a wallet client that signs locally.
 *
 * @example
 * const { client, wallet } = await chainClients({ rpc: "http://127.0.0.1:8545", privateKey })
 */
export async function chainClients(opts: { rpc: string; privateKey?: Hex; pollingInterval?: number }): Promise<{ client: PublicClient; wallet: WalletClient | undefined }> {
  const probe = createPublicClient({ transport: http(opts.rpc) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new InvalidArgumentError(`cannot reach the chain at ${opts.rpc}: ${(e as Error).message.split("\n")[0]}`);
  }
  const chain = defineChain({ id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [opts.rpc] } } });
  const pollingInterval = opts.pollingInterval ?? 250;
  const client = createPublicClient({ chain, transport: http(opts.rpc), pollingInterval }) as PublicClient;
  const wallet = opts.privateKey ? createWalletClient({ chain, account: privateKeyToAccount(opts.privateKey), transport: http(opts.rpc), pollingInterval }) : undefined;
  return { client, wallet };
}
