/** The zkseq command line: `zkseq --help`. */
import { Command, CommanderError } from "commander";
import { registerProve } from "./commands/prove.js";
import { registerProverServe } from "./commands/proverServe.js";
import { registerMember } from "./commands/member.js";
import { registerKeys } from "./commands/keys.js";
import { registerDevnet } from "./commands/devnet.js";
import { registerGateway } from "./commands/gateway.js";
import { registerVerify } from "./commands/verify.js";
import { registerCeremony } from "./commands/ceremony.js";
import { registerBatch } from "./commands/batch.js";
import { commandName, reportError } from "./errors.js";

// Set before any command is added: subcommands inherit both.
const program = new Command("zkseq")
  .description("validity-proven batches from a decentralized sequencer committee (errors: one line; --debug or ZKSEQ_DEBUG=1 for the stack)")
  .version("0.1.0")
  .exitOverride()
  // usage errors (and the help commander would print to stderr for a missing subcommand) become one line below
  .configureOutput({ outputError: () => {}, writeErr: () => {} });

registerDevnet(program);
registerMember(program);
registerGateway(program);
registerProverServe(program);
registerProve(program);
registerVerify(program);
registerBatch(program);
registerKeys(program);
registerCeremony(program);

/** The deepest command the arguments name, for a `--help` hint. */
function commandOf(args: readonly string[]): Command {
  let cmd = program;
  for (const a of args) {
    if (a.startsWith("-")) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

const args = process.argv.slice(2).filter((a) => a !== "--debug");
try {
  await program.parseAsync(args, { from: "user" });
} catch (e) {
  if (e instanceof CommanderError && (e.code === "commander.helpDisplayed" || e.code === "commander.version" || (e.code === "commander.help" && e.exitCode === 0))) {
    process.exit(e.exitCode);
  }
  if (e instanceof CommanderError && e.code === "commander.help") {
    // a command group without its subcommand (`zkseq prover`), or `zkseq` alone
    const cmd = commandOf(args);
    if (cmd === program) program.outputHelp();
    else reportError(new CommanderError(1, "commander.missingCommand", `${commandName(cmd)} needs a command: ${cmd.commands.map((c) => c.name()).join(", ")}`), `${commandName(cmd)} --help`);
    process.exit(1);
  }
  reportError(e, `${commandName(commandOf(args))} --help`);
  process.exit(1);
}
