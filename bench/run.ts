/**
 * `npm run bench -- <name...>`: runs benchmarks by name (`prover`, `gas`, `cluster`, `setup`, `network`), all
 * of them without a name. Each prints a table with ratios against a baseline
 * measured in the same run (this machine is shared and noisy).
 */
const BENCHES: Record<string, () => Promise<{ main(args: string[]): Promise<void> }>> = {
  prover: () => import("./prover.js"),
  gas: () => import("./gas.js"),
  cluster: () => import("./cluster.js"),
  setup: () => import("./setup.js"),
  network: () => import("./network.js"),
};

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}\n`);
  process.exit(1);
}
for (const name of names.length ? names : Object.keys(BENCHES)) {
  await (await BENCHES[name]!()).main(flags);
}
