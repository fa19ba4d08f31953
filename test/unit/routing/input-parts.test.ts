import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import { chatMessages, partMediaType, partsUnable, partUnable, UNKNOWN_FILE_TYPE } from "../../../worker/routing/input-parts.ts";
import type { InputPart } from "../../../worker/routing/hop.ts";

const intents = (label: string) => [{ label, examples: [`${label} please`] }];
const config = loadConfig({
  specialists: [
    // accepts anything by its modes, but an http endpoint carries no file
    { id: "any", endpoint: { type: "http", url: "https://a.example/" }, intents: intents("any"), capabilities: { inputModes: ["*/*"] } },
    // takes JSON data only, by its modes; text is taken anyway
    { id: "jsonly", endpoint: { type: "http", url: "https://j.example/" }, intents: intents("jsonly"), capabilities: { inputModes: ["application/json"] } },
    // a chat model that takes images alone by its modes
    { id: "eyes", endpoint: { type: "openai-chat", url: "https://o.example/v1", model: "m" }, intents: intents("eyes"), capabilities: { inputModes: ["image/*"], vision: true } },
  ],
});
const s = (id: string) => config.specialists.find((x) => x.id === id)!;
const pdf: InputPart = { kind: "file", url: "https://f.example/a.pdf", mediaType: "application/pdf" };
const png: InputPart = { kind: "file", bytes: "iVBORw0KGgo=", mediaType: "image/png" };

describe("partUnable", () => {
  it("text is taken by every specialist, whatever its input modes say", () => {
    expect(partUnable(s("jsonly"), { kind: "text", text: "hi" })).toBeUndefined();
    expect(partUnable(s("eyes"), { kind: "text", text: "hi", mediaType: "text/markdown" } as InputPart)).toBeUndefined();
  });

  it("a file its modes accept still needs an endpoint that carries it", () => {
    expect(partUnable(s("any"), pdf)).toBe("'any' cannot take a application/pdf file: a http endpoint carries text and JSON data, not files");
    expect(partUnable(s("any"), { kind: "data", data: { a: 1 } })).toBeUndefined();
    expect(partUnable(s("eyes"), png)).toBeUndefined();
    expect(partUnable(s("eyes"), { kind: "data", data: 1 })).toBe("'eyes' does not accept application/json (its input modes: image/*)");
  });

  it("partsUnable names the first part a specialist cannot take", () => {
    expect(partsUnable([{ kind: "text", text: "x" }, { kind: "data", data: 1 }, pdf])(s("any"))).toEqual({
      param: "message.parts.2",
      detail: "'any' cannot take a application/pdf file: a http endpoint carries text and JSON data, not files",
    });
    expect(partsUnable([])(s("any"))).toBeUndefined();
  });

  it("a file without a media type is octet-stream", () => {
    expect(partMediaType({ kind: "file", url: "https://f.example/x" })).toBe(UNKNOWN_FILE_TYPE);
  });
});

describe("chatMessages", () => {
  it("keeps text, data and images in order; drops other files; bytes or nothing become a data: URL", () => {
    expect(chatMessages([{ kind: "text", text: "look" }, pdf, png, { kind: "file", mediaType: "image/gif" } as InputPart])).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "data:image/gif;base64," } },
        ],
      },
    ]);
  });

  it("no image, no conversation", () => {
    expect(chatMessages([pdf, { kind: "data", data: {} }])).toBeUndefined();
    expect(chatMessages([])).toBeUndefined();
  });
});
