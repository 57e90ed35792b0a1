/**
 * The network page (docs/network-page.md). It shows one member node's
 * NetworkSnapshot (member/networkView.ts), pushed by server-sent events
 * (`/api/events`; polling `/api/network` while the stream is down), and checks
 * inclusion proofs of transactions it is asked about in the browser.
 */
import uPlot from "uplot";
import widths from "zkseq:poseidon-constants";
import type { BatchView, NetworkSnapshot, TxLookup } from "../member/networkView.js";
import { makePoseidon } from "./poseidon.js";
import { checkTxLookup } from "./txCheck.js";

const poseidon = makePoseidon(widths);
const $ = (id: string) => document.getElementById(id)!;

/** A DOM element with attributes and children (text is always text: nothing from the node is parsed as HTML). */
function h(tag: string, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: (Node | string | number | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(typeof c === "number" ? String(c) : c);
  return el;
}

const short = (x: string, n = 10) => (x.length > n + 2 ? `${x.slice(0, n)}…` : x);
const hex = (dec: string) => "0x" + BigInt(dec).toString(16);
const ms = (v: number | null) => (v === null ? "—" : v < 10_000 ? `${(v / 1000).toFixed(2)} s` : `${(v / 1000).toFixed(1)} s`);
const duration = (v: number) => {
  const s = Math.max(0, Math.round(v / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
};
const ago = (t: number | null) => (t === null ? "never" : `${duration(Date.now() - t)} ago`);

let snap: NetworkSnapshot | undefined;
/** This browser's clock when the snapshot arrived: countdowns tick from it between snapshots. */
let snapArrived = 0;
/** The snapshot's chain time, moved on by the time elapsed here since it arrived. */
const chainNow = () => (snap ? snap.chain.timeMs + (Date.now() - snapArrived) : 0);

// ---------------------------------------------------------------- charts

function chart(el: HTMLElement, series: uPlot.Series[]): uPlot {
  const width = Math.max(240, el.clientWidth);
  return new uPlot({ width, height: 180, series: [{}, ...series], axes: [{}, { size: 44 }], legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } } }, [[], ...series.map(() => [])], el);
}
let latencyChart: uPlot | undefined;
let throughputChart: uPlot | undefined;
function renderCharts(s: NetworkSnapshot): void {
  latencyChart ??= chart($("latency-chart"), [
    { label: "p50", stroke: "#2563eb", width: 2, points: { show: true } },
    { label: "max", stroke: "#dc2626", width: 1, dash: [4, 4] },
  ]);
  throughputChart ??= chart($("throughput-chart"), [{ label: "tx/s", stroke: "#059669", width: 2, fill: "rgba(5,150,105,0.1)" }]);
  const lat = s.series.latency;
  latencyChart.setData([lat.map((p) => p[0] / 1000), lat.map((p) => p[1]), lat.map((p) => p[2])]);
  const thr = s.series.throughput;
  throughputChart.setData([thr.map((p) => p[0] / 1000), thr.map((p) => p[1])]);
}
new ResizeObserver(() => {
  for (const [c, id] of [
    [latencyChart, "latency-chart"],
    [throughputChart, "throughput-chart"],
  ] as const) {
    if (c) c.setSize({ width: Math.max(240, $(id).clientWidth), height: 180 });
  }
}).observe(document.body);

// ---------------------------------------------------------------- sections

function renderHeader(s: NetworkSnapshot): void {
  const who = s.node.member === null ? "not in the current committee" : `member ${s.node.member}`;
  $("node-line").textContent = `${who} · build ${s.node.build} (B=${s.node.slots}, Q=${s.node.quorum}) · chain ${s.chain.chainId} · inbox ${short(s.chain.inbox, 12)} · block ${s.chain.blockNumber}`;
  $("chain-line").textContent = `next batch ${s.chain.nextBatchNumber} · epoch ${s.chain.epoch} · followed to ${s.node.followedTo} · ${s.node.pending} transactions pending here`;
}

function batchRow(b: BatchView): HTMLElement {
  const gasPerTx = b.gasUsed !== null && b.txCount > 0 ? Math.round(Number(b.gasUsed) / b.txCount).toLocaleString() : "—";
  return h(
    "tr",
    { "data-batch": b.batchNumber },
    h("td", {}, b.batchNumber),
    h("td", {}, b.forcedOnly ? "escape" : (b.round ?? "?")),
    h("td", {}, b.leader === null ? "—" : `member ${b.leader}`),
    h("td", {}, b.txCount),
    h("td", {}, b.forcedCount),
    h("td", {}, ms(b.cutToFinalMs)),
    h("td", {}, b.gasUsed === null ? "…" : Number(b.gasUsed).toLocaleString()),
    h("td", {}, gasPerTx),
    h("td", { title: b.l1TxHash }, b.blockNumber),
  );
}

function renderBatches(s: NetworkSnapshot): void {
  const body = $("batches").querySelector("tbody")!;
  body.replaceChildren(...(s.batches.length ? s.batches.map(batchRow) : [h("tr", {}, h("td", { colspan: 9, class: "empty" }, "no batch finalized yet"))]));
}

function renderCommittee(s: NetworkSnapshot): void {
  const l = s.leader;
  $("leader-line").replaceChildren(
    "Leader now: ",
    h("strong", { id: "leader-now", "data-member": l.member ?? "" }, l.member === null ? "unknown" : `member ${l.member}`),
    ` · batch ${l.batchNumber}, round ${l.round} · `,
    h("span", { class: "countdown", "data-until": String(chainNow() + l.msLeft) }, duration(l.msLeft)),
    " left in the round",
  );
  const rows = s.committee.members.map((m) => {
    const status = m.up === null ? "unknown" : m.up ? "up" : "down";
    return h(
      "tr",
      { "data-member": m.index, "data-up": String(m.up), class: m.leads ? "leads" : null },
      h("td", {}, `${m.index}${m.self ? " (this node)" : ""}${m.leads ? " ★" : ""}`),
      h("td", { title: `${m.publicKey[0]}, ${m.publicKey[1]}` }, short(hex(m.publicKey[0]), 12)),
      h("td", {}, m.weight),
      h("td", { class: `status ${status}`, title: m.url ?? "no URL known" }, status === "down" ? `down (seen ${ago(m.lastSeen)})` : status),
      h("td", {}, m.followedTo ?? "—"),
      h("td", {}, m.pending ?? "—"),
    );
  });
  $("members").querySelector("tbody")!.replaceChildren(...rows);
  $("round-changes").replaceChildren(
    ...(s.roundChanges.length
      ? s.roundChanges.map((r) => h("li", { "data-batch": r.batchNumber }, h("strong", {}, r.kind === "round-change" ? `batch ${r.batchNumber} → round ${r.round}` : `batch ${r.batchNumber} round ${r.round} ${r.kind}`), `${r.from !== null ? ` (from member ${r.from})` : ""}${r.to !== null ? ` (member ${r.to} leads)` : ""}: ${r.reason}`))
      : [h("li", { class: "empty" }, "none: every batch landed in its first round")]),
  );
  const n = s.committee.next;
  $("next-committee").textContent = n
    ? `epoch ${n.epoch} takes over at batch ${n.handoverAt}: ${n.members.length} members (${n.members.map((m) => short(hex(m.publicKey[0]), 8)).join(", ")})`
    : `none scheduled; epoch ${s.committee.epoch} (threshold ${s.committee.threshold}) goes on`;
}

function renderForced(s: NetworkSnapshot): void {
  const e = s.chain.escape;
  $("escape-line").replaceChildren(
    `Force delay ${duration(s.forced.delayS * 1000)} · queue ${s.forced.consumed}/${s.forced.length} consumed · escape hatch `,
    e.open ? h("strong", { class: "status down" }, "OPEN (no committee batch for too long)") : h("span", { class: "countdown", "data-until": String(chainNow() + e.msLeft) }, duration(e.msLeft)),
    e.open ? "" : " until it opens",
  );
  $("forced-pending").replaceChildren(
    ...(s.forced.pending.length
      ? s.forced.pending.map((f) =>
          h(
            "li",
            { "data-forced-index": f.index },
            `#${f.index} ${short(f.txHash, 14)} · `,
            h("span", { class: "countdown", "data-until": String(chainNow() + f.msLeft), "data-overdue-text": "overdue: the next committee batch must include it" }, f.msLeft > 0 ? duration(f.msLeft) : "overdue"),
            f.msLeft > 0 ? " until overdue" : "",
          ),
        )
      : [h("li", { class: "empty" }, "no forced transaction waiting")]),
  );
  $("forced-landed").replaceChildren(
    ...(s.forced.landed.length ? s.forced.landed.map((f) => h("li", { "data-forced-landed": f.index }, `#${f.index} ${short(f.txHash, 14)} landed in batch ${f.batchNumber}`)) : [h("li", { class: "empty" }, "none yet")]),
  );
}

function renderProvers(s: NetworkSnapshot): void {
  const cards = s.provers.map((p) => {
    if (!p.ok || !p.stats) return h("div", { class: "prover", "data-ok": "false" }, h("h3", {}, p.name), h("p", { class: "status down" }, `unreachable: ${p.error ?? "no answer"}`));
    const st = p.stats;
    const workers = st.workers.length
      ? h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ...["worker", "host", "backend", "threads", "in flight", "proven", "failed", "heartbeat"].map((t) => h("th", {}, t)))),
          h("tbody", {}, ...st.workers.map((w) => h("tr", {}, h("td", {}, short(w.id, 12)), h("td", {}, w.host), h("td", {}, w.backend), h("td", {}, w.threads), h("td", {}, w.inFlight), h("td", {}, w.proven), h("td", {}, w.failed), h("td", {}, `${w.lastSeenS} s ago`)))),
        )
      : null;
    return h(
      "div",
      { class: "prover", "data-ok": "true" },
      h("h3", {}, p.name),
      h(
        "dl",
        {},
        ...(
          [
            ["backend", `${st.backend || "—"} · ${st.threads} threads`],
            ["queued", st.queued],
            ["in flight", st.inFlight],
            ["proofs/min", st.proofsPerMinute],
            ["p50 / p95 proof", `${ms(st.p50ProofMs)} / ${ms(st.p95ProofMs)} (last ${st.sample})`],
            ["done / failed", `${st.done} / ${st.failed}`],
          ] as const
        ).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      workers,
    );
  });
  $("prover-list").replaceChildren(...(cards.length ? cards : [h("p", { class: "empty" }, "no prover configured, and this member's own pool has not been needed yet")]));
}

function render(s: NetworkSnapshot): void {
  snap = s;
  snapArrived = Date.now();
  renderHeader(s);
  renderBatches(s);
  renderCommittee(s);
  renderForced(s);
  renderProvers(s);
  renderCharts(s);
}

/** Countdowns tick between snapshots. */
setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>(".countdown[data-until]")) {
    const left = Number(el.dataset.until) - chainNow();
    el.textContent = left > 0 ? duration(left) : (el.dataset.overdueText ?? "now");
  }
}, 250);

// ---------------------------------------------------------------- live updates

function setLive(state: "live" | "polling" | "down", text: string): void {
  $("live").dataset.state = state;
  $("live-text").textContent = text;
}

let polling: number | undefined;
async function pollOnce(): Promise<void> {
  try {
    const res = await fetch("/api/network");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render((await res.json()) as NetworkSnapshot);
    setLive("polling", `polling · updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    setLive("down", `node unreachable (${(e as Error).message}); retrying`);
  }
}

function connect(): void {
  const events = new EventSource("/api/events");
  events.addEventListener("snapshot", (ev) => {
    if (polling !== undefined) {
      clearInterval(polling);
      polling = undefined;
    }
    render(JSON.parse((ev as MessageEvent<string>).data) as NetworkSnapshot);
    setLive("live", `live · updated ${new Date().toLocaleTimeString()}`);
  });
  events.onerror = () => {
    // EventSource reconnects by itself; meanwhile poll, so the page never freezes on a proxy that drops streams
    if (polling === undefined) {
      void pollOnce();
      polling = window.setInterval(() => void pollOnce(), 2000);
    }
  };
}

// ---------------------------------------------------------------- transaction search

$("tx-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  void search(($("tx-input") as HTMLInputElement).value.trim());
});

async function search(query: string): Promise<void> {
  const out = $("tx-result");
  out.removeAttribute("data-verified");
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(query)) {
    out.replaceChildren(h("p", { class: "status down" }, "a transaction hash is 0x followed by up to 62 hex digits"));
    return;
  }
  out.replaceChildren(h("p", {}, "looking…"));
  const res = await fetch(`/api/tx/${encodeURIComponent(query)}`);
  const body = (await res.json()) as TxLookup | { error: string; message: string };
  if (!res.ok || "error" in body) {
    out.replaceChildren(h("p", { class: "status down", "data-error": "error" in body ? body.error : String(res.status) }, "message" in body ? body.message : `HTTP ${res.status}`));
    return;
  }
  if (body.status === "pending") {
    out.replaceChildren(h("p", { "data-status": "pending" }, `pending: received here ${ago(body.receivedAt)}, in no finalized batch yet`));
    return;
  }
  const check = checkTxLookup(BigInt(query), body, poseidon);
  const ok = check.included && check.sameHash && check.rawMatches !== false;
  out.dataset.verified = String(ok);
  const b = body.batch!;
  out.replaceChildren(
    h("p", { "data-status": "landed" }, h("strong", {}, `landed in batch ${b.batchNumber}`), `, slot ${body.slot ?? "?"}${body.forced ? " (forced)" : ""}, round ${b.round ?? "—"}, L1 block ${b.blockNumber}`),
    h(
      "p",
      { class: ok ? "status up" : "status down" },
      ok
        ? `✔ inclusion proof checked in this browser: Poseidon path to txRoot ${short(hex(b.txRoot), 14)} of batch ${b.batchNumber}${check.rawMatches ? "; the raw bytes hash to this txHash" : ""}`
        : `✘ not verified: ${check.reason ?? (!check.sameHash ? "the node answered for another transaction" : "the raw bytes do not hash to this txHash")}`,
    ),
    h("p", { class: "note" }, `L1 transaction ${b.l1TxHash}. The txRoot is this node's reading of the inbox's BatchFinalized event; a light client (zkseq SDK) checks it from L1 itself.`),
  );
}

connect();
