/**
 * `npm run bench -- network [--txs 60] [--rate 4] [--round-timeout 12000]`:
 * the devnet (4 member processes on `dev`, each a rotating proposer, 1-s
 * blocks) under a steady load of raw transactions, with 0, 1 and 2 faulty
 * members in one run: no fault (the baseline), a leader crashed for good
 * (`--crash-member 1`: its turns cost a round each), and that crash plus a
 * withholding leader (`--withhold 2`). It prints throughput, p50/p95 from a
 * transaction's arrival to its L1 finality and p50/p95 leader failover, each
 * against the fault-free run measured in the same run, and last one JSON line.
 */
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { pino } from "pino";
import { startDevnet, type DevnetOptions, type DevnetSummary } from "../devnet/devnet.js";
import { flag } from "./flags.js";

interface Row {
  scenario: string;
  faulty: number;
  wallS: number;
  summary: DevnetSummary;
}

export async function main(args: string[]): Promise<void> {
  const txs = Number(flag(args, "txs") ?? 60);
  const rate = Number(flag(args, "rate") ?? 4);
  const roundTimeoutMs = Number(flag(args, "round-timeout") ?? 12_000);
  const scenarios: [string, number, DevnetOptions][] = [
    ["no fault (baseline)", 0, {}],
    ["leader crashed (--crash-member 1)", 1, { crashMember: 1 }],
    ["crashed + withholding (--crash-member 1 --withhold 2)", 2, { crashMember: 1, withhold: 2 }],
  ];
  const rows: Row[] = [];
  for (const [scenario, faulty, options] of scenarios) {
    process.stderr.write(`bench network: ${scenario}: ${txs} tx at ${rate}/s\n`);
    const t0 = performance.now();
    const devnet = await startDevnet({ ...options, txs, rate, roundTimeoutMs, durationS: 600, print: () => {}, logger: pino({ level: "error" }, pino.destination(2)) });
    try {
      const summary = await devnet.done;
      rows.push({ scenario, faulty, wallS: (performance.now() - t0) / 1000, summary });
      if (summary.failures.length) process.stderr.write(`  failures: ${summary.failures.join("; ")}\n`);
    } finally {
      await devnet.stop();
    }
  }
  const base = rows[0]!.summary;
  const s = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(1)} s`);
  const ratio = (v: number | null, b: number | null) => (v === null || b === null || b === 0 ? "" : ` (${(v / b).toFixed(2)}x)`);
  // throughput: landed transactions over the span from the first arrival to the last one's L1 finality
  const tput = (r: Row) => (r.summary.spanMs ? r.summary.txsLanded / (r.summary.spanMs / 1000) : 0);
  const machine = `${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`;
  console.log(`\nNetwork: devnet, 4 members, dev build, ${txs} tx at ${rate}/s, rounds of ${roundTimeoutMs / 1000} s, 1-s blocks (${machine})\n`);
  console.log("| scenario | faulty | batches | landed | tx/s | arrival → final p50 | p95 | leader failover p50 | p95 | round changes |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const x = r.summary;
    console.log(
      `| ${r.scenario} | ${r.faulty} | ${x.finalized} | ${x.txsLanded}/${x.txsSent}${x.txsLandedTwice ? ` (${x.txsLandedTwice} twice)` : ""} | ${tput(r).toFixed(2)}${ratio(tput(r), tput(rows[0]!))} | ` +
        `${s(x.p50ArrivalToFinalMs)}${ratio(x.p50ArrivalToFinalMs, base.p50ArrivalToFinalMs)} | ${s(x.p95ArrivalToFinalMs)}${ratio(x.p95ArrivalToFinalMs, base.p95ArrivalToFinalMs)} | ` +
        `${s(x.p50FailoverMs)} | ${s(x.p95FailoverMs)} | ${x.roundChanges} |`,
    );
  }
  console.log(
    JSON.stringify({
      bench: "network",
      machine,
      txs,
      rate,
      roundTimeoutMs,
      rows: rows.map((r) => ({
        scenario: r.scenario,
        faulty: r.faulty,
        batches: r.summary.finalized,
        txsLanded: r.summary.txsLanded,
        txsSent: r.summary.txsSent,
        txsLandedTwice: r.summary.txsLandedTwice,
        txPerS: Number(tput(r).toFixed(3)),
        p50ArrivalToFinalMs: r.summary.p50ArrivalToFinalMs,
        p95ArrivalToFinalMs: r.summary.p95ArrivalToFinalMs,
        p50FailoverMs: r.summary.p50FailoverMs,
        p95FailoverMs: r.summary.p95FailoverMs,
        roundChanges: r.summary.roundChanges,
        failures: r.summary.failures,
        wallS: Number(r.wallS.toFixed(1)),
      })),
    }),
  );
}
