import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../worker/config/load.ts";
import { RPC, RpcFailure } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import { carryParts, chatMessages, hopParts, messageInput, partMediaType, partsUnable, refuseOutputModes, refuseParts } from "../../../../worker/protocols/a2a/parts.ts";
import type { Part } from "../../../../worker/protocols/a2a/wire.ts";

const intents = (label: string) => [{ label, examples: [`${label} please`] }];
const config = loadConfig({
  specialists: [
    { id: "plain", endpoint: { type: "http", url: "https://p.example/" }, intents: intents("plain"), costPerCall: 0 },
    { id: "remote", endpoint: { type: "a2a", url: "https://r.example/" }, intents: intents("remote"), capabilities: { inputModes: ["text/plain", "application/json", "application/pdf"] }, costPerCall: 1 },
    { id: "seer", endpoint: { type: "openai-chat", url: "https://o.example/v1", model: "m" }, intents: intents("seer"), capabilities: { vision: true }, costPerCall: 2 },
    { id: "texty", endpoint: { type: "http", url: "https://t.example/" }, intents: intents("texty"), capabilities: { inputModes: ["text/plain"] }, costPerCall: 3 },
  ],
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));
const text = (t: string): Part => ({ kind: "text", text: t });
const data = (d: unknown): Part => ({ kind: "data", data: d });
const pdf: Part = { kind: "file", url: "https://files.example/a.pdf", mediaType: "application/pdf", name: "a.pdf" };
const png: Part = { kind: "file", bytes: "iVBORw0KGgo=", mediaType: "image/png" };
const blob: Part = { kind: "file", bytes: "AAAA" };

describe("what a part is", () => {
  it("text is text/plain, data application/json, a file its media type (octet-stream when it names none)", () => {
    expect([text("x"), data(1), pdf, blob, { kind: "file", url: "u", mediaType: "Image/PNG; x=1" } as Part].map(partMediaType)).toEqual(["text/plain", "application/json", "application/pdf", "application/octet-stream", "image/png"]);
  });

  it("the hop's input is every text and data part in order, one per line; files are not text", () => {
    expect(messageInput([text("total these"), data({ a: 1 }), pdf, text(" and these")])).toBe('total these\n{"a":1}\n and these');
    expect(messageInput([png])).toBe("");
  });
});

describe("who accepts which part", () => {
  it("text: everyone; data: input modes with application/json; files: the mode and an endpoint that carries it", () => {
    const unable = partsUnable([text("x"), data({}), pdf]);
    expect(unable(registry.get("remote")!)).toBeUndefined();
    expect(unable(registry.get("plain")!)).toEqual({ param: "message.parts.2", detail: "'plain' does not accept application/pdf (its input modes: text/plain, application/json)" });
    expect(partsUnable([data({})])(registry.get("texty")!)).toEqual({ param: "message.parts.0", detail: "'texty' does not accept application/json (its input modes: text/plain)" });
    expect(partsUnable([png])(registry.get("seer")!)).toBeUndefined();
    expect(partsUnable([png])(registry.get("remote")!)?.detail).toMatch(/'remote' does not accept image\/png/);
  });

  it("refuses (-32005) when the pinned specialist, or every specialist, cannot take a part; naming the part", () => {
    expect(refuseParts([text("x")], registry, "plain")).toBeUndefined();
    expect(refuseParts([text("x"), pdf], registry, "plain")).toEqual({ code: "content_type", index: 1, mediaType: "application/pdf", detail: "'plain' does not accept application/pdf (its input modes: text/plain, application/json)" });
    expect(refuseParts([text("x"), pdf], registry, undefined)).toBeUndefined();
    expect(refuseParts([text("x"), pdf], registry, "nobody")).toBeUndefined();
    expect(refuseParts([blob], registry, undefined)).toEqual({ code: "content_type", index: 0, mediaType: "application/octet-stream", detail: "no specialist accepts application/octet-stream parts" });
    // each part has a taker (remote takes the pdf, seer the png), none takes both
    expect(refuseParts([pdf, png], registry, undefined)).toMatchObject({ code: "content_type", index: 0, detail: expect.stringMatching(/^no one specialist accepts every part: 'plain' does not accept application\/pdf/) });
  });

  it("a file that is not well-formed is invalid params (-32602), whoever takes it", () => {
    expect(refuseParts([{ kind: "file", bytes: "not base64!" }], registry, "remote")).toMatchObject({ code: "invalid", index: 0, detail: "message.parts.0: the file's bytes are not base64" });
    expect(refuseParts([text("x"), { kind: "file", url: "/relative.pdf", mediaType: "application/pdf" }], registry, "remote")).toMatchObject({ code: "invalid", index: 1, detail: "message.parts.1: the file's url is not an absolute URL" });
  });

  it("answers are text/plain and application/json", () => {
    expect(refuseOutputModes(undefined)).toBeUndefined();
    expect(refuseOutputModes([])).toBeUndefined();
    expect(refuseOutputModes(["application/json"])).toBeUndefined();
    expect(refuseOutputModes(["text/*"])).toBeUndefined();
    expect(refuseOutputModes(["image/png"])).toMatchObject({ code: "content_type", index: -1, mediaType: "image/png" });
  });
});

describe("how a hop carries the parts", () => {
  it("images become a chat turn of text and image_url parts (a data: URL for bytes); without images there is no turn", () => {
    expect(chatMessages([text("what is this?"), data({ n: 1 }), png, { kind: "file", url: "https://i.example/x.jpg", mediaType: "image/jpeg" }])).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "text", text: '{"n":1}' },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://i.example/x.jpg" } },
        ],
      },
    ]);
    expect(chatMessages([text("x"), pdf])).toBeUndefined();
  });

  it("hopParts: the input, the parts as sent, and who can take them (none needed for text only)", () => {
    const all = hopParts([text("x"), pdf]);
    expect(all).toMatchObject({ input: "x", parts: [text("x"), pdf] });
    expect(all.unable?.(registry.get("plain")!)).toMatchObject({ param: "message.parts.1" });
    expect(hopParts([text("x")])).toStrictEqual({ input: "x", parts: [text("x")] });
  });

  it("carryParts throws the JSON-RPC errors: -32005 naming part and type, -32602 for a malformed file", () => {
    const failure = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as RpcFailure).error;
      }
      return undefined;
    };
    expect(failure(() => carryParts({ message: { parts: [text("x"), pdf] } }, registry, "plain"))).toEqual({
      code: RPC.CONTENT_TYPE_NOT_SUPPORTED,
      message: "Content type not supported (incompatible content types): part 1 (application/pdf): 'plain' does not accept application/pdf (its input modes: text/plain, application/json)",
      data: { partIndex: 1, mediaType: "application/pdf" },
    });
    expect(failure(() => carryParts({ message: { parts: [text("x")] }, configuration: { acceptedOutputModes: ["image/png"] } }, registry, undefined))).toMatchObject({ code: RPC.CONTENT_TYPE_NOT_SUPPORTED, data: { mediaType: "image/png" } });
    expect(failure(() => carryParts({ message: { parts: [{ kind: "file", bytes: "%%" }] } }, registry, undefined))).toMatchObject({ code: RPC.INVALID_PARAMS, data: { errors: [{ path: "message.parts.0" }] } });
    expect(carryParts({ message: { parts: [text("x"), pdf] } }, registry, "remote").parts).toEqual([text("x"), pdf]);
  });
});

describe("parts: edges", () => {
  const failure = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as RpcFailure).error;
    }
    return undefined;
  };

  it("text alone is never refused, even with no specialist registered", () => {
    expect(refuseParts([text("x"), text("y")], new Map(), undefined)).toBeUndefined();
    expect(refuseParts([], new Map(), undefined)).toBeUndefined();
  });

  it("when no one specialist takes every part, the refusal names what the cheapest cannot take, whatever the registry's order", () => {
    const reversed = new Map([...registry].reverse());
    expect(refuseParts([pdf, png], reversed, undefined)?.detail).toMatch(/^no one specialist accepts every part: 'plain' does not accept application\/pdf/);
  });

  it("output modes: the refusal says which modes the answers have", () => {
    expect(refuseOutputModes(["image/png", "audio/*"])).toEqual({
      code: "content_type",
      index: -1,
      mediaType: "image/png, audio/*",
      detail: "configuration.acceptedOutputModes: the answers are text/plain and application/json, and none of image/png, audio/* takes them",
    });
  });

  it("the hop's input is trimmed", () => {
    expect(messageInput([text("  x  ")])).toBe("x");
  });

  it("hopParts of an image carries the chat turn", () => {
    expect(hopParts([text("what is this?"), png]).messages).toEqual(chatMessages([text("what is this?"), png]));
  });

  it("the errors name part 0 as a part, and an output-mode refusal (no part) by its modes alone", () => {
    expect(failure(() => carryParts({ message: { parts: [pdf] } }, registry, "plain"))).toEqual({
      code: RPC.CONTENT_TYPE_NOT_SUPPORTED,
      message: "Content type not supported (incompatible content types): part 0 (application/pdf): 'plain' does not accept application/pdf (its input modes: text/plain, application/json)",
      data: { partIndex: 0, mediaType: "application/pdf" },
    });
    expect(failure(() => carryParts({ message: { parts: [text("x")] }, configuration: { acceptedOutputModes: ["image/png"] } }, registry, undefined))).toEqual({
      code: RPC.CONTENT_TYPE_NOT_SUPPORTED,
      message:
        "Content type not supported (incompatible content types): image/png: configuration.acceptedOutputModes: the answers are text/plain and application/json, and none of image/png takes them",
      data: { mediaType: "image/png" },
    });
    expect(failure(() => carryParts({ message: { parts: [{ kind: "file", bytes: "%%" }] } }, registry, undefined))).toEqual({
      code: RPC.INVALID_PARAMS,
      message: "Invalid params: message.parts.0: the file's bytes are not base64",
      data: { errors: [{ path: "message.parts.0", message: "message.parts.0: the file's bytes are not base64" }] },
    });
  });
});
