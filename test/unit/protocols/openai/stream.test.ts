import { describe, expect, it } from "vitest";
import { ChatStream, openChatStream } from "../../../../worker/protocols/openai/stream.ts";
import type { SpecialistOutcome } from "../../../../worker/routing/hop.ts";
import { scriptedUpstream } from "../../../support/scripted-upstream.ts";

/**
 * The pass-through of an `openai-chat` stream when nothing needs rewriting (no usage
 * added): the upstream's bytes as they came, each event checked before it goes on.
 */
const enc = new TextEncoder();
const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const ROLE = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`;

async function run(reads: (string | Uint8Array)[], o: { hang?: boolean } = {}) {
  const up = scriptedUpstream(reads, o);
  const opened = await openChatStream(up.open, { pricing: undefined, signal: new AbortController().signal, idleMs: 5_000, usageAdded: false, specialist: "s" });
  if (!opened.ok) throw new Error(`failed before content: ${JSON.stringify(opened.failure)}`);
  const stream = opened.output as ChatStream;
  const bytes = new Uint8Array(await new Response(stream.body).arrayBuffer());
  const outcome: SpecialistOutcome = await stream.settled;
  return { bytes, text: new TextDecoder().decode(bytes), outcome, seen: up.seen };
}
const dataOf = (text: string) => text.split("\n\n").filter((e) => e.trim() !== "").map((e) => e.replace(/^data: /, ""));

describe("the pass-through of a stream nothing rewrites", () => {
  it("well-formed chunks reach the client byte for byte, however the reads split them (mid-event, mid-character)", async () => {
    const whole = enc.encode(`${ROLE}${chunk("héllo ")}: keep-alive\n\n${chunk("wörld")}${chunk("", "stop")}data: [DONE]\n\n`);
    const cuts = [5, ROLE.length, ROLE.length + 20, ROLE.length + 45, whole.length - 30, whole.length - 3];
    const at = whole.indexOf(0xc3, ROLE.length + 30); // the first byte of "ö": a read ends inside the character
    const bounds = [...new Set([...cuts, at + 1])].sort((a, b) => a - b);
    const reads = bounds.map((b, i) => whole.slice(i === 0 ? 0 : bounds[i - 1], b));
    reads.push(whole.slice(bounds.at(-1)));
    const { bytes, outcome } = await run(reads);
    expect(bytes).toEqual(whole);
    expect(outcome.ok).toBe(true);
  });

  it("garbage mid-stream: the client gets the chunks before it, then one error event, no [DONE] and nothing after; the upstream is cancelled; bad_response", async () => {
    const garbage = "data: {not json\n\n";
    // the garbage starts in one read and ends in the next, after a well-formed chunk
    const { text, outcome, seen } = await run([ROLE + chunk("one "), chunk("two ") + garbage.slice(0, 8), garbage.slice(8) + chunk("three "), chunk("", "stop") + "data: [DONE]\n\n"], { hang: true });
    const data = dataOf(text);
    expect(text).not.toContain("not json");
    expect(data).not.toContain("[DONE]");
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content)).toEqual(["", "one ", "two "]);
    expect(JSON.parse(data.at(-1)!).error).toMatchObject({ type: "server_error", code: "specialist_failed" });
    expect(JSON.parse(data.at(-1)!).error.message).toMatch(/not a JSON chunk/);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(seen.cancelled || seen.aborted).toBe(true);
  });

  it("garbage in the same read as the first content chunk never reaches the client either", async () => {
    const { text, outcome } = await run([ROLE + chunk("one ") + 'data: "<html>oops</html>"\n\n' + chunk("two ") + "data: [DONE]\n\n"]);
    const data = dataOf(text);
    expect(text).not.toContain("oops");
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content)).toEqual(["", "one "]);
    expect(JSON.parse(data.at(-1)!).error.message).toMatch(/not a JSON chunk/);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
  });

  it("the upstream's own error event ends the stream as sent, with nothing after it", async () => {
    const error = 'data: {"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}\n\n';
    const { text, outcome } = await run([ROLE + chunk("one "), error + chunk("two ")]);
    expect(text).toBe(ROLE + chunk("one ") + error);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: "http_error" } });
  });

  it("a stream that finished without [DONE] gets one; an event cut off by the end is not passed on", async () => {
    const { text, outcome } = await run([ROLE + chunk("one "), chunk("", "stop") + 'data: {"partial'], {});
    expect(text).toBe(ROLE + chunk("one ") + chunk("", "stop") + "data: [DONE]\n\n");
    expect(outcome.ok).toBe(true);
  });
});
