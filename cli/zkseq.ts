/** The zkseq command line: `zkseq --help`. */
import { Command } from "commander";
import { registerProve } from "./commands/prove.js";
import { registerProverServe } from "./commands/proverServe.js";
import { registerMember } from "./commands/member.js";
import { registerKeys } from "./commands/keys.js";
import { registerDevnet } from "./commands/devnet.js";
import { registerSequencer } from "./commands/sequencer.js";
import { registerVerify } from "./commands/verify.js";
import { registerCeremony } from "./commands/ceremony.js";
import { errorLine } from "./errors.js";

const program = new Command("zkseq")
  .description("validity-proven batches from a decentralized sequencer committee")
  .version("0.1.0")
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

registerDevnet(program);
registerMember(program);
registerSequencer(program);
registerProverServe(program);
registerProve(program);
registerVerify(program);
registerKeys(program);
registerCeremony(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`zkseq: error: ${errorLine(e)}\n`);
  process.exit(1);
}
