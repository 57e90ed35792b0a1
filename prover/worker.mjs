// Piscina's entry for the proving worker; npm run build copies it next to the
// compiled proveTask.js (dist/prover/). There it imports that with plain node.
// Beside the TypeScript sources it registers tsx first (worker threads do not
// inherit the parent's TypeScript loader) and imports proveTask.ts.
import { existsSync } from "node:fs";

const compiled = new URL("./proveTask.js", import.meta.url);
let proveTask;
if (existsSync(compiled)) {
  ({ default: proveTask } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ default: proveTask } = await import("./proveTask.ts"));
}
export default proveTask;
