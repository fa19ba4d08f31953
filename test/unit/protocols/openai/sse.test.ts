import { describe, expect, it } from "vitest";
import { eventKind, hasFinishReason, hasUsage, carriesContent, isUsageOnly, SseSplitter, withoutNullUsage } from "../../../../worker/protocols/openai/sse.ts";

describe("SseSplitter", () => {
  it("splits complete events across pushes and keeps the tail", () => {
    const s = new SseSplitter();
    expect(s.push('data: {"a":1}\n\ndata: {"b"')).toEqual([{ raw: 'data: {"a":1}\n\n', data: '{"a":1}' }]);
    expect(s.rest).toBe('data: {"b"');
    expect(s.push(":2}\n\n")).toEqual([{ raw: 'data: {"b":2}\n\n', data: '{"b":2}' }]);
    expect(s.rest).toBe("");
  });

  it("reads CRLF line ends, multi-line data, event names, and skips comments", () => {
    const s = new SseSplitter();
    const evs = s.push(': keep-alive\r\n\r\nevent: error\r\ndata: {"error":\r\ndata: 1}\r\n\r\ndata:[DONE]\n\n');
    expect(evs.map((e) => ({ data: e.data, event: e.event }))).toEqual([
      { data: '{"error":\n1}', event: "error" },
      { data: "[DONE]", event: undefined },
    ]);
  });
});

describe("event checks", () => {
  const ev = (data: string, event?: string) => ({ raw: `data: ${data}\n\n`, data, ...(event ? { event } : {}) });
  it("tells [DONE], errors, garbage and chunks apart", () => {
    expect(eventKind(ev("[DONE]"))).toBe("done");
    expect(eventKind(ev('{"error":{"message":"x"}}'))).toBe("error");
    expect(eventKind(ev('{"x":1}', "error"))).toBe("error");
    expect(eventKind(ev("{not json"))).toBe("garbage");
    expect(eventKind(ev('{"choices":[]}'))).toBe("chunk");
  });

  it("finds finish reasons and usage without parsing, and not inside strings", () => {
    expect(hasFinishReason('{"choices":[{"finish_reason":"stop"}]}')).toBe(true);
    expect(hasFinishReason('{"choices":[{"finish_reason":null}]}')).toBe(false);
    expect(hasFinishReason('{"choices":[{"delta":{"content":"\\"finish_reason\\":\\"stop\\""}}]}')).toBe(false);
    expect(hasUsage('{"usage": {"prompt_tokens":1}}')).toBe(true);
    expect(hasUsage('{"usage":null}')).toBe(false);
    expect(isUsageOnly('{"choices":[],"usage":{"prompt_tokens":1}}')).toBe(true);
    expect(isUsageOnly('{"choices":[{}],"usage":{"prompt_tokens":1}}')).toBe(false);
  });

  it("removes a usage: null member wherever it stands", () => {
    expect(withoutNullUsage('data: {"id":"x","usage":null}\n\n')).toBe('data: {"id":"x"}\n\n');
    expect(withoutNullUsage('data: {"usage": null, "id":"x"}\n\n')).toBe('data: {"id":"x"}\n\n');
    expect(withoutNullUsage('data: {"id":"x","usage":{"a":1}}\n\n')).toBe('data: {"id":"x","usage":{"a":1}}\n\n');
  });

  it("a content chunk carries part of the answer; a role-only opening chunk does not", () => {
    const c = (o: unknown) => carriesContent(JSON.stringify(o));
    expect(c({ choices: [{ delta: { role: "assistant", content: "" } }] })).toBe(false);
    expect(c({ choices: [{ delta: { role: "assistant", content: null, refusal: null } }], usage: null })).toBe(false);
    expect(c({ choices: [{ delta: { content: "a" } }] })).toBe(true);
    expect(c({ choices: [{ delta: { tool_calls: [{ index: 0 }] } }] })).toBe(true);
    expect(c({ choices: [{ delta: { refusal: "no" } }] })).toBe(true);
    expect(c({ choices: [{ delta: {}, finish_reason: "stop" }] })).toBe(true);
    expect(c({ choices: [], usage: { prompt_tokens: 1 } })).toBe(true);
    expect(c({ nope: 1 })).toBe(false);
    expect(carriesContent('{"choices":[{"delta":{"content" : "x"}}]}')).toBe(true);
  });
});
