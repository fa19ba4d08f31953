import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

let server: DevServer;
const headers = { authorization: "Bearer dev-key", "content-type": "application/json" };

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Reads a task's SSE stream over real HTTP until it closes (bounded by the test timeout). */
async function readEvents(id: string, lastEventId?: string): Promise<EventSourceMessage[]> {
  const res = await fetch(`${server.url}/v1/tasks/${id}/events`, { headers: { ...headers, ...(lastEventId ? { "last-event-id": lastEventId } : {}) } });
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  return events;
}

describe("a 3-step task over real HTTP, with the example specialists", () => {
  it("converts, computes on the result, then counts words; streams progress; audits", async () => {
    const submitted = await fetch(`${server.url}/v1/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        goal: "convert, multiply, describe",
        idempotencyKey: `e2e-${crypto.randomUUID()}`,
        plan: {
          steps: [
            { id: "convert", input: "convert 5 km to miles" },
            { id: "triple", specialist: "arithmetic", input: "what is {{steps.convert.output.value}} * 3", dependsOn: ["convert"] },
            { id: "words", intent: "text.count", input: "count the words in: {{steps.triple.output}}", dependsOn: ["triple"] },
          ],
          combine: "concat",
        },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };

    const events = await readEvents(id);
    expect(events.map((e) => e.event)).toEqual(["task.created", "step.started", "step.succeeded", "step.started", "step.succeeded", "step.started", "step.succeeded", "task.succeeded"]);
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const resumed = await readEvents(id, "6");
    expect(resumed.map((e) => e.id)).toEqual(["7", "8"]);

    const task = (await (await fetch(`${server.url}/v1/tasks/${id}`, { headers })).json()) as { status: string; steps: { id: string; specialist: string; output: { value?: number; text: string } }[] };
    expect(task.status).toBe("succeeded");
    expect(task.steps.map((s) => s.specialist)).toEqual(["units", "arithmetic", "text-stats"]);
    expect(task.steps[1]!.output.value).toBeCloseTo(3.10686 * 3, 3);

    const audit = (await (await fetch(`${server.url}/v1/tasks/${id}/audit`, { headers })).json()) as { verification: { ok: boolean } };
    expect(audit.verification.ok).toBe(true);
  });
});
