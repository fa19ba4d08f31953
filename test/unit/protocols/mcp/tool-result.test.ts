import { describe, expect, it } from "vitest";
import { errorResult, FindArgs, hopBody, needsApproval, toolResult } from "../../../../worker/protocols/mcp/tool-result.ts";

const ROUTE = { kind: "route" } as const;
const UNITS = { kind: "specialist", specialist: "units" } as const;
const REMOTE = { kind: "remote", server: "github", tool: "create_issue" } as const;
const served = (output: unknown, extra: Record<string, unknown> = {}) => ({ id: "hop_1", output, decision: { specialist: "units" }, ...extra });
const gated = (extra: Record<string, unknown> = {}) => ({ title: "Approval required", status: 422, detail: "held; submit it as a task", tried: [{ specialist: "pay", failure: "approval_required" }], ...extra });

describe("hopBody", () => {
  it("route classifies the input; context goes with it only when given", () => {
    expect(hopBody(ROUTE, { input: "5 km in miles" })).toEqual({ ok: true, body: { input: "5 km in miles" } });
    expect(hopBody(ROUTE, { input: "5 km in miles", context: { user: "u1" } })).toEqual({ ok: true, body: { input: "5 km in miles", context: { user: "u1" } } });
  });

  it("a specialist tool pins its specialist", () => {
    expect(hopBody(UNITS, { input: "x" })).toEqual({ ok: true, body: { specialist: "units", input: "x" } });
    expect(hopBody(UNITS, { input: "x", context: {} })).toEqual({ ok: true, body: { specialist: "units", input: "x", context: {} } });
  });

  it("a remote tool pins its server, with the arguments' canonical JSON as the input, whatever their key order", () => {
    const a = hopBody(REMOTE, { title: "Bug", body: { z: 1, a: [2, { y: 3, b: 4 }] } });
    const b = hopBody(REMOTE, { body: { a: [2, { b: 4, y: 3 }], z: 1 }, title: "Bug" });
    expect(a).toEqual({ ok: true, body: { specialist: "github", input: '{"body":{"a":[2,{"b":4,"y":3}],"z":1},"title":"Bug"}' } });
    expect(b).toEqual(a);
    expect(hopBody(REMOTE, {})).toEqual({ ok: true, body: { specialist: "github", input: "{}" } });
  });

  it("a remote tool's arguments are not checked here (the server's schema is its own)", () => {
    expect(hopBody(REMOTE, { input: 5, extra: true }).ok).toBe(true);
  });

  it.each([
    ["missing input", {}, "invalid arguments: input: Invalid input: expected string, received undefined"],
    ["empty input", { input: "" }, "invalid arguments: input: Too small: expected string to have >=1 characters"],
    ["an extra key", { input: "x", extra: 1 }, 'invalid arguments: (arguments): Unrecognized key: "extra"'],
    ["a context that is no object", { input: "x", context: "s" }, "invalid arguments: context: Invalid input: expected record, received string"],
    ["every issue, joined", { input: 5, context: [1] }, "invalid arguments: input: Invalid input: expected string, received number; context: Invalid input: expected record, received array"],
  ])("says what is wrong with the arguments: %s", (_what, args, detail) => {
    expect(hopBody(ROUTE, args)).toEqual({ ok: false, detail });
    expect(hopBody(UNITS, args)).toEqual({ ok: false, detail });
  });
});

describe("FindArgs", () => {
  it("takes a query of 1 to 4000 characters and an optional integer k of 1 to maxK", () => {
    const f = FindArgs(10);
    expect(f.parse({ query: "q" })).toEqual({ query: "q" });
    expect(f.parse({ query: "q".repeat(4000), k: 10 }).k).toBe(10);
    expect(f.parse({ query: "q", k: 1 }).k).toBe(1);
    for (const bad of [{}, { query: "" }, { query: "q".repeat(4001) }, { query: "q", k: 0 }, { query: "q", k: 11 }, { query: "q", k: 1.5 }, { query: "q", other: 1 }]) expect(f.safeParse(bad).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
  });
});

describe("needsApproval", () => {
  it("a 422 whose last attempt hit an approval gate: the policy's own words, else the detail, else a default", () => {
    expect(needsApproval(422, gated({ policy: "requires approval by policy 'pay'" }))).toBe("requires approval by policy 'pay'");
    expect(needsApproval(422, gated())).toBe("held; submit it as a task");
    expect(needsApproval(422, { tried: [{ failure: "approval_required" }] })).toBe("a policy requires approval");
  });

  it("only the last attempt counts", () => {
    expect(needsApproval(422, gated({ tried: [{ failure: "approval_required" }, { failure: "denied" }] }))).toBeUndefined();
    expect(needsApproval(422, gated({ tried: [{ failure: "timeout" }, { failure: "approval_required" }] }))).toBe("held; submit it as a task");
  });

  it("any other status, failure or body is no approval gate", () => {
    expect(needsApproval(403, gated())).toBeUndefined();
    expect(needsApproval(200, gated())).toBeUndefined();
    expect(needsApproval(422, gated({ tried: [{ failure: "denied" }] }))).toBeUndefined();
    expect(needsApproval(422, gated({ tried: [] }))).toBeUndefined();
    expect(needsApproval(422, { title: "x" })).toBeUndefined();
    for (const body of [undefined, null, "approval_required", [gated()], gated({ detail: 5 }), gated({ tried: "approval_required" })]) expect(needsApproval(422, body)).toBeUndefined();
  });
});

describe("toolResult: a problem", () => {
  it("is an error result with its title and detail, the problem and the hop in _meta", () => {
    const problem = { type: "about:blank", title: "Specialist failed", status: 502, detail: "units answered 500" };
    expect(toolResult(UNITS, 502, problem, "hop_9")).toEqual({
      content: [{ type: "text", text: "Specialist failed: units answered 500" }],
      isError: true,
      _meta: { "switchyard/hop": "hop_9", "switchyard/problem": problem },
    });
  });

  it("without title or detail: 'Error' and what there is", () => {
    expect(toolResult(ROUTE, 404, { detail: "no such specialist" }, null).content).toEqual([{ type: "text", text: "Error: no such specialist" }]);
    expect(toolResult(ROUTE, 404, { title: "Not found" }, null).content).toEqual([{ type: "text", text: "Not found" }]);
    expect(toolResult(ROUTE, 500, {}, null).content).toEqual([{ type: "text", text: "Error" }]);
  });

  it("a body that is no problem object: 'Error', and its status in _meta", () => {
    for (const body of [undefined, "upstream died", [1, 2], null]) {
      expect(toolResult(ROUTE, 503, body, null), JSON.stringify(body)).toEqual({ content: [{ type: "text", text: "Error" }], isError: true, _meta: { "switchyard/problem": { status: 503 } } });
    }
  });

  it("an object whose members do not fit a problem is still passed on whole", () => {
    const odd = { title: 5, detail: ["x"], extra: true };
    expect(toolResult(ROUTE, 500, odd, "h")).toEqual({ content: [{ type: "text", text: "Error" }], isError: true, _meta: { "switchyard/hop": "h", "switchyard/problem": odd } });
  });

  it("any status but 200 is a problem, even with a served body", () => {
    expect(toolResult(UNITS, 201, served("hi"), null).isError).toBe(true);
  });
});

describe("toolResult: a specialist's answer", () => {
  it("a string output is its text, with no structuredContent", () => {
    expect(toolResult(UNITS, 200, served("3.1 mi"), "hop_1")).toEqual({ content: [{ type: "text", text: "3.1 mi" }], _meta: { "switchyard/hop": "hop_1", "switchyard/specialist": "units" } });
  });

  it("an object output is its text and, whole, its structuredContent", () => {
    const output = { text: "3.1 mi", value: 3.1 };
    expect(toolResult(ROUTE, 200, served(output), null)).toEqual({ content: [{ type: "text", text: "3.1 mi" }], structuredContent: output, _meta: { "switchyard/specialist": "units" } });
    expect(toolResult(ROUTE, 200, served({ value: 3.1 }), null).content).toEqual([{ type: "text", text: '{"value":3.1}' }]);
  });

  it("an array, number or null output is JSON text, never structuredContent", () => {
    for (const [output, text] of [[[1, 2], "[1,2]"], [42, "42"], [null, "null"]] as const) {
      const r = toolResult(UNITS, 200, served(output), null);
      expect(r.content).toEqual([{ type: "text", text }]);
      expect(r).not.toHaveProperty("structuredContent");
      expect(r).not.toHaveProperty("isError");
    }
  });

  it("screening goes in _meta when the answer has it", () => {
    const screening = { input: { flagged: false } };
    expect(toolResult(UNITS, 200, served("ok", { screening }), "h")._meta).toEqual({ "switchyard/hop": "h", "switchyard/specialist": "units", "switchyard/screening": screening });
  });

  it("an answer that cannot be read is an error result keeping the hop", () => {
    const unreadable = "the router's answer could not be read";
    expect(toolResult(UNITS, 200, { output: "x" }, "h")).toEqual({ content: [{ type: "text", text: unreadable }], isError: true, _meta: { "switchyard/hop": "h" } });
    expect(toolResult(UNITS, 200, { id: "h", output: "x", decision: {} }, null)).toEqual(errorResult(unreadable));
    expect(toolResult(UNITS, 200, "x", null)).toEqual(errorResult(unreadable));
  });

  it("an empty hop id adds no hop to _meta", () => {
    expect(toolResult(UNITS, 200, served("x"), "")._meta).toEqual({ "switchyard/specialist": "units" });
  });
});

describe("toolResult: a remote tool's answer", () => {
  it("is the server's result as sent, its _meta merged under ours", () => {
    const output = { content: [{ type: "text", text: "created #7" }], structuredContent: { number: 7 }, _meta: { "github/rate": 4999, "switchyard/hop": "forged" } };
    expect(toolResult(REMOTE, 200, served(output, { decision: { specialist: "github" } }), "hop_2")).toEqual({
      content: [{ type: "text", text: "created #7" }],
      structuredContent: { number: 7 },
      _meta: { "github/rate": 4999, "switchyard/hop": "hop_2", "switchyard/specialist": "github" },
    });
  });

  it("never lets the server speak in the router's name: its switchyard/ members are dropped, even where the router says nothing", () => {
    const output = { content: [{ type: "text", text: "hi" }], _meta: { "switchyard/screening": { output: { flagged: false } }, "switchyard/approval": { task: "x" }, "acme/trace": "t" } };
    expect(toolResult(REMOTE, 200, served(output, { decision: { specialist: "github" } }), "h")._meta).toEqual({ "acme/trace": "t", "switchyard/hop": "h", "switchyard/specialist": "github" });
  });

  it("keeps the server's own isError, and a _meta that is no object is dropped", () => {
    const output = { content: [{ type: "text", text: "no such repo" }], isError: true, _meta: [1] };
    expect(toolResult(REMOTE, 200, served(output), null)).toEqual({ content: output.content, isError: true, _meta: { "switchyard/specialist": "units" } });
  });

  it("a result without a content array is an error result", () => {
    for (const output of [{ structuredContent: {} }, { content: "text" }, "text", [{ type: "text" }], null]) {
      expect(toolResult(REMOTE, 200, served(output), "h"), JSON.stringify(output)).toEqual({
        content: [{ type: "text", text: "the MCP server's result has no content" }],
        isError: true,
        _meta: { "switchyard/hop": "h", "switchyard/specialist": "units" },
      });
    }
  });
});

describe("errorResult", () => {
  it("is the text as an error, with _meta empty unless given", () => {
    expect(errorResult("bad")).toEqual({ content: [{ type: "text", text: "bad" }], isError: true, _meta: {} });
    expect(errorResult("bad", { k: 1 })).toEqual({ content: [{ type: "text", text: "bad" }], isError: true, _meta: { k: 1 } });
  });
});
