// Follow a zkseq inbox from L1 alone, trusting no member, prover or RPC answer
// it does not check: every finalized batch's Groth16 proof, data binding and
// place in the chain, its transactions in order, and each one's Merkle path to
// the batch's txRoot.
// Run it from a project that depends on zkseq:
//   ZKSEQ_RPC=http://127.0.0.1:8545 ZKSEQ_INBOX=0x… ZKSEQ_VKEY=dev.vkey.json node follow-the-chain.mjs
import { readFile } from "node:fs/promises";
import { chainClients, InboxClient } from "zkseq/chain";
import { LightClient, proveInclusion, verifyInclusion } from "zkseq/sdk";

const build = process.env.ZKSEQ_BUILD ?? "dev";
const { client } = await chainClients({ rpc: process.env.ZKSEQ_RPC });
const inbox = new InboxClient({ address: process.env.ZKSEQ_INBOX, client });
const verificationKey = JSON.parse(await readFile(process.env.ZKSEQ_VKEY, "utf8")); // the build's, as published with the inbox

const lc = new LightClient({ inbox, verificationKey, build });
lc.on("problem", (p) => console.error(`batch ${p.batchNumber}: ${p.reason}`));
await lc.sync(); // every batch that landed so far (then lc.follow() checks each new one as it lands)

for (const b of lc.batches) {
  const txHashes = b.transactions.map((t) => t.txHash);
  // a transaction's place in the finalized txRoot: the proof a user keeps, checkable by anyone with the root
  const included = txHashes.filter((txHash) => verifyInclusion(proveInclusion({ txHash, batchNumber: b.batchNumber, txHashes, build, txRoot: b.txRoot }), b.txRoot, build));
  console.log(`batch ${b.batchNumber}: ${b.forcedOnly ? "escape hatch" : "proof ok"}, ${txHashes.length} transactions, ${included.length} with an inclusion proof`);
}
process.exitCode = lc.issues.length === 0 ? 0 : 1;
