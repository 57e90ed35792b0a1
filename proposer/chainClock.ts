import type { InboxClient } from "../src/chain/inboxClient.js";

/** The chain's clock as the inbox reads it: the latest block's timestamp, in milliseconds, and the drift the inbox allows `timeBase` beyond it. */
export interface ChainClock {
  nowMs: bigint;
  maxTimeDriftMs: bigint;
}

/** Reads the latest block's timestamp (the inbox compares `timeBase` with `block.timestamp`, never with anyone's wall clock). */
export async function readChainClock(inbox: InboxClient, maxTimeDriftMs: bigint): Promise<ChainClock> {
  const block = await inbox.client.getBlock();
  return { nowMs: block.timestamp * 1000n, maxTimeDriftMs };
}

/**
 * The `timeBase` a proposer may use: the one it wants (the earliest receive
 * time its signers reported), but never later than the chain's latest block
 * plus the allowed drift (the inbox would refuse it as
 * `BatchInbox__TimeBaseInFuture` and members refuse to sign it), and never
 * before the last batch's (`BatchInbox__TimeBaseWentBack`). Without a wanted
 * time (no receive time at all, e.g. forced slots only) it is the chain's
 * time. Blocks only move forward, so a `timeBase` landable against the latest
 * block stays landable in every later one.
 *
 * @example
 * landableTimeBase(undefined, { nowMs: 1_700_000_000_000n, maxTimeDriftMs: 30_000n }, 0n) // 1_700_000_000_000n
 */
export function landableTimeBase(wanted: bigint | undefined, clock: ChainClock, lastTimeBase: bigint): bigint {
  const latest = clock.nowMs + clock.maxTimeDriftMs;
  let t = wanted === undefined ? clock.nowMs : wanted < latest ? wanted : latest;
  if (t < lastTimeBase) t = lastTimeBase;
  return t;
}
