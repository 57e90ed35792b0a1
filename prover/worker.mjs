// Piscina's entry for the proving worker. Worker threads do not inherit the
// parent's TypeScript loader, so this plain-JS shim registers tsx and hands
// over to proveTask.ts.
import { register } from "tsx/esm/api";

register();
const { default: proveTask } = await import("./proveTask.ts");
export default proveTask;
