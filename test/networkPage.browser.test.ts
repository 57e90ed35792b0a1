/**
 * The network page, in a real headless browser (Debian's chromium through
 * playwright-core) against a running devnet: batches appear and update
 * without a reload, a forced transaction shows its countdown and then its
 * landing, the transaction search finds a landed transaction and checks its
 * inclusion proof in the browser, and a killed member shows down. A
 * screenshot of the page (laptop and phone widths) goes to test-output/.
 * The page's data endpoints are tested on the same devnet, with bad input.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { startDevnet, type Devnet } from "../devnet/devnet.js";
import { TransactionGenerator } from "../devnet/txGenerator.js";
import { webDistDir } from "../member/networkPage.js";
import type { NetworkSnapshot } from "../member/networkView.js";

const CHROMIUM = "/usr/bin/chromium";
const OUT = fileURLToPath(new URL("../test-output/", import.meta.url));
const noBrowser = !existsSync(CHROMIUM) && process.env.CI !== "true" ? "Debian's chromium is not installed (apt-get install chromium); CI installs it" : false;

let devnet: Devnet;
let browser: Browser | undefined;
const lines: string[] = [];

before(async () => {
  assert.ok(existsSync(`${webDistDir()}/app.js`), "the page is built (npm run build:web)");
  // transactions keep coming for about 20 s, so batches land while the page is open
  devnet = await startDevnet({ txs: 40, rate: 2, durationS: 150, print: (l) => lines.push(l) });
});

after(async () => {
  await browser?.close();
  await devnet?.stop();
});

const getJson = async (path: string, member = 0) => {
  const res = await fetch(`${devnet.memberUrls[member]}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as Record<string, unknown> };
};

test("page API: the snapshot, batches and transaction lookups answer; bad input is a 400 with a code, unknown is a 404; no file outside the page is served", async () => {
  const snap = (await getJson("/api/network")).body as unknown as NetworkSnapshot;
  assert.equal(snap.node.member, 0);
  assert.equal(snap.committee.members.length, devnet.committee.members.length);
  assert.equal(snap.chain.inbox.toLowerCase(), devnet.deployment.inbox.toLowerCase());
  assert.ok(snap.provers.some((p) => p.ok && p.name.includes(devnet.proverUrl)), JSON.stringify(snap.provers));

  const bad: [string, number, string][] = [
    ["/api/tx/not-a-hash", 400, "INVALID_ARGUMENT"],
    ["/api/tx/0x" + "f".repeat(64), 400, "INVALID_FIELD_ELEMENT"],
    ["/api/tx/0x" + "ab".repeat(31), 404, "NOT_FOUND"],
    ["/api/batches?limit=0", 400, "INVALID_ARGUMENT"],
    ["/api/batches?limit=201", 400, "INVALID_ARGUMENT"],
    ["/api/batches?limit=ten", 400, "INVALID_ARGUMENT"],
    ["/api/batches?before=-3", 400, "INVALID_ARGUMENT"],
    ["/assets/..%2Fpackage.json", 404, "NOT_FOUND"],
    ["/assets/app.js.map", 404, "NOT_FOUND"],
    ["/api/nope", 404, "NOT_FOUND"],
  ];
  for (const [path, status, code] of bad) {
    const r = await getJson(path);
    assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, code, path);
    assert.equal(typeof r.body.message, "string", path);
  }

  // the page and its assets, with a policy that loads nothing from elsewhere
  const page = await fetch(`${devnet.memberUrls[0]}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  assert.doesNotMatch(await page.text(), /https?:\/\//, "no external URL in the page");
  for (const a of ["app.js", "app.css", "uPlot.min.css"]) assert.equal((await fetch(`${devnet.memberUrls[0]}/assets/${a}`)).status, 200, a);

  // the event stream opens with a snapshot
  const ctl = new AbortController();
  const res = await fetch(`${devnet.memberUrls[0]}/api/events`, { signal: ctl.signal });
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  ctl.abort();
  assert.match(text, /^event: snapshot\ndata: \{/);
  assert.equal((JSON.parse(text.split("\n")[1]!.slice(6)) as NetworkSnapshot).node.member, 0);

  // once batches landed: one by number, and a landed transaction with its proof
  const first = await waitFor(async () => {
    const b = (await getJson("/api/batches?limit=1")).body.batches as { batchNumber: string }[];
    return b.length ? b : undefined;
  }, 120_000);
  assert.equal(first.length, 1);
  const landed = await waitFor(async () => {
    const r = await getJson(`/api/tx/0x${devnet.sent[0]!.toString(16)}`);
    return r.body.status === "landed" ? r.body : undefined;
  }, 60_000);
  assert.equal(typeof landed.slot, "number");
  assert.ok(landed.proof && landed.batch, JSON.stringify(landed));
});

test("page: batches appear and update without a reload, a forced transaction counts down and lands, the search verifies a landed transaction, a killed member shows down", { skip: noBrowser }, async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--headless", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // a 404 the page asked for is logged by chromium as a console error: only the search's deliberate miss may 404
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && !(r.status() === 404 && r.url().includes("/api/tx/0x1212")) && errors.push(`${r.status()} ${r.url()}`));
  const external: string[] = [];
  page.on("request", (r) => !r.url().startsWith(devnet.memberUrls[0]!) && external.push(r.url()));
  await page.goto(devnet.memberUrls[0] + "/");
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  // live: batches arrive over the event stream, and the list grows with no navigation
  await page.locator("#live[data-state=live]").waitFor({ timeout: 30_000 });
  await page.locator("#batches tr[data-batch]").first().waitFor({ timeout: 120_000 });
  const firstSeen = await page.locator("#batches tr[data-batch]").count();
  await waitFor(async () => ((await page.locator("#batches tr[data-batch]").count()) > firstSeen ? true : undefined), 120_000);
  assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), 42, "the page was not reloaded");
  assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length), 1);
  assert.equal(await page.locator("#members tr[data-member]").count(), devnet.committee.members.length);
  assert.ok((await page.locator("#prover-list .prover[data-ok=true]").count()) >= 1, "the devnet's prover is shown");

  // a forced transaction: its countdown, then its landing
  const users = new TransactionGenerator({ chainId: BigInt(await devnet.inbox.client.getChainId()) });
  const forcedTx = await users.next();
  const queued = await devnet.inbox.forceInclude(forcedTx.raw);
  const row = page.locator(`#forced-pending li[data-forced-index="${queued.index}"] .countdown`);
  await row.waitFor({ timeout: 30_000 });
  assert.match((await row.textContent()) ?? "", /^\d+ s$/, "a countdown in seconds");
  await page.locator(`#forced-landed li[data-forced-landed="${queued.index}"]`).waitFor({ timeout: 120_000 });
  assert.equal(await page.locator(`#forced-pending li[data-forced-index="${queued.index}"]`).count(), 0, "no longer pending");

  // the search: a landed transaction, its inclusion proof checked in the browser
  await page.fill("#tx-input", "0x" + forcedTx.txHash.toString(16));
  await page.click("#tx-search");
  await page.locator("#tx-result[data-verified=true]").waitFor({ timeout: 10_000 });
  assert.match((await page.locator("#tx-result").textContent()) ?? "", /landed in batch \d+, slot \d+ \(forced\).*inclusion proof checked in this browser/s);
  await page.fill("#tx-input", "0x" + devnet.sent[1]!.toString(16));
  await page.click("#tx-search");
  await page.locator("#tx-result[data-verified=true]").waitFor({ timeout: 10_000 });
  await page.fill("#tx-input", "0x" + "12".repeat(31));
  await page.click("#tx-search");
  await page.locator("#tx-result [data-error=NOT_FOUND]").waitFor({ timeout: 10_000 });

  // a member killed: this node sees it down
  const victim = devnet.committee.members.length - 1;
  assert.equal(await page.locator(`#members tr[data-member="${victim}"]`).getAttribute("data-up"), "true");
  devnet.killMember(victim);
  await page.locator(`#members tr[data-member="${victim}"][data-up=false]`).waitFor({ timeout: 30_000 });

  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}network-page.png`, fullPage: true });
  // a phone: nothing wider than the screen (wide tables scroll inside their card)
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "no horizontal scrolling on a phone");
  await page.screenshot({ path: `${OUT}network-page-phone.png`, fullPage: true });
  assert.deepEqual(external, [], "nothing loaded from elsewhere");
  assert.deepEqual(errors, [], "no error in the page");
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; devnet said:\n${lines.slice(-15).join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}


