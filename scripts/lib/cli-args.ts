/**
 * The command lines of scripts/eval.ts and bench/run.ts: node:util's parseArgs, but a bad
 * one (an unknown option, an option without its value, a stray argument) gets one line
 * naming the option and the usage on stderr and exit code 2, not parseArgs's TypeError
 * and its stack.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * The one-line message of a parseArgs error (its `code` is `ERR_PARSE_ARGS_…`), or undefined
 * for any other error. Node's hints about positionals are dropped: these commands take none.
 */
export function parseArgsProblem(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_") || !(e instanceof Error)) return undefined;
  return e.message
    .split(/(?<=[.?])\s+|\n/)
    .filter((s) => s && !/^(To specify|This command does not take)/.test(s))
    .join(" ");
}

/** Where a bad command line is reported, and how the process ends (tests replace them). */
export interface UsageIo {
  error: (text: string) => void;
  exit: (code: number) => never;
}

const io: UsageIo = { error: (text) => console.error(text), exit: (code) => process.exit(code) };

/** A refused command line: `problem` and `usage` on stderr, exit code 2. */
export function usageError(problem: string, usage: string, o: UsageIo = io): never {
  o.error(`${problem}\n${usage}`);
  return o.exit(2);
}

/** Where `--help` goes (stdout), and how it ends (exit 0); tests replace them. */
export interface HelpIo {
  print: (text: string) => void;
  exit: (code: number) => never;
}

const helpIo: HelpIo = { print: (text) => console.log(text), exit: (code) => process.exit(code) };

/**
 * parseArgs (strict, process.argv by default); on a bad command line {@link usageError} with its one-line problem.
 * `--help` or `-h` among the arguments prints the usage on stdout and exits 0.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string, o: UsageIo = io, help: HelpIo = helpIo): ReturnType<typeof parseArgs<T>> {
  const argv = config.args ?? process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    help.print(usage);
    return help.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    const problem = parseArgsProblem(e);
    if (problem === undefined) throw e;
    return usageError(problem, usage, o);
  }
}
