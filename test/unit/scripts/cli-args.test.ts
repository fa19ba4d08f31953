import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { parseArgsProblem, parseCommandLine } from "../../../scripts/lib/cli-args.ts";

const options = { html: { type: "string" }, json: { type: "boolean", default: false } } as const;

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("parseArgsProblem", () => {
  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [["--html"], "Option '--html <value>' argument missing"],
    [["stray"], "Unexpected argument 'stray'."],
    [["--json=1"], "Option '--json' does not take an argument"],
    [["--html", "--json"], "Option '--html' argument is ambiguous. Did you forget to specify the option argument for '--html'?"],
  ])("%j → one line naming the option: %s", (args, line) => {
    const problem = parseArgsProblem(thrown(() => parseArgs({ options, args })));
    expect(problem).toBe(line);
    expect(problem).not.toContain("\n");
  });
  it("drops node's hint about positionals after `--` (these commands take none)", () => {
    const e = Object.assign(new TypeError("Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\""), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" });
    expect(parseArgsProblem(e)).toBe("Unknown option '--bogus'.");
  });
  it("is undefined for any other error", () => {
    expect(parseArgsProblem(new TypeError("boom"))).toBeUndefined();
    expect(parseArgsProblem("boom")).toBeUndefined();
    expect(parseArgsProblem(undefined)).toBeUndefined();
  });
});

describe("parseCommandLine", () => {
  it("gives the values of a good command line", () => {
    expect(parseCommandLine({ options, args: ["--json", "--html", "a.html"] }, "usage").values).toEqual({ json: true, html: "a.html" });
  });
  it("on a bad one, prints the problem and the usage (no stack), then exits 2", () => {
    const printed: string[] = [];
    const exit = (code: number): never => {
      throw Object.assign(new Error("exit"), { exitCode: code });
    };
    const e = thrown(() => parseCommandLine({ options, args: ["--html"] }, "usage: x [--json] [--html FILE]", { error: (t) => printed.push(t), exit }));
    expect((e as { exitCode?: number }).exitCode).toBe(2);
    expect(printed).toEqual(["Option '--html <value>' argument missing\nusage: x [--json] [--html FILE]"]);
  });
  it("--help or -h (anywhere) prints the usage on stdout and exits 0, even next to a bad option", () => {
    for (const args of [["--help"], ["-h"], ["--json", "--help"], ["--bogus", "-h"]]) {
      const out: string[] = [];
      const errors: string[] = [];
      const exit = (code: number): never => {
        throw Object.assign(new Error("exit"), { exitCode: code });
      };
      const e = thrown(() => parseCommandLine({ options, args }, "usage: x", { error: (t) => errors.push(t), exit }, { print: (t) => out.push(t), exit }));
      expect((e as { exitCode?: number }).exitCode, args.join(" ")).toBe(0);
      expect([out, errors]).toEqual([["usage: x"], []]);
    }
  });
});
