/**
 * snarkjs keeps a multi-threaded BN254 curve in `globalThis.curve_bn128`,
 * shared by every snarkjs call in the process; its worker threads keep the
 * process alive until it is terminated, and terminating it under a running
 * proof kills that proof. So zkseq never tears it down under another user:
 * its own snarkjs work runs inside `withSharedCurve`, which counts the users,
 * and the curve is terminated only when the last of them finishes, and only if
 * the curve was not already up when the first of them started (then it
 * belongs to whoever brought it up, who calls `releaseCurves`). Off-chain
 * verification (`verifyBatch`) does not use it at all (src/sdk/groth16Verify.ts).
 */
type SharedCurve = { terminate(): Promise<void> } | null | undefined;
const g = globalThis as { curve_bn128?: SharedCurve };

let users = 0;
let ours = false;

/**
 * Runs snarkjs work that may bring up the shared curve; when the last such
 * run finishes, terminates the curve if these runs brought it up.
 *
 * @example
 * const { proof } = await withSharedCurve(() => snarkjs.groth16.fullProve(input, wasm, zkey))
 */
export async function withSharedCurve<T>(fn: () => Promise<T>): Promise<T> {
  if (users++ === 0) ours = !g.curve_bn128;
  try {
    return await fn();
  } finally {
    if (--users === 0 && ours) {
      ours = false;
      await terminate();
    }
  }
}

/**
 * Terminates the shared curve's threads, unless a `withSharedCurve` run is
 * still using it. Call it after your own snarkjs work, in a process that
 * should exit.
 */
export async function releaseCurves(): Promise<void> {
  if (users === 0) await terminate();
}

async function terminate(): Promise<void> {
  const curve = g.curve_bn128;
  if (curve) {
    g.curve_bn128 = null;
    await curve.terminate();
  }
}
