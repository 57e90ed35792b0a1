#!/usr/bin/env node
// The zkseq command. zkseq ships TypeScript sources; tsx compiles them on load.
import { register } from "tsx/esm/api";

register();
await import("../cli/zkseq.ts");
