/**
 * snarkjs keeps a multi-threaded BN254 curve in `globalThis.curve_bn128`; its
 * worker threads keep the process alive until terminated. Call this after
 * snarkjs work in a process that should exit.
 */
export async function releaseCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  const curve = g.curve_bn128;
  if (curve) {
    g.curve_bn128 = null;
    await curve.terminate();
  }
}
