import type { Command } from "commander";
import { toBigInt } from "../../src/field.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { readJsonFile } from "../../src/readJsonFile.js";
import type { InboxClient } from "../../src/chain/inboxClient.js";
import { getBatchBuild } from "../../src/builds.js";
import { action } from "../errors.js";
import { Progress } from "../progress.js";

async function readJson(file: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(file, "proof file");
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new InvalidArgumentError(`${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("verify a batch proof off-chain (the proof file zkseq prove writes): proof, header, chain link, committee")
    .argument("<batch.json>", "{ build, proof, publicSignals, header? }")
    .option("--vkey <file>", "verification key (default: the build's, from the build cache)")
    .option("--ptau <path>", "ptau for setting the build up if it is not cached (default: $ZKSEQ_PTAU)")
    .option("--prev <hash>", "the batch must follow this batch hash")
    .option("--committee <hash>", "the batch must be signed by this committee")
    .action(
      action(async (file: string, f: { vkey?: string; ptau?: string; prev?: string; committee?: string }) => {
        const doc = await readJson(file);
        if (!doc.proof || !Array.isArray(doc.publicSignals)) throw new InvalidArgumentError(`${file} has no proof and publicSignals`);
        const progress = new Progress();
        let vkey = f.vkey;
        if (!vkey) {
          const build = typeof doc.build === "string" ? doc.build : "dev";
          progress.step(`verification key of build '${build}'`);
          const ptau = f.ptau ?? process.env.ZKSEQ_PTAU;
          const { buildCircuit } = await import("../../src/build/buildCircuit.js");
          vkey = (await buildCircuit(getBatchBuild(build), ptau ? { ptau } : {})).verificationKey;
          progress.done();
        }
        const { verifyBatch } = await import("../../src/sdk/verifyBatch.js");
        const { header, batchHash } = await verifyBatch({
          proof: doc.proof as never,
          publicSignals: doc.publicSignals as string[],
          verificationKey: vkey,
          ...(doc.header !== undefined ? { header: doc.header } : {}),
          expected: {
            ...(f.prev ? { prevBatchHash: toBigInt(f.prev, "--prev") } : {}),
            ...(f.committee ? { committeeHash: toBigInt(f.committee, "--committee") } : {}),
          },
        });
        process.stdout.write(`batch ${header.batchNumber} verified: batchHash ${batchHash}, ${header.txCount} tx, txRoot ${header.txRoot}\n`);
      }),
    );

  program
    .command("batches")
    .description("derive the rollup's batches from L1 alone: each batch's proof, posted bytes, forced slots and chain link verified; prints its transactions in order")
    .requiredOption("--rpc <url>", "L1 JSON-RPC")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .option("-b, --build <id>", "the circuit build the inbox's verifier was made from", "dev")
    .option("--vkey <file>", "its verification key (default: the build's, from the build cache)")
    .option("--from <n>", "first batch number to print", "1")
    .option("--follow", "keep printing batches as they land", false)
    .option("--json", "one JSON object per batch", false)
    .action(
      action(async (f: { rpc: string; inbox: string; build: string; vkey?: string; from: string; follow: boolean; json: boolean }) => {
        const inbox = await inboxAt(f.rpc, f.inbox);
        const verificationKey = f.vkey ?? (await buildVkey(f.build));
        const { deriveBatches } = await import("../../src/sdk/deriveBatches.js");
        const stop = new AbortController();
        process.on("SIGINT", () => stop.abort());
        for await (const b of deriveBatches({ inbox, verificationKey, build: f.build, fromBatch: toBigInt(f.from, "--from"), follow: f.follow, signal: stop.signal })) {
          if (f.json) {
            process.stdout.write(
              JSON.stringify({
                batchNumber: b.batchNumber.toString(),
                batchHash: b.batchHash.toString(),
                round: b.header?.round.toString() ?? null,
                forcedOnly: b.forcedOnly,
                txRoot: b.txRoot.toString(),
                l1Tx: b.l1TxHash,
                transactions: b.transactions.map((t) => ({ slot: t.slot, txHash: "0x" + t.txHash.toString(16).padStart(62, "0"), forced: t.forcedIndex !== undefined, raw: t.raw })),
              }) + "\n",
            );
          } else {
            process.stdout.write(`batch ${b.batchNumber}${b.forcedOnly ? " (escape hatch, forced only)" : ` round ${b.header!.round}`}: ${b.transactions.length} tx, l1 ${b.l1TxHash}\n`);
            for (const t of b.transactions) process.stdout.write(`  ${String(t.slot).padStart(3)} 0x${t.txHash.toString(16).padStart(62, "0")}${t.forcedIndex !== undefined ? ` forced #${t.forcedIndex}` : ""} (${(t.raw.length - 2) / 2} bytes)\n`);
          }
        }
      }),
    );

  program
    .command("inclusion")
    .description("prove that a transaction is in a finalized batch, from L1 alone: its Merkle path to the txRoot the inbox finalized")
    .argument("<txHash>", "the transaction hash (0x..., 248-bit; the low 248 bits of its keccak256)")
    .requiredOption("--rpc <url>", "L1 JSON-RPC")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .option("-b, --build <id>", "the circuit build the inbox's verifier was made from", "dev")
    .option("--vkey <file>", "its verification key (default: the build's, from the build cache)")
    .action(
      action(async (hashArg: string, f: { rpc: string; inbox: string; build: string; vkey?: string }) => {
        const txHash = toBigInt(hashArg, "txHash") & ((1n << 248n) - 1n);
        const inbox = await inboxAt(f.rpc, f.inbox);
        const verificationKey = f.vkey ?? (await buildVkey(f.build));
        const [{ deriveBatches }, { proveInclusion, verifyInclusion }] = await Promise.all([import("../../src/sdk/deriveBatches.js"), import("../../src/sdk/inclusion.js")]);
        for await (const b of deriveBatches({ inbox, verificationKey, build: f.build })) {
          const tx = b.transactions.find((t) => t.txHash === txHash);
          if (!tx) continue;
          if (b.forcedOnly) {
            process.stdout.write(JSON.stringify({ txHash: hashArg, batchNumber: b.batchNumber.toString(), l1Tx: b.l1TxHash, forcedOnly: true, forcedIndex: tx.forcedIndex!.toString() }, null, 2) + "\n");
            return;
          }
          const proof = proveInclusion({ txHash, batchNumber: b.batchNumber, txHashes: b.transactions.map((t) => t.txHash), build: f.build, txRoot: b.txRoot });
          if (!verifyInclusion(proof, b.txRoot, f.build)) throw new InvalidArgumentError("the inclusion proof does not verify against the finalized txRoot");
          process.stdout.write(
            JSON.stringify({ txHash: hashArg, batchNumber: b.batchNumber.toString(), l1Tx: b.l1TxHash, txRoot: b.txRoot.toString(), slot: proof.slot, siblings: proof.siblings.map((l) => l.map(String)) }, null, 2) + "\n",
          );
          return;
        }
        throw new InvalidArgumentError(`transaction ${hashArg} is not in a finalized batch of ${f.inbox}`);
      }),
    );
}

async function inboxAt(rpc: string, address: string): Promise<InboxClient> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new InvalidArgumentError(`--inbox must be a 0x-address, got ${address}`);
  const [{ chainClients }, { InboxClient }] = await Promise.all([import("../../src/chain/clients.js"), import("../../src/chain/inboxClient.js")]);
  return new InboxClient({ address: address as `0x${string}`, client: (await chainClients({ rpc })).client });
}

async function buildVkey(build: string): Promise<string> {
  const ptau = process.env.ZKSEQ_PTAU;
  const { buildCircuit } = await import("../../src/build/buildCircuit.js");
  return (await buildCircuit(getBatchBuild(build), ptau ? { ptau } : {})).verificationKey;
}
