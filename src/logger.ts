/** The logging interface zkseq's long-running steps report progress to (pino-compatible). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug?(msg: string): void;
  error?(msg: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {} };

/** A logger that writes prefixed lines to stderr (what the CLIs use). */
export function consoleLogger(prefix = "zkseq", verbose = false): Logger {
  const line = (level: string, msg: string) => process.stderr.write(`[${prefix}] ${level}${msg}\n`);
  return {
    info: (m) => line("", m),
    warn: (m) => line("WARNING: ", m),
    error: (m) => line("ERROR: ", m),
    debug: verbose ? (m) => line("", m) : () => {},
  };
}
