import { describe, expect, it } from "vitest";
import { call, callWith, configWith, problem } from "./helpers.ts";

/** Edges of the HTTP contract (issue 11): clear titles and details, real dates. */
describe("HTTP edges", () => {
  it("a valid JSON body that fails the schema says 'invalid request body', not 'invalid json'", async () => {
    const p = await problem(await call("/v1/route", { json: { input: 5 } }));
    expect(p.detail).toMatch(/^invalid request body: input: /);
  });

  it("a body without a JSON content type is 415 'Unsupported media type'", async () => {
    const res = await call("/v1/route", { method: "POST", body: JSON.stringify({ input: "x" }), headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expect(await problem(res)).toMatchObject({ title: "Unsupported media type", type: "urn:switchyard:problem:unsupported-media-type", detail: "the body must be JSON: send it with Content-Type: application/json" });
  });

  it("a day that is not on the calendar is a 400", async () => {
    for (const day of ["2026-13-01", "2026-02-30", "2026-00-10"]) {
      const res = await callWith({}, `/v1/metrics?day=${day}`, { headers: { authorization: "Bearer dev-admin-key" } });
      expect(res.status, day).toBe(400);
      expect((await problem(res)).detail).toMatch(/not a calendar day/);
    }
    expect((await callWith({}, "/v1/metrics?day=2024-02-29", { headers: { authorization: "Bearer dev-admin-key" } })).status).toBe(200);
  });
});

describe("method mismatch", () => {
  it("a known path with another method is 405 with Allow; an unknown path stays 404", async () => {
    const res = await call("/v1/route", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await problem(res)).title).toBe("Method not allowed");
    const task = await call("/v1/tasks/task_0123456789abcdef0123456789abcdef", { method: "DELETE" });
    expect(task.status).toBe(405);
    expect(task.headers.get("allow")).toContain("GET");
    expect((await call("/v1/nothing-here")).status).toBe(404);
  });

  it("a trailing slash on a known path is 404 pointing at the path without it, not a 405 naming the same method", async () => {
    const res = await call("/a2a/", { method: "POST", json: { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "x" } } });
    expect(res.status).toBe(404);
    expect((await problem(res)).detail).toBe("no route for POST /a2a/; did you mean /a2a?");
    expect((await call("/v1/route/", { method: "GET" })).status).toBe(405); // another method still names the allowed ones
  });
});

describe("the A2A door's edges", () => {
  it("refuses JSON nested too deep with a JSON-RPC error, not a crash", async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":${"[".repeat(5_000)}${"]".repeat(5_000)}}`;
    const res = await call("/a2a", { method: "POST", body: deep, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32600, message: expect.stringMatching(/nested deeper than 32/) });
  });

  it("the agent card built from the request's host (DEV_MODE) is not cached; a pinned publicUrl is", async () => {
    const card = await call("/.well-known/agent-card.json", { headers: { authorization: "", host: "evil.example" } });
    expect(card.headers.get("cache-control")).toBe("no-store");
    expect(card.headers.get("vary")).toBe("A2A-Version, Host");
    const pinned = await callWith({ SWITCHYARD_CONFIG: configWith((c) => void (c.router = { ...c.router, publicUrl: "https://router.example.com" })) }, "/.well-known/agent-card.json", { headers: { authorization: "" } });
    expect(pinned.headers.get("cache-control")).toBe("public, max-age=60");
    expect(((await pinned.json()) as { url: string }).url).toBe("https://router.example.com/a2a");
  });
});

describe("the OpenAPI document declares what the router does", () => {
  it("bearer security on every operation but the public ones; 415 and 503 declared", async () => {
    const doc = (await (await call("/openapi.json", { headers: { authorization: "" } })).json()) as {
      security?: unknown[];
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/healthz"]!.get!.security).toEqual([]);
    expect(doc.paths["/.well-known/agent-card.json"]!.get!.security).toEqual([]);
    const ops = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    const secured = ops.filter((o) => o.op.security === undefined);
    expect(secured.length).toBeGreaterThan(25); // inherit the document's bearer requirement
    expect(doc.paths["/v1/route"]!.post!.responses).toHaveProperty("415");
    expect(doc.paths["/v1/route"]!.post!.responses).toHaveProperty("503");
  });
});

describe("W3C trace context", () => {
  const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  const traceOf = (res: Response) => res.headers.get("traceparent")!.split("-")[1];
  it("an uppercase traceparent is invalid: a new trace starts", async () => {
    const res = await call("/healthz", { headers: { traceparent: `00-${TRACE.toUpperCase()}-00F067AA0BA902B7-01` } });
    expect(traceOf(res)).not.toBe(TRACE);
    expect(traceOf(res)).not.toBe(TRACE.toUpperCase());
  });

  it("a higher version is read as 00 and the trace continues; version ff does not", async () => {
    expect(traceOf(await call("/healthz", { headers: { traceparent: `01-${TRACE}-00f067aa0ba902b7-01-later-fields` } }))).toBe(TRACE);
    expect(traceOf(await call("/healthz", { headers: { traceparent: `ff-${TRACE}-00f067aa0ba902b7-01` } }))).not.toBe(TRACE);
  });
});

describe("tracestate", () => {
  it("travels with a continued trace: to the specialist and back; dropped when invalid or without a traceparent", async () => {
    const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await call("/v1/route", { json: { input: "x", specialist: "fault-ok" }, headers: { traceparent: tp, tracestate: "congo=t61rcWkgMzE" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("tracestate")).toBe("congo=t61rcWkgMzE");
    expect(((await res.json()) as { output: { tracestate: string } }).output.tracestate).toBe("congo=t61rcWkgMzE"); // what the specialist got
    expect((await call("/healthz", { headers: { traceparent: tp, tracestate: "Bad=Key" } })).headers.get("tracestate")).toBeNull();
    expect((await call("/healthz", { headers: { tracestate: "congo=t61rcWkgMzE" } })).headers.get("tracestate")).toBeNull();
  });
});
