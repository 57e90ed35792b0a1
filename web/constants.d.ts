/** Poseidon's constants for the widths the page hashes, made by scripts/build-web.mjs from circomlibjs. */
declare module "zkseq:poseidon-constants" {
  import type { PoseidonWidth } from "./poseidon.js";
  const widths: Record<number, PoseidonWidth>;
  export default widths;
}
