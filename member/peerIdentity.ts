import { randomBytes } from "node:crypto";
import { toBigInt } from "../src/field.js";
import { requestJson } from "../src/http.js";
import { proposalAuthFromJSON, verifyIdentity } from "../src/proposal.js";

/**
 * The public key the member at `url` proves it holds (`POST /identity`: its
 * signature on a fresh nonce), as "x,y"; undefined if it does not answer or
 * its signature does not check. How a leader and a network view match a URL
 * to a committee leaf, so an endpoint cannot answer in another member's name.
 */
export async function provenPeerKey(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const nonce = BigInt("0x" + randomBytes(31).toString("hex"));
    const body = await requestJson<{ publicKey?: unknown; signature?: unknown }>("member", `${url}/identity`, { body: { nonce: nonce.toString() }, timeoutMs, maxBytes: 64 * 1024 });
    const pk = Array.isArray(body.publicKey) && body.publicKey.length === 2 ? ([toBigInt(body.publicKey[0], "publicKey"), toBigInt(body.publicKey[1], "publicKey")] as const) : undefined;
    const sig = proposalAuthFromJSON({ leader: 0, signature: body.signature }).signature;
    return pk && verifyIdentity(pk, nonce, sig) ? pk.map(String).join(",") : undefined;
  } catch {
    return undefined;
  }
}
