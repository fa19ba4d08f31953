import { describe, expect, it } from "vitest";
import { functionTools } from "../../../../worker/protocols/gemini/tools.ts";

/** The edges of the tool rules: null as absent, members of the wrong type, choices that only look like allowed_tools. */
const fn = (name: unknown, extra: Record<string, unknown> = {}) => ({ type: "function", function: { name, ...extra } });
function ok(tools: unknown, choice?: unknown) {
  const t = functionTools(tools, choice);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
}
function refused(tools: unknown, choice?: unknown): { param: string; detail: string } {
  const t = functionTools(tools, choice);
  if (t.ok) throw new Error(`not refused: ${JSON.stringify(t.value)}`);
  return { param: t.param, detail: t.detail };
}

describe("functionTools", () => {
  it("null tools and a null tool_choice are absent", () => {
    expect(ok(null, null)).toEqual({});
    expect(ok([fn("f")], null)).toEqual({ tools: [{ functionDeclarations: [{ name: "f" }] }] });
  });

  it("a tool that is not an object, or not a function tool, is refused saying which", () => {
    expect(refused([null])).toEqual({ param: "tools.0", detail: "Gemini takes only function tools ('tools.0' is not a tool)" });
    expect(refused([fn("f"), { type: "custom", custom: { name: "g" } }])).toEqual({ param: "tools.1", detail: "Gemini takes only function tools ('tools.1' is a 'custom' tool)" });
  });

  it("a function name must be a string", () => {
    expect(refused([fn(["get"])]).param).toBe("tools.0.function.name");
  });

  it("a strict schema's refusal names the keyword Gemini does not enforce", () => {
    expect(refused([fn("f", { strict: true, parameters: { type: "object", properties: { email: { type: "string", pattern: "@" } } } })])).toEqual({
      param: "tools.0.function.parameters.properties.email.pattern",
      detail: "Gemini does not enforce 'pattern', so the strict schema cannot be honoured ('tools.0.function.parameters.properties.email.pattern')",
    });
  });

  it("a description that is not a string, and absent parameters, are not sent", () => {
    const d = ok([fn("f", { description: 7 })]).tools![0]!.functionDeclarations![0]!;
    expect(d).toEqual({ name: "f" });
    expect(d).not.toHaveProperty("parametersJsonSchema");
    expect(d).not.toHaveProperty("description");
  });

  it("only a choice of type allowed_tools allows tools", () => {
    expect(refused([fn("f")], { type: "custom", allowed_tools: { mode: "auto", tools: [fn("f")] } }).param).toBe("tool_choice");
  });

  it("allowed_tools: each entry must be a declared function tool", () => {
    const choice = (tools: unknown[]) => ({ type: "allowed_tools", allowed_tools: { mode: "required", tools } });
    expect(ok([fn("f"), fn("g")], choice([fn("g")])).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["g"] } });
    expect(refused([fn("f")], choice([null])).param).toBe("tool_choice.allowed_tools.tools.0");
    expect(refused([fn("f")], choice([fn("f"), { type: "custom", function: { name: "f" } }])).param).toBe("tool_choice.allowed_tools.tools.1");
  });
});
