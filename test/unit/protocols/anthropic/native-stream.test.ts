import { describe, expect, it } from "vitest";
import { openMessageStream } from "../../../../worker/protocols/anthropic/native-stream.ts";
import type { ChatStream } from "../../../../worker/protocols/openai/stream.ts";
import type { SpecialistOutcome } from "../../../../worker/routing/hop.ts";
import { scriptedUpstream } from "../../../support/scripted-upstream.ts";

/**
 * The pass-through of an `anthropic` specialist's stream on the Anthropic door: the
 * upstream's bytes as they came, each event checked before it goes on.
 */
const enc = new TextEncoder();
const ev = (data: { type: string; [k: string]: unknown }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const START = ev({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 4, output_tokens: 1 } },
});
const BLOCK = ev({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
const delta = (text: string) => ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const END = ev({ type: "content_block_stop", index: 0 }) + ev({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }) + ev({ type: "message_stop" });
const GARBAGE = "event: content_block_delta\ndata: <html>oops</html>\n\n";

async function run(reads: (string | Uint8Array)[], o: { hang?: boolean } = {}) {
  const up = scriptedUpstream(reads, o);
  const opened = await openMessageStream(up.open, { pricing: undefined, signal: new AbortController().signal, idleMs: 5_000 });
  if (!opened.ok) throw new Error(`failed before content: ${JSON.stringify(opened.failure)}`);
  const stream = opened.output as ChatStream;
  const bytes = new Uint8Array(await new Response(stream.body).arrayBuffer());
  const outcome: SpecialistOutcome = await stream.settled;
  return { bytes, text: new TextDecoder().decode(bytes), outcome, seen: up.seen };
}
/** The events of an SSE text, parsed (each must be JSON). */
const eventsOf = (text: string) =>
  text
    .split("\n\n")
    .filter((e) => e.trim() !== "" && !e.startsWith(":"))
    .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)) as { type: string; [k: string]: any });
const ERROR_EVENT = /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]*"\}\}\n\n$/;

describe("the pass-through of an anthropic specialist's stream", () => {
  it("well-formed events reach the client byte for byte, however the reads split them (mid-event, mid-character)", async () => {
    const whole = enc.encode(`${START}${BLOCK}: keep-alive\n\n${delta("héllo ")}${ev({ type: "ping" })}${delta("wörld ✓")}${END}`);
    const o = whole.indexOf(0xc3, START.length + BLOCK.length + 40); // the first byte of "ö"
    const check = whole.indexOf(0xe2); // the first byte of "✓"
    const bounds = [...new Set([7, START.length, START.length + 30, START.length + BLOCK.length + 5, o + 1, check + 1, check + 2, whole.length - 20, whole.length - 1])].sort((a, b) => a - b);
    const reads = [...bounds.map((b, i) => whole.slice(i === 0 ? 0 : bounds[i - 1], b)), whole.slice(bounds.at(-1))];
    const { bytes, outcome } = await run(reads);
    expect(bytes).toEqual(whole);
    expect(outcome.ok).toBe(true);
  });

  it("garbage mid-stream, split across reads after a good event: the events before it, then one error event, no message_stop; the upstream is cancelled; bad_response", async () => {
    const { text, outcome, seen } = await run([START + BLOCK + delta("one "), delta("two ") + GARBAGE.slice(0, 30), GARBAGE.slice(30) + delta("three ") + END], { hang: true });
    expect(text).not.toContain("oops");
    expect(text.startsWith(START + BLOCK + delta("one ") + delta("two "))).toBe(true);
    expect(text.slice((START + BLOCK + delta("one ") + delta("two ")).length)).toMatch(ERROR_EVENT);
    expect(eventsOf(text).at(-1)!.error.message).toMatch(/not JSON/);
    expect(eventsOf(text).some((e) => e.type === "message_stop")).toBe(false);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(seen.cancelled || seen.aborted).toBe(true);
  });

  it("garbage in the same read as a good event (mid-stream, or the first content event) never reaches the client", async () => {
    for (const reads of [[START + BLOCK, delta("one ") + GARBAGE + delta("two ") + END], [START + BLOCK + delta("one ") + GARBAGE + delta("two ") + END]]) {
      const { text, outcome } = await run(reads);
      expect(text).not.toContain("oops");
      expect(text.startsWith(START + BLOCK + delta("one "))).toBe(true);
      expect(text.slice((START + BLOCK + delta("one ")).length)).toMatch(ERROR_EVENT);
      expect(outcome).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    }
  });

  it("an event that is JSON but not one of Anthropic's is garbage too", async () => {
    const bad = ev({ type: "content_block_delta", index: 0 }); // no delta
    const { text, outcome } = await run([START + BLOCK + delta("one "), bad + END]);
    expect(text.slice((START + BLOCK + delta("one ")).length)).toMatch(ERROR_EVENT);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
  });

  it("the upstream's own error event ends the stream as sent, with nothing after it", async () => {
    const error = ev({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const { text, outcome } = await run([START + BLOCK + delta("one "), error + delta("two ") + END]);
    expect(text).toBe(START + BLOCK + delta("one ") + error);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "http_error", status: 529 } });
  });

  it("nothing follows message_stop; an event cut off by the end is not passed on", async () => {
    const complete = await run([START + BLOCK + delta("one "), END + GARBAGE]);
    expect(complete.text).toBe(START + BLOCK + delta("one ") + END);
    expect(complete.outcome.ok).toBe(true);
    const whole = await run([START + BLOCK + delta("one ") + END + GARBAGE]); // all in the head's read
    expect(whole.text).toBe(START + BLOCK + delta("one ") + END);
    expect(whole.outcome.ok).toBe(true);
    const cut = await run([START + BLOCK + delta("one "), delta("two ").slice(0, 25)]);
    expect(cut.text.slice((START + BLOCK + delta("one ")).length)).toMatch(ERROR_EVENT);
    expect(cut.outcome).toMatchObject({ ok: false, failure: { kind: "truncated" } });
  });
});
