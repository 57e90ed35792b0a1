import type { Command } from "commander";
import { InvalidArgumentError } from "../../src/errors.js";
import { action, positiveInt } from "../errors.js";

interface GatewayFlags {
  members: string;
  port: number;
  host: string;
  logLevel: string;
}

export function registerGateway(program: Command): void {
  program
    .command("gateway")
    .description("run a stateless gateway: forwards clients' raw transactions to every member (POST /txs) and asks them where one landed (GET /txs/:hash); it orders and signs nothing")
    .requiredOption("--members <urls>", "comma-separated member URLs")
    .option("-p, --port <n>", "port (0: any free port)", positiveInt("--port"), 7500)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--log-level <level>", "pino log level", "info")
    .action(
      action(async (f: GatewayFlags) => {
        const members = f.members.split(",").map((u) => u.trim()).filter(Boolean);
        if (members.length === 0) throw new InvalidArgumentError("--members needs at least one member URL");
        for (const u of members) if (!/^https?:\/\//.test(u)) throw new InvalidArgumentError(`--members: ${u} is not an http(s) URL`);
        const [{ pino }, { createGateway }] = await Promise.all([import("pino"), import("../../gateway/gateway.js")]);
        const logger = pino({ level: f.logLevel, base: { service: "zkseq-gateway" } });
        const app = createGateway({ members, logger });
        const address = await app.listen({ port: f.port, host: f.host });
        logger.info({ address, members: members.length }, "gateway listening");
        const stop = async () => {
          await app.close();
          process.exit(0);
        };
        process.on("SIGINT", () => void stop());
        process.on("SIGTERM", () => void stop());
      }),
    );
}
