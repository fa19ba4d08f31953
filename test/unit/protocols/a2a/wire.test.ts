import { describe, expect, it } from "vitest";
import { decodeState, encodeMessage, encodeSendResult, encodeStreamEvent, encodeTask, partsText, WireMessage, WirePart, WireTask, type Message, type Part, type Task } from "../../../../worker/protocols/a2a/wire.ts";

const task: Task = {
  id: "task_1",
  contextId: "ctx",
  status: { state: "input-required", timestamp: "2026-01-01T00:00:00.000Z", message: { messageId: "m", role: "agent", parts: [{ kind: "text", text: "approve?" }] } },
  artifacts: [{ artifactId: "result", name: "result", parts: [{ kind: "text", text: "5 km = 3.1 mi" }, { kind: "data", data: { value: 3.1 } }] }],
};

describe("A2A wire formats", () => {
  it("encodes 1.x as protobuf JSON: enum names, oneof parts, wrapped results", () => {
    expect(encodeTask(task, "1.0")).toEqual({
      id: "task_1",
      contextId: "ctx",
      status: { state: "TASK_STATE_INPUT_REQUIRED", timestamp: "2026-01-01T00:00:00.000Z", message: { messageId: "m", role: "ROLE_AGENT", parts: [{ text: "approve?" }] } },
      artifacts: [{ artifactId: "result", name: "result", parts: [{ text: "5 km = 3.1 mi" }, { data: { value: 3.1 } }] }],
    });
    expect(encodeSendResult({ task }, "1.0")).toHaveProperty("task.id", "task_1");
    expect(encodeSendResult({ message: { messageId: "m", role: "agent", parts: [{ kind: "data", data: 3 }] } }, "1.0")).toEqual({ message: { messageId: "m", role: "ROLE_AGENT", parts: [{ data: 3 }] } });
  });

  it("encodes 0.3 with kind fields, lowercase states, object data parts, unwrapped results", () => {
    const t = encodeTask(task, "0.3");
    expect(t).toMatchObject({ kind: "task", status: { state: "input-required", message: { kind: "message", role: "agent", parts: [{ kind: "text", text: "approve?" }] } } });
    expect(encodeSendResult({ message: { messageId: "m", role: "agent", parts: [{ kind: "data", data: 3 }, { kind: "file", url: "https://f", mediaType: "text/plain" }] } }, "0.3")).toEqual({
      kind: "message",
      messageId: "m",
      role: "agent",
      parts: [{ kind: "data", data: { value: 3 } }, { kind: "file", file: { uri: "https://f", mimeType: "text/plain" } }],
    });
  });

  it("encodes stream events per version (0.3 marks the final status update)", () => {
    const status = { kind: "status" as const, taskId: "t", contextId: "c", status: { state: "completed" as const }, final: true };
    expect(encodeStreamEvent(status, "1.0")).toEqual({ statusUpdate: { taskId: "t", contextId: "c", status: { state: "TASK_STATE_COMPLETED" } } });
    expect(encodeStreamEvent(status, "0.3")).toEqual({ kind: "status-update", taskId: "t", contextId: "c", status: { state: "completed" }, final: true });
    const artifact = { kind: "artifact" as const, taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ kind: "text" as const, text: "x" }] } };
    expect(encodeStreamEvent(artifact, "1.0")).toEqual({ artifactUpdate: { taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ text: "x" }] }, lastChunk: true } });
    expect(encodeStreamEvent(artifact, "0.3")).toMatchObject({ kind: "artifact-update", artifact: { parts: [{ kind: "text", text: "x" }] } });
  });

  it("decodes states in either spelling", () => {
    expect(decodeState("TASK_STATE_INPUT_REQUIRED")).toBe("input-required");
    expect(decodeState("input-required")).toBe("input-required");
    expect(decodeState("cancelled")).toBe("canceled");
    expect(decodeState("TASK_STATE_UNSPECIFIED")).toBe("unknown");
    expect(decodeState(3)).toBe("unknown");
  });

  it("decodes messages and tasks of either version into one shape", () => {
    const v1 = WireMessage.parse({ messageId: "m", role: "ROLE_USER", parts: [{ text: "hi" }, { data: { a: 1 } }, { url: "https://x", mediaType: "image/png", filename: "x.png" }] });
    const v03 = WireMessage.parse({ kind: "message", messageId: "m", role: "user", parts: [{ kind: "text", text: "hi" }, { kind: "data", data: { a: 1 } }, { kind: "file", file: { uri: "https://x", mimeType: "image/png", name: "x.png" } }] });
    expect(v1).toEqual(v03);
    expect(v1.parts[2]).toEqual({ kind: "file", url: "https://x", mediaType: "image/png", name: "x.png" });
    expect(WireTask.parse({ id: "t", contextId: "c", status: { state: "TASK_STATE_WORKING" } }).status.state).toBe("working");
    expect(WireTask.parse({ kind: "task", id: "t", status: { state: "completed" } }).status.state).toBe("completed");
  });

  it("rejects messages without id, role or content", () => {
    expect(WireMessage.safeParse({ role: "user", parts: [{ text: "x" }] }).success).toBe(false);
    expect(WireMessage.safeParse({ messageId: "m", role: "ROLE_SYSTEM", parts: [{ text: "x" }] }).success).toBe(false);
    expect(WireMessage.safeParse({ messageId: "m", role: "user", parts: [] }).success).toBe(false);
    expect(WireMessage.safeParse({ messageId: "m", role: "user", parts: [{ metadata: {} }] }).success).toBe(false);
  });
});

describe("A2A wire: every part and envelope, both versions", () => {
  const parts: Part[] = [
    { kind: "text", text: "hi", metadata: { m: 1 } },
    { kind: "data", data: [1, 2] },
    { kind: "data", data: { a: 1 } },
    { kind: "data", data: null },
    { kind: "file", url: "https://f.example/a.png", mediaType: "image/png", name: "a.png" },
    { kind: "file", bytes: "AAEC" },
    { kind: "file" },
  ];
  const message: Message = { messageId: "m1", role: "user", parts, contextId: "c1", taskId: "t1", metadata: { k: "v" } };

  it("1.0: parts by their member, roles as ROLE_*, files as url or raw", () => {
    expect(encodeMessage(message, "1.0")).toStrictEqual({
      messageId: "m1",
      contextId: "c1",
      taskId: "t1",
      role: "ROLE_USER",
      parts: [
        { text: "hi", metadata: { m: 1 } },
        { data: [1, 2] },
        { data: { a: 1 } },
        { data: null },
        { url: "https://f.example/a.png", mediaType: "image/png", filename: "a.png" },
        { raw: "AAEC" },
        { raw: "" },
      ],
      metadata: { k: "v" },
    });
    expect(encodeMessage({ messageId: "m2", role: "agent", parts: [] }, "1.0")).toStrictEqual({ messageId: "m2", role: "ROLE_AGENT", parts: [] });
  });

  it("0.3: parts by kind, data always an object, files under file", () => {
    expect(encodeMessage(message, "0.3")).toMatchObject({
      kind: "message",
      role: "user",
      parts: [
        { kind: "text", text: "hi", metadata: { m: 1 } },
        { kind: "data", data: { value: [1, 2] } },
        { kind: "data", data: { a: 1 } },
        { kind: "data", data: { value: null } },
        { kind: "file", file: { uri: "https://f.example/a.png", mimeType: "image/png", name: "a.png" } },
        { kind: "file", file: { bytes: "AAEC" } },
        { kind: "file", file: { bytes: "" } },
      ],
    });
  });

  it("tasks: artifacts only when there are some, history whenever given; send results and stream events wrapped per version", () => {
    const task: Task = { id: "t1", contextId: "c1", status: { state: "completed" }, history: [{ messageId: "h", role: "agent", parts: [{ kind: "text", text: "x" }] }], artifacts: [] };
    const v1 = encodeTask(task, "1.0");
    expect(v1.history).toEqual([{ messageId: "h", role: "ROLE_AGENT", parts: [{ text: "x" }] }]);
    expect("artifacts" in v1).toBe(false);
    expect(encodeTask({ ...task, history: [] }, "1.0").history).toEqual([]); // asked for and empty: present
    expect(encodeStreamEvent({ kind: "task", task }, "1.0")).toEqual({ task: encodeTask(task, "1.0") });
    expect(encodeStreamEvent({ kind: "task", task }, "0.3")).toEqual(encodeTask(task, "0.3"));
    expect(encodeStreamEvent({ kind: "message", message }, "1.0")).toEqual({ message: encodeMessage(message, "1.0") });
    expect(encodeStreamEvent({ kind: "message", message }, "0.3")).toEqual(encodeMessage(message, "0.3"));
  });

  it("reading parts: text, data, files from either version's members, and nothing else", () => {
    const read = (p: unknown) => WirePart.safeParse(p);
    expect(read({ raw: "AA", filename: "f.bin", mediaType: "application/octet-stream", metadata: { x: 1 } }).data).toStrictEqual({ kind: "file", bytes: "AA", mediaType: "application/octet-stream", name: "f.bin", metadata: { x: 1 } });
    expect(read({ kind: "file", file: { uri: "https://u", mimeType: "text/plain", name: "u.txt" } }).data).toStrictEqual({ kind: "file", url: "https://u", mediaType: "text/plain", name: "u.txt" });
    expect(read({ kind: "file", file: { bytes: "BB" } }).data).toStrictEqual({ kind: "file", bytes: "BB" });
    expect(read({ url: "https://v" }).data).toStrictEqual({ kind: "file", url: "https://v" });
    expect(read({ data: 0 }).data).toStrictEqual({ kind: "data", data: 0 });
    expect(read({ kind: "file" }).error?.issues[0]?.message).toBe("a part needs text, data, a url or bytes");
  });

  it("states: with or without the TASK_STATE_ prefix, either spelling of cancelled", () => {
    expect(decodeState("TASK_STATE_INPUT_REQUIRED")).toBe("input-required");
    expect(decodeState("input-required")).toBe("input-required");
    expect(decodeState("XTASK_STATE_COMPLETED")).toBe("unknown");
    expect(decodeState("cancelled")).toBe("canceled");
    expect(decodeState(7)).toBe("unknown");
  });

  it("the text of parts is their text parts, one a line", () => {
    expect(partsText(parts)).toBe("hi");
    expect(partsText([{ kind: "text", text: "a" }, { kind: "data", data: 1 }, { kind: "text", text: "b" }])).toBe("a\nb");
  });
});
