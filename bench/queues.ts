/**
 * The message layer (issue 14), on Miniflare's local Queues (raw `workerd serve` has no
 * queue broker): `node bench/queues.ts [--hops N] [--json]`, also the last section of
 * `npm run bench` (skip it with `--skip-queues`).
 *
 * - **sync hop**: `POST /v1/route` pinned to `bench` (fault upstream `/ok`), one
 *   connection, N in a row: p50/p99 — the baseline of this run;
 * - **async enqueue**: the same body with `"async": true`: the `202`'s latency;
 * - **async completion**: from the submit to the hop reported ended by
 *   `GET /v1/hops/:id` (polled every 10 ms), one at a time: includes the queue's
 *   `max_batch_timeout` (wrangler.toml, 1 s) when the queue is quiet;
 * - **async throughput**: N hops submitted at once (8 connections), until the last
 *   ended: hops/s;
 * - **webhook delivery**: N async hops with a callback to a receiver on 127.0.0.1,
 *   until it has N signed deliveries: deliveries/s, and the receiver's count of
 *   duplicates (expected 0).
 *
 * Ratios are against the sync hop of the same run. Queue settings are wrangler.toml's,
 * read with wrangler's own config reader. Writes bench/out/queues-<timestamp>.json.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { benchConfig, bundleRouter, BENCH_SPECIALIST, type RouterBundle } from "./build.ts";
import { summarize, type Latency } from "./load.ts";
import { startUpstreamThread } from "./servers.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const AUTH = { "content-type": "application/json", authorization: "Bearer dev-key" };
/** Bounds every wait: a run that does not finish in this time fails instead of hanging. */
const DEADLINE_MS = 120_000;

export interface QueueBenchResult {
  hops: number;
  syncHop: Latency;
  asyncEnqueue: Latency;
  asyncCompletion: Latency;
  asyncThroughputHopsPerS: number;
  webhookDeliveriesPerS: number;
  webhookDuplicates: number;
  ratios: { enqueueOverSync: number; completionOverSync: number };
  queueSettings: { queue: string; maxBatchSize: number; maxBatchTimeoutS: number }[];
}

/** A `[[queues.consumers]]` entry of wrangler.toml. */
interface Consumer {
  queue: string;
  max_batch_size?: number;
  max_batch_timeout?: number;
  max_retries?: number;
  dead_letter_queue?: string;
  retry_delay?: number;
}

/** Miniflare's queue options from wrangler.toml (producers and consumers as `wrangler dev` would set them). */
function queueOptions() {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const declared = config.queues as { producers?: { binding: string; queue: string }[]; consumers?: Consumer[] };
  const producers = Object.fromEntries((declared.producers ?? []).map((p) => [p.binding, { queueName: p.queue }]));
  const consumers = Object.fromEntries(
    (declared.consumers ?? []).map((c) => [
      c.queue,
      {
        maxBatchSize: c.max_batch_size,
        maxBatchTimeout: c.max_batch_timeout,
        maxRetries: c.max_retries,
        deadLetterQueue: c.dead_letter_queue,
        retryDelay: c.retry_delay,
      },
    ]),
  );
  const settings = (declared.consumers ?? []).map((c) => ({ queue: c.queue, maxBatchSize: c.max_batch_size ?? 10, maxBatchTimeoutS: c.max_batch_timeout ?? 5 }));
  return { producers, consumers, settings };
}

async function startRouterWithQueues(bundle: RouterBundle, config: string): Promise<{ url: string; close(): Promise<void> }> {
  const q = queueOptions();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    handleStructuredLogs: () => {},
    workers: [
      {
        name: "switchyard",
        compatibilityDate: bundle.compatibilityDate,
        compatibilityFlags: bundle.compatibilityFlags,
        modulesRoot: bundle.dir,
        modules: bundle.modules,
        kvNamespaces: { INTENTS: "bench-intents", TRACES: "bench-traces" },
        durableObjects: Object.fromEntries(bundle.durableObjects.map(([b, className]) => [b, { className, useSQLite: true }])),
        queueProducers: q.producers,
        queueConsumers: q.consumers,
        bindings: { DEV_MODE: "true", SWITCHYARD_CONFIG: config, VERSION: "bench" },
      },
    ],
    } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { url, close: () => mf.dispose() };
}

const deadline = () => {
  const until = Date.now() + DEADLINE_MS;
  return () => {
    if (Date.now() > until) throw new Error(`the queue bench did not finish within ${DEADLINE_MS / 1000} s`);
  };
};

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: AUTH, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, json, ms: performance.now() - t0 };
}

/** Polls `GET /v1/hops/:id` every 10 ms until the hop ended; its final status. */
async function ended(url: string, id: string): Promise<string> {
  const check = deadline();
  for (;;) {
    check();
    const res = await fetch(`${url}/v1/hops/${id}`, { headers: AUTH });
    const body = (await res.json()) as { status?: string };
    if (body.status === "succeeded" || body.status === "failed") return body.status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

/** A webhook receiver on 127.0.0.1: counts deliveries by `webhook-id`. */
async function startReceiver(): Promise<{ url: string; delivered: Map<string, number>; close(): Promise<void> }> {
  const delivered = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"] ?? "");
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, delivered, close: () => new Promise((r) => server.close(() => r())) };
}

/** The queue bench: starts its own upstream, router and receiver, stops them all. */
export async function runQueueBench(hops = 200, log: (line: string) => void = console.log): Promise<QueueBenchResult> {
  const upstream = await startUpstreamThread();
  const bundle = await bundleRouter(ROOT);
  const receiver = await startReceiver();
  const router = await startRouterWithQueues(bundle, benchConfig(ROOT, upstream.url));
  try {
    const route = `${router.url}/v1/route`;
    const body = { specialist: BENCH_SPECIALIST, input: "queue bench" };
    for (let i = 0; i < 20; i++) await post(route, body); // warm-up
    const sync: number[] = [];
    for (let i = 0; i < hops; i++) {
      const r = await post(route, body);
      if (r.status !== 200) throw new Error(`sync hop → ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
      sync.push(r.ms);
    }
    log(`sync hop: ${hops} done`);

    const enqueue: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < hops; i++) {
      const r = await post(route, { ...body, async: true });
      if (r.status !== 202) throw new Error(`async submit → ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
      enqueue.push(r.ms);
      ids.push(String(r.json.id));
    }
    for (const id of ids) await ended(router.url, id); // drain before timing completion one at a time
    log(`async enqueue: ${hops} done`);

    const completion: number[] = [];
    const oneByOne = Math.min(hops, 20);
    for (let i = 0; i < oneByOne; i++) {
      const t0 = performance.now();
      const r = await post(route, { ...body, async: true });
      const status = await ended(router.url, String(r.json.id));
      if (status !== "succeeded") throw new Error(`async hop ${String(r.json.id)} ${status}`);
      completion.push(performance.now() - t0);
    }
    log(`async completion: ${oneByOne} done`);

    const t1 = performance.now();
    const burst: string[] = [];
    await pool(Array.from({ length: hops }, (_, i) => i), 8, async () => {
      burst.push(String((await post(route, { ...body, async: true })).json.id));
    });
    await pool(burst, 8, async (id) => void (await ended(router.url, id)));
    const throughput = hops / ((performance.now() - t1) / 1000);
    log(`async throughput: ${hops} done`);

    const t2 = performance.now();
    await pool(Array.from({ length: hops }, (_, i) => i), 8, async () => {
      const r = await post(route, { ...body, async: true, callback: { url: receiver.url, secret: "bench-webhook-secret-0123456789" } });
      if (r.status !== 202) throw new Error(`async submit with callback → ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
    });
    const check = deadline();
    while (receiver.delivered.size < hops) {
      check();
      await new Promise((r) => setTimeout(r, 10));
    }
    const deliveries = hops / ((performance.now() - t2) / 1000);
    const duplicates = [...receiver.delivered.values()].reduce((s, n) => s + n - 1, 0);
    log(`webhooks: ${hops} delivered`);

    const s = summarize(sync);
    const e = summarize(enqueue);
    const c = summarize(completion);
    return {
      hops,
      syncHop: s,
      asyncEnqueue: e,
      asyncCompletion: c,
      asyncThroughputHopsPerS: throughput,
      webhookDeliveriesPerS: deliveries,
      webhookDuplicates: duplicates,
      ratios: { enqueueOverSync: e.p50 / s.p50, completionOverSync: c.p50 / s.p50 },
      queueSettings: queueOptions().settings,
    };
  } finally {
    await router.close();
    await receiver.close();
    await upstream.close();
    bundle.cleanup();
  }
}

/** The section's table. */
export function queueTable(r: QueueBenchResult): string {
  const f = (x: number) => x.toFixed(2);
  const hops = r.queueSettings.find((q) => q.queue === "switchyard-hops");
  return [
    `Message layer (Miniflare local Queues; hops queue max_batch_size ${hops?.maxBatchSize}, max_batch_timeout ${hops?.maxBatchTimeoutS} s), ${r.hops} hops per measure:`,
    "",
    "| measure | p50 ms | p99 ms | ÷ sync hop p50 |",
    "| --- | ---: | ---: | ---: |",
    `| sync hop (baseline) | ${f(r.syncHop.p50)} | ${f(r.syncHop.p99)} | 1.00× |`,
    `| async enqueue (the 202) | ${f(r.asyncEnqueue.p50)} | ${f(r.asyncEnqueue.p99)} | ${f(r.ratios.enqueueOverSync)}× |`,
    `| async completion (submit → ended, one at a time) | ${f(r.asyncCompletion.p50)} | ${f(r.asyncCompletion.p99)} | ${f(r.ratios.completionOverSync)}× |`,
    "",
    `Async throughput: ${r.asyncThroughputHopsPerS.toFixed(0)} hops/s (${r.hops} submitted at once on 8 connections, until the last ended). ` +
      `Webhook delivery: ${r.webhookDeliveriesPerS.toFixed(0)} deliveries/s (async hops with a callback to a receiver on 127.0.0.1), ${r.webhookDuplicates} duplicates.`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { hops: { type: "string", default: "200" } } });
  const n = Number(values.hops);
  if (!(Number.isInteger(n) && n >= 1 && n <= 5000)) throw new Error("--hops must be an integer in [1, 5000]");
  const r = await runQueueBench(n, (l) => process.stderr.write(`${l}\n`));
  console.log(`\n${queueTable(r)}`);
  const out = join(ROOT, "bench", "out");
  mkdirSync(out, { recursive: true });
  const file = join(out, `queues-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2));
  console.log(`\nwritten: ${file}`);
}
