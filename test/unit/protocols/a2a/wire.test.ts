import { describe, expect, it } from "vitest";
import { decodeState, encodeSendResult, encodeStreamEvent, encodeTask, WireMessage, WireTask, type Task } from "../../../../worker/protocols/a2a/wire.ts";

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
