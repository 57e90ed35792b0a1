import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors.js";
import { consoleLogger } from "../../src/logger.js";
import { action, positiveInt } from "../errors.js";

const out = (line: string) => process.stdout.write(line + "\n");

/** `zkseq ceremony ...`: a multi-party Groth16 phase 2 (docs/setup.md, "Running a phase-2 ceremony"). */
export function registerCeremony(program: Command): void {
  const ceremony = program.command("ceremony").description("a multi-party Groth16 phase 2 (trusted setup) for a circuit build: init, contribute, beacon, verify, finalize, install");
  const logger = (verbose: boolean) => consoleLogger("ceremony", verbose);
  // loaded by the command that runs, not at start: `zkseq --help` stays fast
  const steps = () => import("../../src/ceremony/index.js");

  ceremony
    .command("init")
    .description("compile the build, check the ptau against the list of accepted files, write the initial key <build>_0000.zkey and transcript.json")
    .argument("<build>", "circuit build (dev, standard, ...)")
    .requiredOption("--ptau <file>", "the phase-1 ceremony ptau file")
    .requiredOption("-o, --out <dir>", "the ceremony folder")
    .option("--allow-unlisted-ptau", "accept a ptau that is not in src/ceremony/knownPtau.json (loud warning)", false)
    .option("--verbose", "snarkjs's progress too", false)
    .action(
      action(async (build: string, f: { ptau: string; out: string; allowUnlistedPtau: boolean; verbose: boolean }) => {
        const r = await (await steps()).initCeremony({ build, ptau: f.ptau, out: f.out, allowUnlistedPtau: f.allowUnlistedPtau, logger: logger(f.verbose) });
        out(`initial key ${r.zkey}`);
        out(`transcript ${r.transcript}`);
        out(`circuit hash ${r.circuitHash}`);
        out(`ptau ${r.ptau.file} sha256 ${r.ptau.sha256} (${r.ptau.listed})`);
      }),
    );

  ceremony
    .command("contribute")
    .description("add one contribution (fresh OS entropy plus --text); prints the contribution hash to publish; extends the transcript")
    .argument("<in.zkey>", "the ceremony's latest key")
    .argument("<out.zkey>", "the key to write")
    .requiredOption("--name <who>", "your name, published in the key and the transcript (at most 64 bytes)")
    .option("--text <entropy>", "extra entropy of your own (mixed with the OS's)")
    .option("--transcript <file>", "the transcript to extend (default: transcript.json next to <in.zkey>); the new one is written next to <out.zkey>")
    .option("--verbose", "snarkjs's progress too", false)
    .action(
      action(async (input: string, output: string, f: { name: string; text?: string; transcript?: string; verbose: boolean }) => {
        const r = await (await steps()).contributeToCeremony({ input, output, name: f.name, ...(f.text !== undefined ? { text: f.text } : {}), ...(f.transcript ? { transcript: f.transcript } : {}), logger: logger(f.verbose) });
        out(`contribution #${r.entry.index} (${r.entry.name}) written to ${output}`);
        out(`contribution hash (publish it): ${r.contributionHash}`);
        out(`transcript ${r.transcript}`);
      }),
    );

  ceremony
    .command("beacon")
    .description("the last step: a contribution derived from a public random value announced in advance (e.g. a future L1 block hash)")
    .argument("<in.zkey>", "the ceremony's latest key")
    .argument("<out.zkey>", "the key to write")
    .requiredOption("--beacon <hex>", "the public random value, hex")
    .requiredOption("--iterations <n>", "log2 of the hash iterations (10 to 63)", positiveInt("--iterations"))
    .option("--name <name>", "the step's name", "beacon")
    .option("--transcript <file>", "the transcript to extend (default: transcript.json next to <in.zkey>)")
    .action(
      action(async (input: string, output: string, f: { beacon: string; iterations: number; name: string; transcript?: string }) => {
        const r = await (await steps()).applyBeacon({ input, output, beacon: f.beacon, iterationsExp: f.iterations, name: f.name, ...(f.transcript ? { transcript: f.transcript } : {}), logger: logger(false) });
        out(`beacon #${r.entry.index} written to ${output}`);
        out(`contribution hash: ${r.contributionHash}`);
        out(`transcript ${r.transcript}`);
      }),
    );

  ceremony
    .command("verify")
    .description("verify a key from the r1cs and the ptau through every contribution (slow), and/or a transcript's chain and the files next to it")
    .argument("[zkey]", "a ceremony key (with --r1cs and --ptau)")
    .option("--r1cs <file>", "the circuit's r1cs")
    .option("--ptau <file>", "the ceremony's phase-1 ptau")
    .option("--transcript <file>", "a transcript: its chain of hashes, and the files next to it")
    .option("--verbose", "snarkjs's progress too", false)
    .action(
      action(async (zkey: string | undefined, f: { r1cs?: string; ptau?: string; transcript?: string; verbose: boolean }) => {
        if (!zkey && !f.transcript) throw new InvalidArgumentError("give a key to verify (with --r1cs and --ptau) or --transcript <file>");
        if (zkey && (!f.r1cs || !f.ptau)) throw new InvalidArgumentError("verifying a key needs --r1cs <file> and --ptau <file>");
        if (f.transcript) {
          const r = await (await steps()).verifyTranscript(f.transcript);
          for (const c of r.transcript.contributions) out(`#${c.index} ${c.type} ${c.name}: ${c.contributionHash}`);
          out(`transcript chain ok: ${r.chain}${r.transcript.final ? " (finalized)" : ""}`);
          out(`files checked: ${r.checked.join(", ") || "none"}${r.missing.length ? `; not next to the transcript: ${r.missing.join(", ")}` : ""}`);
        }
        if (zkey) {
          const mpc = await (await steps()).verifyCeremonyZkey({ zkey, r1cs: f.r1cs!, ptau: f.ptau!, ...(f.transcript ? { transcript: f.transcript } : {}), logger: logger(f.verbose) });
          for (const c of mpc.contributions) out(`#${c.index} ${c.type} ${c.name}: ${c.contributionHash}`);
          out(`${zkey} ok: follows from the r1cs and the ptau through ${mpc.contributions.length} contributions`);
        }
      }),
    );

  ceremony
    .command("finalize")
    .description("export the final proving key, verification key, Solidity verifier and final transcript into a folder (verify the key first)")
    .argument("<zkey>", "the ceremony's last key")
    .requiredOption("-o, --out <dir>", "where the final keys go")
    .option("--transcript <file>", "the transcript (default: transcript.json next to <zkey>)")
    .option("--install", "also install the keys into the build cache (see `zkseq ceremony install`)", false)
    .option("--force", "with --install: replace a setup already cached for this ptau", false)
    .action(
      action(async (zkey: string, f: { out: string; transcript?: string; install: boolean; force: boolean }) => {
        const r = await (await steps()).finalizeCeremony({ zkey, out: f.out, ...(f.transcript ? { transcript: f.transcript } : {}), logger: logger(false) });
        out(`final keys in ${r.dir}: ${r.zkey}, ${r.verificationKey}, ${r.solidityVerifier}`);
        out(`transcript chain (publish it): ${r.chain}`);
        if (f.install) out(`installed as ${await (await steps()).installCeremonyKeys({ dir: r.dir, force: f.force, logger: logger(false) })}`);
      }),
    );

  ceremony
    .command("install")
    .description("use a finalized ceremony's keys for its build: put them in the build cache as the setup for the ceremony's ptau")
    .argument("<dir>", "the folder finalize wrote")
    .option("--force", "replace a setup already cached for this ptau (e.g. the single-party one)", false)
    .action(
      action(async (dir: string, f: { force: boolean }) => {
        out(`installed as ${await (await steps()).installCeremonyKeys({ dir, force: f.force, logger: logger(false) })}`);
        out("builds set up with --ptau <the ceremony's ptau> (or ZKSEQ_PTAU) now use these keys");
      }),
    );
}
