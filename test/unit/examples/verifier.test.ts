import { describe, expect, it } from "vitest";
import { app } from "../../../examples/specialists/src/index.ts";
import { agrees, verify } from "../../../examples/specialists/src/skills/verifier.ts";

describe("verifier: recomputation", () => {
  it.each([
    ["what is 3 * 5", { text: "3 * 5 = 15", expression: "3 * 5", value: 15 }, "the value 15 agrees with 3 * 5 = 15"],
    ["what is 0.1 + 0.2", { text: "0.1 + 0.2 = 0.3", value: 0.30000000000000004 }, "the value 0.3 agrees with 0.1 + 0.2 = 0.3"],
    ["100 divided by 7, rounded to 2 decimals", { text: "100 / 7 = 14.29", value: 14.29 }, "the value 14.29 agrees with 100 / 7 = 14.29 (rounded to 2 decimals)"],
    ["convert 5 km to miles", { text: "5 kilometers = 3.10686 miles", value: 3.10685596119 }, "the value 3.10685596119 agrees with 5 kilometers = 3.10686 miles"],
    ["100 f in c", { text: "37.7778 °C", value: 37.7777777778 }, "the value 37.7777777778 agrees with 100 °F = 37.7778 °C"],
  ])("passes %j with the right value", (input, output, reason) => {
    expect(verify({ input, output })).toEqual({ ok: true, text: `PASS (score 1.00): ${reason}`, pass: true, score: 1, reason });
  });

  it("fails a wrong arithmetic value", () => {
    const reason = "the value 16 does not agree with 3 * 5 = 15 (expected 15, by arithmetic)";
    expect(verify({ input: "what is 3 * 5", output: { text: "3 * 5 = 16", value: 16 } })).toEqual({
      ok: true,
      text: `FAIL (score 0.00): ${reason}`,
      pass: false,
      score: 0,
      reason,
    });
  });

  it("fails a wrong conversion", () => {
    const r = verify({ input: "convert 5 km to miles", output: { text: "5 kilometers = 3.2 miles", value: 3.2 }, specialist: "units" });
    expect(r).toMatchObject({ pass: false, score: 0, reason: "the value 3.2 does not agree with 5 kilometers = 3.10686 miles (expected 3.10685596119, by units)" });
    expect(verify({ input: "32 f to c", output: { text: "1 °C", value: 1 } })).toMatchObject({ pass: false, score: 0 });
  });

  it("uses a relative tolerance of 1e-9", () => {
    expect(agrees(1e12, 1e12 + 1)).toBe(true);
    expect(agrees(1, 1 + 1e-8)).toBe(false);
    expect(agrees(0, 0)).toBe(true);
    expect(agrees(0, 1e-300)).toBe(false);
    expect(verify({ input: "what is 2 * 3", output: { text: "6", value: 6 + 1e-12 } }).pass).toBe(true);
    expect(verify({ input: "what is 2 * 3", output: { text: "6", value: 6.0001 } }).pass).toBe(false);
  });

  it("recomputes arithmetic only when the specialist, the intent or the input says so", () => {
    // A math intent re-evaluates even a bare number.
    expect(verify({ input: "what is 12", output: { text: "13", value: 13 }, intent: "math.evaluate" })).toMatchObject({ pass: false });
    // Without hints, a bare number is not an expression.
    expect(verify({ input: "what is 12", output: { text: "13", value: 13 } })).toMatchObject({ pass: true });
    // Another specialist's numbers are not re-evaluated.
    expect(verify({ input: "what is 12 * 3", output: { text: "37", value: 37 }, specialist: "general" })).toMatchObject({ pass: true });
    // Dates look like subtractions: left to the heuristics.
    expect(verify({ input: "how many days between 2026-01-01 and 2026-12-25", output: { text: "There are 358 days between …", value: 358 } })).toMatchObject({
      pass: true,
    });
    // An input the arithmetic skill cannot solve falls through to the heuristics.
    expect(verify({ input: "1 / 0", output: { text: "infinity-ish", value: 1e308 }, specialist: "arithmetic" })).toMatchObject({ pass: true });
  });
});

describe("verifier: presence and error markers", () => {
  it.each([
    [undefined, "there is no output"],
    [null, "there is no output"],
    ["", "the output is empty"],
    ["   ", "the output is empty"],
    [{ value: 4 }, "the output has no non-empty text"],
    [{ text: "" }, "the output has no non-empty text"],
    [42, "the output is a number, not text or an object with text"],
    [["a"], "the output is an array, not text or an object with text"],
    [{ text: "4", ok: false }, "the output says ok: false"],
    [{ text: "oops", error: "boom" }, "the output carries an error"],
    [{ text: "oops", errors: [{ path: "x" }] }, "the output carries errors"],
    [{ text: "Input not understood", type: "urn:switchyard:problem:unprocessable-input" }, "the output is a problem document"],
    [{ text: "∞", value: Infinity }, "the value Infinity is not a finite number"],
    ["Error: upstream timed out", 'the output text looks like an error ("Error")'],
    ["undefined", 'the output text looks like an error ("undefined")'],
    ["The total is NaN.", 'the output text looks like an error ("NaN")'],
    ["Result: [object Object]", 'the output text looks like an error ("[object Object]")'],
    ["Traceback (most recent call last): …", 'the output text looks like an error ("Traceback")'],
  ])("fails %j", (output, reason) => {
    expect(verify({ input: "what is 2 + 2", output })).toEqual({ ok: true, text: `FAIL (score 0.00): ${reason}`, pass: false, score: 0, reason });
  });

  it("does not mistake ordinary words for markers", () => {
    expect(verify({ input: "who is Nan Goldin", output: "Nan Goldin is a photographer." }).pass).toBe(true);
  });
});

describe("verifier: heuristics", () => {
  it.each([
    // 0.5 + 0.25 * min(1, length / 40) + 0.25 * overlap
    ["what day of the week is 2026-12-25", "2026-12-25 is a Friday.", 0.73, "no exact check applies; the output shares 1 of 3 key terms with the input"],
    ["what's the weather like tomorrow", "I couldn't match that to a specialist. You mentioned: weather, like, tomorrow.", 1, "no exact check applies; the output shares 2 of 2 key terms with the input"],
    ["tell me a joke", "Ha.", 0.52, "no exact check applies; the output shares 0 of 2 key terms with the input"],
    ["hello", "hello", 0.5, "the output only repeats the input"],
  ])("passes %j → %j with score %d", (input, output, score, reason) => {
    expect(verify({ input, output })).toEqual({ ok: true, text: `PASS (score ${score.toFixed(2)}): ${reason}`, pass: true, score, reason });
  });

  it("accepts an object with text and keeps scores within 0..1", () => {
    const r = verify({ input: "summarize: Rust is fast. Rust is safe.", output: { text: "Rust is safe.", sentences: 1 } });
    expect(r.pass).toBe(true);
    expect(r.score).toBeGreaterThanOrEqual(0.5);
    expect(r.score).toBeLessThanOrEqual(1);
  });
});

describe("POST /verifier", () => {
  const post = (body: unknown) => Promise.resolve(app.request("/verifier", { method: "POST", body: JSON.stringify(body) }));

  it("answers 200 with pass, score and reason", async () => {
    const res = await post({
      input: "check s2",
      context: { verification: { input: "convert 5 km to miles", output: { text: "5 kilometers = 3.10686 miles", value: 3.10685596119 }, specialist: "units" } },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      output: {
        text: "PASS (score 1.00): the value 3.10685596119 agrees with 5 kilometers = 3.10686 miles",
        pass: true,
        score: 1,
        reason: "the value 3.10685596119 agrees with 5 kilometers = 3.10686 miles",
      },
      usage: { units: 1 },
    });
  });

  it("answers 200 with pass: false for a wrong value", async () => {
    const res = await post({ input: "check", context: { verification: { input: "what is 3 * 5", output: { text: "16", value: 16 }, intent: "math.evaluate" } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ output: { pass: false, score: 0 } });
  });

  it("answers 200 with pass: false when the output is missing", async () => {
    const res = await post({ input: "check", context: { verification: { input: "what is 3 * 5" } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ output: { pass: false, reason: "there is no output" } });
  });

  it.each([
    [{ input: "check" }, ["context.verification"]],
    [{ input: "check", context: {} }, ["context.verification"]],
    [{ input: "check", context: { verification: { output: "x" } } }, ["context.verification.input"]],
    [{ input: "check", context: { verification: { input: "x", output: "y", specialist: 3 } } }, ["context.verification.specialist"]],
  ])("answers 400 problem+json for %j", async (body, paths) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const p = (await res.json()) as { detail: string; errors: Array<{ path: string }> };
    expect(p.detail).toBe("The request context is invalid");
    expect(p.errors.map((e) => e.path)).toEqual(paths);
  });

  it("answers 405 for GET", async () => {
    const res = await app.request("/verifier");
    expect(res.status).toBe(405);
  });
});
