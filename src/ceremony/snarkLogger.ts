import type { Logger } from "../logger.js";

/** snarkjs's logger interface over ours; snarkjs's errors are collected so a failure can say why. */
export function snarkLogger(logger: Logger, errors: string[] = []): { info(m: string): void; debug(m: string): void; warn(m: string): void; error(m: string): void } {
  return {
    info: (m) => logger.debug?.(m),
    debug: () => {},
    warn: (m) => logger.warn(m),
    error: (m) => {
      errors.push(m);
      logger.debug?.(m);
    },
  };
}
