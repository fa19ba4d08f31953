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

describe("SSE parsing: every field rule", () => {
  const events = (text: string) => new SseSplitter().push(text).map(({ data, event }) => (event === undefined ? { data } : { data, event }));

  it("line ends: LF, CRLF, CR; a lone CR inside an LF stream does not end an event", () => {
    expect(events("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d")).toEqual([{ data: "a" }, { data: "b" }, { data: "c" }]);
    expect(events("data: a\rdata: b\n\n")).toEqual([{ data: "a\nb" }]);
    expect(events("data: one\n\n")).toEqual([{ data: "one" }]);
  });

  it("fields: no colon is a field with an empty value, one leading space is dropped, unknown fields and comments are ignored", () => {
    expect(events("data\n\n")).toEqual([{ data: "" }]);
    expect(events("data:  two spaces\n\n")).toEqual([{ data: " two spaces" }]);
    expect(events("data:x:y\n\n")).toEqual([{ data: "x:y" }]);
    expect(events("id: 7\nretry: 10\n\n")).toEqual([]);
    expect(events(": comment\n\n")).toEqual([]);
    expect(events("event: ping\n\n")).toEqual([{ data: "", event: "ping" }]);
    expect(events("event: e\ndata: 1\ndata: 2\n\n")).toEqual([{ data: "1\n2", event: "e" }]);
    expect(events("data: a\n: note\ndata: b\n\n")).toEqual([{ data: "a\nb" }]);
    expect(events("data: x\nevent\n\n")).toEqual([{ data: "x", event: "" }]);
  });

  it("kinds: [DONE] only as the whole data, leading whitespace before the object allowed", () => {
    expect(eventKind({ raw: "", data: " [DONE] " })).toBe("done");
    expect(eventKind({ raw: "", data: "[DONE]x" })).toBe("garbage");
    expect(eventKind({ raw: "", data: " \n\t\r{\"a\":1}" })).toBe("chunk");
    expect(eventKind({ raw: "", data: '{ "error": {} }' })).toBe("error");
    expect(eventKind({ raw: "", data: "{", event: "error" })).toBe("error");
    expect(eventKind({ raw: "", data: '{"a":1} x' })).toBe("garbage");
    expect(eventKind({ raw: "", data: '{"a":1}  ' })).toBe("chunk");
    expect(eventKind({ raw: "", data: "" })).toBe("garbage");
  });

  it("values: a key must be followed by a colon; strings, objects and arrays told apart at their first character", () => {
    expect(hasFinishReason('{"finish_reason" : "stop"}')).toBe(true);
    expect(hasFinishReason('{"finish_reason":null}')).toBe(false);
    expect(hasFinishReason('{"finish_reason"}')).toBe(false);
    expect(hasFinishReason('{"x":"finish_reason"}')).toBe(false);
    expect(hasUsage('{"usage":\n{"total_tokens":1}}')).toBe(true);
    expect(hasUsage('{"usage":null}')).toBe(false);
    expect(hasUsage("{}")).toBe(false);
    expect(isUsageOnly('{"choices":[ ],"usage":{}}')).toBe(true);
    expect(isUsageOnly('{"choices":[{}],"usage":{}}')).toBe(false);
    expect(isUsageOnly('{"usage":{}}')).toBe(false);
    expect(isUsageOnly('{"choices":[]}')).toBe(false);
    expect(isUsageOnly('{"choices":{},"usage":{}}')).toBe(false);
  });

  it("usage: null goes whatever whitespace surrounds it; anything else stays", () => {
    expect(withoutNullUsage('{"a":1 ,\n "usage" :\tnull }')).toBe('{"a":1  }');
    expect(withoutNullUsage('{"usage" : null ,  "a":1}')).toBe('{"a":1}');
    expect(withoutNullUsage('{"a":1,"usage":nullx}')).toBe('{"a":1,"usage":nullx}');
    expect(withoutNullUsage('{"a":"usage"}')).toBe('{"a":"usage"}');
    expect(withoutNullUsage('{"a":1}')).toBe('{"a":1}');
  });

  it("content: a non-empty string, a refusal, tool or function calls, audio; an empty string or null is none", () => {
    expect(carriesContent('{"delta":{"content":"x"}}')).toBe(true);
    expect(carriesContent('{"delta":{"content":""}}')).toBe(false);
    expect(carriesContent('{"delta":{"refusal":"no"}}')).toBe(true);
    for (const key of ["tool_calls", "function_call", "audio"]) {
      expect(carriesContent(`{"delta":{"${key}":[1]}}`), key).toBe(true);
      expect(carriesContent(`{"delta":{"${key}":null}}`), key).toBe(false);
    }
    expect(carriesContent('{"delta":{"role":"assistant"}}')).toBe(false);
  });
});
