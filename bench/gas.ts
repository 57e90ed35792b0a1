/**
 * Gas benchmark (protocol v2): the inbox's operations on Hardhat's in-process
 * network with real proofs, per build, against the bare Groth16 verifier's own
 * cost measured in the same run (the floor: pairing check plus one
 * ecMul/ecAdd per public input).
 *
 * submitBatch posts B raw transactions of --tx-bytes bytes (default 150): once
 * with no forced entry (all B posted) and once with F forced entries (B - F
 * posted; forced bytes went to L1 in forceInclude). It reports execution gas
 * (gasUsed minus the 21,000 base and the calldata gas), calldata gas, and the
 * total per transaction. Flags: --builds dev,standard --tx-bytes 150
 */
import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { encodeFunctionData, hexToBytes, toHex, type Hex, type PublicClient, type WalletClient } from "viem";
import { compileContracts } from "../src/chain/compileContracts.js";
import { deployInbox } from "../src/chain/deploy.js";
import { batchVerifierAbi } from "../src/chain/abi.js";
import { proofToSolidity } from "../src/chain/solidity.js";
import type { Sent } from "../src/chain/inboxClient.js";
import { buildCircuit } from "../src/build/buildCircuit.js";
import { releaseCurves } from "../src/build/curves.js";
import { getBatchBuild, equivocationBuildFor } from "../src/builds.js";
import { maxMembersFor } from "../src/election.js";
import { buildEquivocationInput } from "../src/equivocation.js";
import { ForcedQueue } from "../src/forced.js";
import { txHashOf } from "../src/txHash.js";
import { consoleLogger } from "../src/logger.js";
import { equivocatingReports, testKey } from "../test/helpers/fixtures.js";
import { keysInLeafOrder, proveChainBatch } from "../test/helpers/chainFixture.js";
import { flag } from "./flags.js";

/** The EVM's calldata price (EIP-2028): 4 gas per zero byte, 16 per other byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (const b of hexToBytes(input)) gas += b === 0 ? 4n : 16n;
  return gas;
}

interface Measured {
  total: bigint;
  calldata: bigint;
  execution: bigint;
}

async function measure(client: PublicClient, sent: Sent): Promise<Measured> {
  const tx = await client.getTransaction({ hash: sent.hash });
  const calldata = calldataGas(tx.input);
  return { total: sent.gasUsed, calldata, execution: sent.gasUsed - 21_000n - calldata };
}

export async function main(args: string[]): Promise<void> {
  const ids = (flag(args, "builds") ?? "dev,standard").split(",");
  const txBytes = Number(flag(args, "tx-bytes") ?? "150");
  const logger = consoleLogger("bench");
  const ptau = process.env.ZKSEQ_PTAU;
  const opts = { logger, ...(ptau ? { ptau } : {}) };
  const { hre } = await compileContracts(ids, opts);
  const [wallet] = (await hre.viem.getWalletClients()) as unknown as WalletClient[];
  const client = (await hre.viem.getPublicClient()) as unknown as PublicClient;
  const rows: string[] = [];
  const figures: Record<string, Record<string, number>> = {};
  const fmt = (n: bigint) => n.toLocaleString("en-US");

  for (const id of ids) {
    const build = getBatchBuild(id);
    const { D, Q, B, F } = build.params;
    const artifacts = await buildCircuit(id, opts);
    const genesisKeys = Array.from({ length: Math.min(2 ** D, maxMembersFor(Q)) }, (_, i) => testKey(i, `gas-${id}`));
    const { deployment, inbox } = await deployInbox({
      wallet: wallet!,
      client,
      build: id,
      genesisMembers: genesisKeys.map((k) => k.publicKey),
      params: { forceFee: 1000n, maxTxBytes: Math.max(txBytes, 256), maxBatchBytes: B * Math.max(txBytes, 256) },
    });
    const committee = deployment.genesisCommittee;
    const keys = keysInLeafOrder(committee, genesisKeys);
    const signers = Array.from({ length: Q }, (_, i) => i);
    logger.info(`${id}: deployed; queueing ${F} forced entries of ${txBytes} bytes`);

    const queue = new ForcedQueue();
    const forceGas: Measured[] = [];
    for (let i = 0; i < F; i++) {
      const raw = toHex(randomBytes(txBytes));
      forceGas.push(await measure(client, await inbox.forceInclude(raw)));
      queue.append(txHashOf(raw), 0n);
    }

    const submit = async (forced: bigint[], seed: number) => {
      const state = await inbox.state();
      const t = (await client.getBlock()).timestamp;
      logger.info(`${id}: proving batch ${state.nextBatchNumber} (${B} tx, ${forced.length} forced)`);
      const b = await proveChainBatch(artifacts, {
        committee,
        keys,
        signers,
        inbox: deployment.inbox,
        batchNumber: state.nextBatchNumber,
        prevBatchHash: state.headBatchHash,
        forced: { from: state.forcedConsumed, accFrom: queue.accAt(Number(state.forcedConsumed)), txHashes: forced },
        timeBase: (t - 60n) * 1000n,
        txs: Array.from({ length: B - forced.length }, () => randomBytes(txBytes)),
        seed,
      });
      const p = proofToSolidity(b.proof);
      const verifierGas = await client.estimateGas({
        to: deployment.batchVerifier,
        data: encodeFunctionData({ abi: batchVerifierAbi, functionName: "verifyProof", args: [[p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], b.publicSignals.map(BigInt)] as never }),
      });
      const sent = await inbox.submitBatch(b.proof, b.publicSignals, b.postedTxs);
      return { ...(await measure(client, sent)), verifierGas: verifierGas - 21_000n };
    };
    const noForced = await submit([], 12);
    const withForced = await submit(queue.slice(0, F), 11);

    // slashing: a genesis member's double-signature (genesis members serve without a bond: the cost is the proof's)
    const eq = equivocationBuildFor(id);
    const eqArtifacts = await buildCircuit(eq, opts);
    const evidence = equivocatingReports(keys[0]!, 0, B, { inbox: BigInt(deployment.inbox), batchNumber: 9n, committeeHash: committee.hash });
    const ev = buildEquivocationInput({ build: eq, committee, reporter: wallet!.account!.address, ...evidence });
    const { proof } = await snarkjs.groth16.fullProve(ev.input, eqArtifacts.wasm, eqArtifacts.zkey);
    await releaseCurves();
    const slash = await measure(client, await inbox.slash(proof, ev.publicSignals));

    const force = [...forceGas].sort((a, b) => (a.total < b.total ? -1 : 1))[forceGas.length >> 1]!;
    const ratio = (g: bigint, base: bigint) => `${(Number(g) / Number(base)).toFixed(2)}x`;
    const row = (name: string, m: Measured, perTx: number, base?: bigint) =>
      rows.push(`| ${id} | ${name} | ${fmt(m.execution)} | ${fmt(m.calldata)} | ${fmt(m.total)} | ${perTx ? fmt(m.total / BigInt(perTx)) : ""} | ${base ? ratio(m.execution, base) : ""} |`);
    row(`submitBatch, ${B} tx posted (${txBytes} B each)`, noForced, B, noForced.verifierGas);
    row(`submitBatch, ${B - F} posted + ${F} forced`, withForced, B, withForced.verifierGas);
    rows.push(`| ${id} | bare verifyProof (the floor) | ${fmt(noForced.verifierGas)} | | | | 1.00x |`);
    row(`forceInclude (${txBytes} B, median of ${F})`, force, 1);
    row("slash", slash, 0);
    figures[id] = {
      submitBatchExecution: Number(noForced.execution),
      submitBatchCalldata: Number(noForced.calldata),
      submitBatchTotal: Number(noForced.total),
      totalPerTx: Math.round(Number(noForced.total) / B),
      submitBatchForcedExecution: Number(withForced.execution),
      verifierExecution: Number(noForced.verifierGas),
      forceIncludeTotal: Number(force.total),
      slashTotal: Number(slash.total),
    };
  }
  console.log(`\n## Gas (Hardhat ${hre.version}, EVM cancun, solc ${hre.config.solidity.compilers[0]?.version}, optimizer 10,000 runs)\n`);
  console.log("| build | operation | execution gas | calldata gas | total gas | total per tx | execution vs bare verifier |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(JSON.stringify({ bench: "gas", txBytes, builds: figures }));
}
