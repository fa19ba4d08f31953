import { describe, expect, expectTypeOf, it } from "vitest";
import type { ControlPlane } from "../../durable-objects/control-plane.ts";
import type { Metrics } from "../../durable-objects/metrics.ts";
import type { RateLimitPool } from "../../durable-objects/rate-limit-pool.ts";
import type { TaskAgent } from "../../durable-objects/task-agent.ts";
import { isJson, toJson, unfenced } from "../../worker/json.ts";

describe("isJson", () => {
  it("accepts what JSON.parse makes, at any depth", () => {
    expect(isJson(JSON.parse('{"a":[1,"x",true,null,{"b":-0.5}]}'))).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(isJson(deep)).toBe(true);
  });

  it("refuses what JSON would change or cannot write", () => {
    for (const v of [undefined, { a: undefined }, [1, undefined], Number.NaN, Infinity, () => 1, new Date(0), new Map(), 1n, [, 1]]) expect(isJson(v), String(v)).toBe(false);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isJson(cycle)).toBe(false);
  });
});

describe("toJson", () => {
  it("returns a JSON value itself, without a copy", () => {
    const v = { a: [1, { b: "c" }] };
    expect(toJson(v)).toBe(v);
  });

  it("gives anything else as its JSON text keeps it", () => {
    expect(toJson({ a: 1, b: undefined, c: Number.NaN, d: new Date(0) })).toEqual({ a: 1, c: null, d: "1970-01-01T00:00:00.000Z" });
    expect(toJson(undefined)).toBeUndefined();
  });
});

/** True when T is `never`: what Workers RPC makes of a result type holding `unknown`. */
type IsNever<T> = [T] extends [never] ? true : false;
type Result<S, K extends keyof S> = S[K] extends (...a: never[]) => infer R ? NonNullable<Awaited<R>> : never;

describe("Durable Object RPC results are typed on their stubs (JSON, not unknown)", () => {
  it("no result a route reads is never", () => {
    type Task = DurableObjectStub<TaskAgent>;
    expectTypeOf<IsNever<Result<Task, "get">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Task, "events">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Task, "audit">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Task, "traceOf">>>().toEqualTypeOf<false>();
    // a union result keeps every branch (RPC drops a branch it cannot serialise)
    expectTypeOf<Result<Task, "create">["kind"]>().toEqualTypeOf<"created" | "existing" | "conflict">();
    expectTypeOf<Result<Task, "cancel">["ok"]>().toEqualTypeOf<boolean>();
    type Control = DurableObjectStub<ControlPlane>;
    expectTypeOf<IsNever<Result<Control, "state">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Control, "registrations">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<DurableObjectStub<RateLimitPool>, "view">>>().toEqualTypeOf<false>();
    type Counters = DurableObjectStub<Metrics>;
    expectTypeOf<IsNever<Result<Counters, "day">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Counters, "hopRef">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Counters, "feedbackList">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Counters, "feedbackAudit">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Counters, "arm">>>().toEqualTypeOf<false>();
    expectTypeOf<IsNever<Result<Counters, "arms">>>().toEqualTypeOf<false>();
    expectTypeOf<Result<Counters, "submitFeedback">["kind"]>().toEqualTypeOf<"created" | "same" | "replaced" | "conflict">();
  });
});

describe("unfenced", () => {
  it("takes one Markdown code fence off a reply, and leaves any other text as it is (trimmed)", () => {
    expect(unfenced('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(unfenced('```JSON  \r\n{"a":1}\r\n```')).toBe('{"a":1}');
    expect(unfenced('```\n{"a":1}```')).toBe('{"a":1}');
    expect(unfenced('  {"a":1}  ')).toBe('{"a":1}');
    expect(unfenced('text\n```json\n{"a":1}\n```')).toBe('text\n```json\n{"a":1}\n```');
    expect(unfenced("```json {\"a\":1}```")).toBe("```json {\"a\":1}```");
  });
});
