import { describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../../../worker/config/schema.ts";
import { callWith, configWith } from "../../helpers.ts";

/**
 * The test config plus specialists that take other parts: remote A2A agents that report
 * the parts they got (test/support/a2a-upstream.ts `parts`), one of them taking PDFs, and
 * a chat model that takes images and answers with the body it was sent (fake-openai's
 * `echo-body` model).
 */
function withPartTakers(c: ConfigInput): void {
  const a2a = inject("a2aUrl");
  c.specialists.push({ id: "a2a-parts", endpoint: { type: "a2a", url: `${a2a}/v1/parts` }, capabilities: { inputModes: ["text/plain", "application/json", "application/pdf", "image/*"] } });
  c.specialists.push({ id: "a2a-parts-legacy", endpoint: { type: "a2a", url: `${a2a}/v03/parts` }, capabilities: { inputModes: ["text/plain", "application/json", "application/pdf"] } });
  c.specialists.push({ id: "a2a-text-only", endpoint: { type: "a2a", url: `${a2a}/v1/parts` } });
  c.specialists.push({
    id: "seer",
    endpoint: { type: "openai-chat", url: `${inject("openaiUrl")}/v1`, model: "echo-body", apiKeySecret: "FAKE_OPENAI_KEY" },
    capabilities: { vision: true },
  });
}
const SWITCHYARD_CONFIG = configWith(withPartTakers);

type Rpc = { result?: any; error?: { code: number; message: string; data?: any } };
async function send(parts: unknown[], specialist?: string, method = "SendMessage"): Promise<Rpc> {
  const role = method === "SendMessage" ? "ROLE_USER" : "user";
  // one hop: this file's specialists come from a config override the Worker sees and a TaskAgent does not (tasks carrying parts: e2e a2a-card-parts.test.ts)
  const params = { message: { ...(method === "SendMessage" ? {} : { kind: "message" }), messageId: `m-${crypto.randomUUID()}`, role, parts }, metadata: { switchyard: { mode: "hop", ...(specialist ? { specialist } : {}) } } };
  const res = await callWith({ SWITCHYARD_CONFIG }, "/a2a", { json: { jsonrpc: "2.0", id: 1, method, params } });
  return (await res.json()) as Rpc;
}

const pdf = { url: "https://files.example/report.pdf", mediaType: "application/pdf", filename: "report.pdf" };
const png = { raw: "iVBORw0KGgo=", mediaType: "image/png", filename: "dot.png" };

describe("file and data parts over the A2A front door: carried or refused, never dropped", () => {
  it("an a2a specialist that takes them gets every part as sent (the unmodified SDK server reads them)", async () => {
    const r = await send([{ text: "summarise" }, pdf, png, { data: { pages: [1, 2] } }], "a2a-parts");
    expect(r.error).toBeUndefined();
    const parts = r.result.message.parts;
    expect(parts[0].text).toBe("parts: 4");
    // the agent's data part is the output's `data` (the router's answer: a text part and the whole output as data)
    expect(parts[1].data.data.parts).toEqual([
      { kind: "text", value: "summarise", mediaType: "", filename: "" },
      { kind: "url", value: "https://files.example/report.pdf", mediaType: "application/pdf", filename: "report.pdf" },
      { kind: "raw", value: { bytes: 8 }, mediaType: "image/png", filename: "dot.png" },
      { kind: "data", value: { pages: [1, 2] }, mediaType: "", filename: "" },
    ]);
  });

  it("a 0.3 agent gets them in 0.3's shape (file: { uri, mimeType, name }) through the same specialist config", async () => {
    const r = await send([{ text: "summarise" }, pdf], "a2a-parts-legacy");
    expect(r.error).toBeUndefined();
    expect(r.result.message.parts[1].data.data.parts[1]).toEqual({ kind: "url", value: "https://files.example/report.pdf", mediaType: "application/pdf", filename: "report.pdf" });
  });

  it("routed (not pinned): the parts pick a specialist that takes them", async () => {
    const r = await send([{ text: "what is in this file" }, pdf]);
    expect(r.error).toBeUndefined();
    expect(["a2a-parts", "a2a-parts-legacy"]).toContain(r.result.message.metadata.switchyard.specialist);
  });

  it("a chat model that takes images gets them as image_url parts; data goes along as JSON text", async () => {
    const r = await send([{ text: "what is this?" }, png, { data: { hint: "a dot" } }], "seer");
    expect(r.error).toBeUndefined();
    const body = JSON.parse(r.result.message.parts[0].text.replace(/^\[[^\]]*\] /, "")) as { messages: { role: string; content: unknown }[] };
    expect(body.messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "what is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "text", text: '{"hint":"a dot"}' },
      ],
    });
  });

  it("-32005 when the pinned specialist does not take a part: not its input modes, or not an endpoint that carries files", async () => {
    expect((await send([{ text: "x" }, pdf], "a2a-text-only")).error).toMatchObject({ code: -32005, data: [{ reason: "CONTENT_TYPE_NOT_SUPPORTED", metadata: { partIndex: "1", mediaType: "application/pdf" } }] });
    expect((await send([{ text: "x" }, pdf], "seer")).error).toMatchObject({ code: -32005, message: expect.stringMatching(/'seer' does not accept application\/pdf/) });
    expect((await send([png], "units")).error).toMatchObject({ code: -32005, message: expect.stringMatching(/part 0 \(image\/png\)/) });
  });

  it("-32005 when no specialist takes it at all (routed), in 0.3's shape for 0.3 calls", async () => {
    const odd = { kind: "file", file: { bytes: "AAAA", mimeType: "application/x-totally-unsupported-format", name: "x.bin" } };
    expect((await send([{ kind: "text", text: "process this" }, odd], undefined, "message/send")).error).toEqual({
      code: -32005,
      message: "Content type not supported (incompatible content types): part 1 (application/x-totally-unsupported-format): no specialist accepts application/x-totally-unsupported-format parts",
      data: { partIndex: 1, mediaType: "application/x-totally-unsupported-format" },
    });
  });

  it("data parts start a task too (their steps get them; files: e2e a2a-card-parts.test.ts)", async () => {
    const task = async (parts: unknown[]) => {
      const res = await callWith({ SWITCHYARD_CONFIG }, "/a2a", { json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts }, metadata: { switchyard: { mode: "task" } }, configuration: { returnImmediately: true } } } });
      return (await res.json()) as Rpc;
    };
    expect((await task([{ text: "convert 5 km to miles" }, { data: { note: 1 } }])).result.task.id).toMatch(/^task_/);
  });

  it("bytes that are not base64, or a relative URL, are invalid params naming the part", async () => {
    expect((await send([{ raw: "not base64!", mediaType: "application/pdf" }], "a2a-parts")).error).toMatchObject({ code: -32602, data: [{ fieldViolations: [{ field: "message.parts.0" }] }] });
    expect((await send([{ url: "/a.pdf", mediaType: "application/pdf" }], "a2a-parts")).error).toMatchObject({ code: -32602 });
  });

  it("acceptedOutputModes the answers cannot meet are -32005", async () => {
    const res = await callWith({ SWITCHYARD_CONFIG }, "/a2a", {
      json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: "m-out", role: "ROLE_USER", parts: [{ text: "hi" }] }, configuration: { acceptedOutputModes: ["application/x-completely-unsupported-output-format"] } } },
    });
    expect(((await res.json()) as Rpc).error).toMatchObject({ code: -32005, data: [{ metadata: { mediaType: "application/x-completely-unsupported-output-format" } }] });
  });
});
