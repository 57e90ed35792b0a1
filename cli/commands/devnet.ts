import type { Command } from "commander";
import { startDevnet } from "../../devnet/devnet.js";
import { action, positiveInt } from "../errors.js";

interface DevnetFlags {
  members?: number;
  build: string;
  txs: number;
  rate: number;
  duration: number;
  rpc?: string;
  ptau?: string;
  crashMember?: number;
  skewMember?: number;
  skewMs: number;
  censor: boolean;
  dir?: string;
}

export function registerDevnet(program: Command): void {
  program
    .command("devnet")
    .description("run a whole zkseq network on loopback: chain, contracts, member processes, prover, sequencer, light client, tx generator")
    .option("-m, --members <n>", "committee members (default: Q + 1 of the build)", positiveInt("--members"))
    .option("-b, --build <id>", "circuit build", "dev")
    .option("--txs <n>", "transactions to send", positiveInt("--txs"), 40)
    .option("--rate <n>", "transactions per second", positiveInt("--rate"), 4)
    .option("--duration <seconds>", "stop after this long even if not every tx landed", positiveInt("--duration"), 180)
    .option("--rpc <url>", "use this chain instead of an in-process Hardhat network")
    .option("--ptau <path>", "ptau file or folder for a build not set up yet (default: $ZKSEQ_PTAU)")
    .option("--crash-member <i>", "scenario: kill -9 member i after the first finalized batch", positiveInt("--crash-member"))
    .option("--skew-member <i>", "scenario: member i's clock runs ahead", positiveInt("--skew-member"))
    .option("--skew-ms <ms>", "how far ahead (with --skew-member)", positiveInt("--skew-ms"), 3000)
    .option("--censor", "scenario: the sequencer ignores one tx; it is forced in through the inbox", false)
    .option("--dir <dir>", "state directory (default: a temp dir)")
    .action(
      action(async (f: DevnetFlags) => {
        const devnet = await startDevnet({
          ...(f.members !== undefined ? { members: f.members } : {}),
          build: f.build,
          txs: f.txs,
          rate: f.rate,
          durationS: f.duration,
          ...(f.rpc ? { rpc: f.rpc } : {}),
          ...(f.ptau ? { ptau: f.ptau } : {}),
          ...(f.crashMember !== undefined ? { crashMember: f.crashMember } : {}),
          ...(f.skewMember !== undefined ? { skewMember: f.skewMember, skewMs: f.skewMs } : {}),
          censor: f.censor,
          ...(f.dir ? { dir: f.dir } : {}),
        });
        const interrupt = () => void devnet.stop().then(() => process.exit(130));
        process.on("SIGINT", interrupt);
        const summary = await devnet.done;
        await devnet.stop();
        process.exit(summary.timedOut || devnet.problems.length ? 1 : 0);
      }),
    );
}
