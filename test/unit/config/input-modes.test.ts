import { describe, expect, it } from "vitest";
import { accepts, DEFAULT_INPUT_MODES, fileCarriage, inputModesOf, inRange, MEDIA_RANGE, uncarriedMode } from "../../../worker/config/input-modes.ts";
import { loadConfig } from "../../../worker/config/load.ts";

const http = { endpoint: { type: "http" as const } };
const chat = (vision?: boolean) => ({ endpoint: { type: "openai-chat" as const }, ...(vision === undefined ? {} : { capabilities: { vision } }) });

describe("input modes", () => {
  it("media ranges: exact, type/*, */*; parameters and case ignored", () => {
    expect(inRange("image/png", "image/*")).toBe(true);
    expect(inRange("Image/PNG; q=1", "image/png")).toBe(true);
    expect(inRange("image/png", "*/*")).toBe(true);
    expect(inRange("imagex/png", "image/*")).toBe(false);
    expect(inRange("image/png", "text/plain")).toBe(false);
    expect(accepts(DEFAULT_INPUT_MODES, "application/json")).toBe(true);
    expect(accepts(DEFAULT_INPUT_MODES, "application/pdf")).toBe(false);
    for (const ok of ["text/plain", "image/*", "*/*", "application/vnd.api+json"]) expect(MEDIA_RANGE.test(ok), ok).toBe(true);
    for (const bad of ["text", "*/plain", "text/plain; charset=utf-8", "", "a/b/c"]) expect(MEDIA_RANGE.test(bad), bad).toBe(false);
  });

  it("defaults: text and JSON; a chat model that takes images adds image/* (anthropic and gemini by default, others when they declare vision)", () => {
    expect(inputModesOf(http)).toEqual(["text/plain", "application/json"]);
    expect(inputModesOf(chat())).toEqual(["text/plain", "application/json"]);
    expect(inputModesOf(chat(true))).toEqual(["text/plain", "application/json", "image/*"]);
    expect(inputModesOf({ endpoint: { type: "anthropic" } })).toContain("image/*");
    expect(inputModesOf({ endpoint: { type: "gemini" }, capabilities: { vision: false } })).not.toContain("image/*");
    expect(inputModesOf({ endpoint: { type: "a2a" }, capabilities: { inputModes: ["application/pdf"] } })).toEqual(["application/pdf"]);
  });

  it("which endpoints carry a file: a2a any; chat models images, when they take images; service and http none", () => {
    expect(fileCarriage({ endpoint: { type: "a2a" } }, "application/pdf")).toBeUndefined();
    expect(fileCarriage(chat(true), "image/png")).toBeUndefined();
    expect(fileCarriage(chat(false), "image/png")).toMatch(/only with capabilities.vision/);
    expect(fileCarriage(chat(true), "application/pdf")).toMatch(/image files only/);
    expect(fileCarriage(http, "text/plain")).toMatch(/not files/);
  });

  it("a declared mode the endpoint can never carry is a config error, naming the path", () => {
    expect(uncarriedMode(http, "text/plain")).toBeUndefined();
    expect(uncarriedMode(http, "*/*")).toBeUndefined();
    expect(uncarriedMode(http, "image/png")).toMatch(/http endpoint cannot carry 'image\/png'/);
    expect(uncarriedMode(chat(), "image/*")).toBeUndefined();
    expect(uncarriedMode(chat(), "application/pdf")).toMatch(/chat models take text, JSON and images/);
    expect(uncarriedMode({ endpoint: { type: "a2a" } }, "application/pdf")).toBeUndefined();
    const base = { id: "s", endpoint: { type: "http", url: "https://s.example/" }, intents: [{ label: "x", examples: ["x y"] }] };
    expect(() => loadConfig({ specialists: [{ ...base, capabilities: { inputModes: ["text/plain", "image/png"] } }] })).toThrow(/specialists\.0\.capabilities\.inputModes\.1.*cannot carry 'image\/png'/s);
    expect(() => loadConfig({ specialists: [{ ...base, capabilities: { inputModes: ["pdf"] } }] })).toThrow(/a media type or range/);
    expect(loadConfig({ specialists: [{ ...base, endpoint: { type: "a2a", url: "https://a.example/" }, capabilities: { inputModes: ["application/pdf"] } }] }).specialists[0]!.capabilities?.inputModes).toEqual(["application/pdf"]);
  });
});
