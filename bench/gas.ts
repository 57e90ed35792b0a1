/**
 * Gas benchmark: the inbox's operations on Hardhat's in-process network with
 * real proofs, per build, against the bare Groth16 verifier's own cost in the
 * same run (the floor: pairing check plus one ecMul/ecAdd per public input).
 *
 * submitBatch is measured at full batches (B transactions), once with F forced
 * entries and once without; per-transaction cost = gas / B.
 * Flags: --builds dev,standard
 */
import * as snarkjs from "snarkjs";
import { encodeFunctionData, type PublicClient, type WalletClient } from "viem";
import { compileContracts } from "../src/chain/compileContracts.js";
import { deployInbox } from "../src/chain/deploy.js";
import { batchVerifierAbi } from "../src/chain/abi.js";
import { proofToSolidity } from "../src/chain/solidity.js";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { releaseCurves } from "../src/build/curves.js";
import { getBatchBuild, equivocationBuildFor } from "../src/builds.js";
import { buildEquivocationInput } from "../src/equivocation.js";
import { ForcedQueue } from "../src/forced.js";
import { consoleLogger } from "../src/logger.js";
import { makeCommittee, equivocatingReports } from "../test/helpers/fixtures.js";
import { proveChainBatch } from "../test/helpers/chainFixture.js";
import { flag } from "./flags.js";


export async function main(args: string[]): Promise<void> {
  const ids = (flag(args, "builds") ?? "dev,standard").split(",");
  const logger = consoleLogger("bench");
  const ptau = process.env.ZKSEQ_PTAU;
  const opts = { logger, ...(ptau ? { ptau } : {}) };
  const { hre } = await compileContracts(ids, opts);
  const [wallet] = (await hre.viem.getWalletClients()) as unknown as WalletClient[];
  const client = (await hre.viem.getPublicClient()) as unknown as PublicClient;
  const rows: string[] = [];
  const fmt = (n: bigint) => n.toLocaleString("en-US");

  for (const id of ids) {
    const build = getBatchBuild(id);
    const { D, Q, B, F } = build.params;
    const artifacts = await buildCircuit(id, opts);
    const { committee, keys } = makeCommittee({ size: Math.min(2 ** D, Q + 1), depth: D, threshold: BigInt(Q), salt: `gas-${id}` });
    const signers = Array.from({ length: Q }, (_, i) => i);
    const { deployment, inbox } = await deployInbox({ wallet: wallet!, client, build: id, genesisCommittee: committee, params: { forceFee: 1000n, minBond: 10n ** 18n } });
    logger.info(`${id}: deployed; queueing ${F} forced entries`);

    const queue = new ForcedQueue();
    const forceGas: bigint[] = [];
    for (let i = 0; i < F; i++) {
      const h = BigInt(1000 + i);
      forceGas.push((await inbox.forceInclude(h)).gasUsed);
      queue.append(h, 0n);
    }

    const submit = async (batchNumber: bigint, forced: bigint[], seed: number) => {
      const state = await inbox.state();
      const t = (await client.getBlock()).timestamp;
      logger.info(`${id}: proving full batch ${batchNumber} (${forced.length} forced)`);
      const b = await proveChainBatch(artifacts, {
        committee,
        keys,
        signers,
        inbox: deployment.inbox,
        batchNumber,
        prevBatchHash: state.headBatchHash,
        forced: { from: state.forcedConsumed, accFrom: queue.accAt(Number(state.forcedConsumed)), txHashes: forced },
        timeBase: (t - 60n) * 1000n,
        txs: B - forced.length,
        seed,
      });
      const verifierGas = await client.estimateGas({
        to: deployment.batchVerifier,
        data: encodeFunctionData({
          abi: batchVerifierAbi,
          functionName: "verifyProof",
          args: (() => {
            const p = proofToSolidity(b.proof);
            return [[p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], b.publicSignals.map(BigInt)] as never;
          })(),
        }),
      });
      const sent = await inbox.submitBatch(b.proof, b.publicSignals);
      return { gas: sent.gasUsed, verifierGas };
    };
    const withForced = await submit(1n, queue.slice(0, F), 11);
    const noForced = await submit(2n, [], 12);

    // slashing: bond a member, prove its double-signature, slash
    await inbox.bond(keys[0]!.publicKey, 10n ** 18n);
    const eq = equivocationBuildFor(id);
    const eqArtifacts = await buildCircuit(eq, opts);
    const ev = buildEquivocationInput({ build: eq, committee, ...equivocatingReports(keys[0]!, 0, B, { inbox: BigInt(deployment.inbox), batchNumber: 3n }) });
    const { proof } = await snarkjs.groth16.fullProve(ev.input, eqArtifacts.wasm, eqArtifacts.zkey);
    await releaseCurves();
    const slashGas = (await inbox.slash(proof, ev.publicSignals)).gasUsed;

    const median = [...forceGas].sort((a, b) => (a < b ? -1 : 1))[forceGas.length >> 1]!;
    const ratio = (g: bigint, base: bigint) => `${(Number(g) / Number(base)).toFixed(2)}x`;
    rows.push(`| ${id} | submitBatch, full (${B} tx, ${F} forced) | ${fmt(withForced.gas)} | ${fmt(withForced.gas / BigInt(B))} | ${ratio(withForced.gas, withForced.verifierGas)} |`);
    rows.push(`| ${id} | submitBatch, full (${B} tx, 0 forced) | ${fmt(noForced.gas)} | ${fmt(noForced.gas / BigInt(B))} | ${ratio(noForced.gas, noForced.verifierGas)} |`);
    rows.push(`| ${id} | bare verifyProof (tx to the verifier: the floor) | ${fmt(noForced.verifierGas)} | ${fmt(noForced.verifierGas / BigInt(B))} | 1.00x |`);
    rows.push(`| ${id} | forceInclude (median of ${F}) | ${fmt(median)} | | |`);
    rows.push(`| ${id} | slash | ${fmt(slashGas)} | | |`);
  }
  console.log(`\n## Gas (Hardhat ${hre.version}, EVM cancun, solc ${hre.config.solidity.compilers[0]?.version}, optimizer 10,000 runs)\n`);
  console.log("| build | operation | gas | gas per tx | vs bare verifier |");
  console.log("|---|---|---:|---:|---:|");
  for (const r of rows) console.log(r);
}
