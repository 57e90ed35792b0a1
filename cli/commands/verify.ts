import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { buildCircuit } from "../../src/build/buildCircuit.js";
import { toBigInt } from "../../src/field.js";
import { InvalidArgumentError } from "../../src/errors.js";
import { verifyBatch } from "../../src/sdk/verifyBatch.js";
import { chainClients } from "../../src/chain/clients.js";
import { InboxClient } from "../../src/chain/inboxClient.js";
import { proveInclusion, verifyInclusion } from "../../src/sdk/inclusion.js";
import { getBatchBuild } from "../../src/builds.js";
import { requestJson } from "../../src/http.js";
import { action } from "../errors.js";
import { Progress } from "../progress.js";

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
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
          vkey = (await buildCircuit(getBatchBuild(build), ptau ? { ptau } : {})).verificationKey;
          progress.done();
        }
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
    .command("inclusion")
    .description("prove that a transaction is in a finalized batch: its Merkle path to the txRoot the inbox finalized")
    .argument("<txHash>", "the transaction hash (0x..., 248-bit)")
    .requiredOption("--rpc <url>", "L1 JSON-RPC")
    .requiredOption("--inbox <address>", "the BatchInbox address")
    .requiredOption("--sequencer <url>", "where batch data is served (GET /txs/:hash, /batches/:n)")
    .action(
      action(async (hashArg: string, f: { rpc: string; inbox: string; sequencer: string }) => {
        const txHash = toBigInt(hashArg, "txHash");
        const located = await requestJson<{ batchNumber: string | null }>("sequencer", `${f.sequencer}/txs/0x${txHash.toString(16)}`);
        if (located.batchNumber === null) throw new InvalidArgumentError(`transaction ${hashArg} is not in a finalized batch`);
        const data = await requestJson<{ batch: { build: string; txHashes: string[] } }>("sequencer", `${f.sequencer}/batches/${located.batchNumber}`);
        const inbox = new InboxClient({ address: f.inbox as `0x${string}`, client: (await chainClients({ rpc: f.rpc })).client });
        const finalized = (await inbox.finalizedBatches()).find((b) => b.batchNumber === BigInt(located.batchNumber!));
        if (!finalized) throw new InvalidArgumentError(`batch ${located.batchNumber} is not finalized on ${f.rpc}`);
        const proof = proveInclusion({
          txHash,
          batchNumber: finalized.batchNumber,
          txHashes: data.batch.txHashes.map((h) => BigInt(h)),
          size: getBatchBuild(data.batch.build).params.B,
          txRoot: finalized.txRoot,
        });
        if (!verifyInclusion(proof, finalized.txRoot)) throw new InvalidArgumentError("the inclusion proof does not verify against the finalized txRoot");
        process.stdout.write(
          JSON.stringify({ txHash: hashArg, batchNumber: finalized.batchNumber.toString(), l1Tx: finalized.transactionHash, txRoot: finalized.txRoot.toString(), slot: proof.slot, siblings: proof.siblings.map((l) => l.map(String)) }, null, 2) + "\n",
        );
      }),
    );
}
