/**
 * The example specialists' Worker entry (wrangler.toml `main`): the hono app of
 * index.ts as the default export, plus `ExampleWorkersAi`, a stand-in for the Workers AI
 * binding (examples/fake-workers-ai) that the router reaches through its service
 * binding `EXAMPLE_AI`. It lets a `workers-ai` specialist run under `npm run dev` with no
 * Cloudflare account and no network (`"endpoint": { "type": "workers-ai", "model":
 * "@cf/meta/llama-3.1-8b-instruct", "binding": "EXAMPLE_AI" }`); deployed routers use
 * the real binding (`[ai] binding = "AI"`). Kept apart from index.ts, which unit tests
 * import in plain Node (no `cloudflare:workers` there).
 */
export { FakeWorkersAi as ExampleWorkersAi } from "../../fake-workers-ai/worker.ts";
export { default } from "./index.ts";
