import type { Command } from "commander";
import { action, positiveInt } from "../errors.js";
import { InvalidArgumentError } from "../../src/errors.js";

function parseCensor(v: string): number | "all" {
  if (v === "all") return "all";
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`--censor must be a member index or all, got ${v}`);
  return Number(v);
}

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
  censor?: string;
  withhold?: number;
  killLeader: boolean;
  roundTimeout: number;
  dir?: string;
  blockTime: number;
  json: boolean;
}

export function registerDevnet(program: Command): void {
  program
    .command("devnet")
    .description("run a whole zkseq network on loopback: chain, contracts, member processes (each a signer and a rotating proposer), prover, gateway, light client, tx generator")
    .option("-m, --members <n>", "committee members (default: Q + 1 of the build)", positiveInt("--members"))
    .option("-b, --build <id>", "circuit build", "dev")
    .option("--txs <n>", "transactions to send", positiveInt("--txs"), 40)
    .option("--rate <n>", "transactions per second", positiveInt("--rate"), 4)
    .option("--duration <seconds>", "stop after this long even if not every tx landed", positiveInt("--duration"), 180)
    .option("--rpc <url>", "use this chain instead of an in-process Hardhat network (it must mine blocks on its own, e.g. anvil --block-time 1)")
    .option("--block-time <ms>", "the in-process chain mines a block every <ms>, like an L1", positiveInt("--block-time"), 1000)
    .option("--ptau <path>", "ptau file or folder for a build not set up yet (default: $ZKSEQ_PTAU)")
    .option("--round-timeout <ms>", "length of a round in ms of chain time: a leader that does not land its batch is replaced after it", positiveInt("--round-timeout"), 12_000)
    .option("--crash-member <i>", "scenario: kill -9 member i after the first finalized batch; it stays dead and its turns are skipped", positiveInt("--crash-member"))
    .option("--kill-leader", "scenario: kill -9 a batch's leader after it collected its quorum and before it submitted; the next round's leader lands the batch; the killed member restarts and rejoins", false)
    .option("--withhold <i>", "scenario: member i, when it leads, collects a quorum and never submits", positiveInt("--withhold"))
    .option("--skew-member <i>", "scenario: member i records every tx with an odd hash late; the median keeps the honest order", positiveInt("--skew-member"))
    .option("--skew-ms <ms>", "how late (with --skew-member)", positiveInt("--skew-ms"), 3000)
    .option("--censor <i|all>", "scenario: member i leaves one tx out when it leads (the next honest leader includes it); all: every member does, and the user forces it in through the inbox")
    .option("--dir <dir>", "state directory (default: a temp dir)")
    .option("--json", "end with one JSON line on stdout summarising the run", false)
    .action(
      action(async (f: DevnetFlags) => {
        const { startDevnet, summaryJsonLine } = await import("../../devnet/devnet.js");
        const devnet = await startDevnet({
          ...(f.members !== undefined ? { members: f.members } : {}),
          build: f.build,
          txs: f.txs,
          rate: f.rate,
          durationS: f.duration,
          blockTimeMs: f.blockTime,
          ...(f.rpc ? { rpc: f.rpc } : {}),
          ...(f.ptau ? { ptau: f.ptau } : {}),
          ...(f.crashMember !== undefined ? { crashMember: f.crashMember } : {}),
          ...(f.skewMember !== undefined ? { skewMember: f.skewMember, skewMs: f.skewMs } : {}),
          ...(f.censor !== undefined ? { censor: parseCensor(f.censor) } : {}),
          ...(f.withhold !== undefined ? { withhold: f.withhold } : {}),
          killLeader: f.killLeader,
          roundTimeoutMs: f.roundTimeout,
          ...(f.dir ? { dir: f.dir } : {}),
        });
        const interrupt = () => void devnet.stop().then(() => process.exit(130));
        process.on("SIGINT", interrupt);
        const summary = await devnet.done;
        await devnet.stop();
        if (f.json) process.stdout.write(summaryJsonLine(summary) + "\n");
        // non-zero when a sent transaction did not land, landed twice, or a check failed (summary.failures)
        process.exit(summary.failures.length ? 1 : 0);
      }),
    );
}
