/**
 * The text prompt-injection screening reads of content that is not one string
 * (worker/policy/screening.ts): a hop's input beside the client's whole body, a task's
 * goal and context, a structured output.
 */

/**
 * The strings of a value in document order: object keys and string values, at any
 * depth (no recursion); numbers, booleans and `null` carry no words. An object already
 * in `walked` (met before: a shared or circular reference) is not walked again. A
 * getter that throws (never in parsed JSON) ends the walk with the strings read so far.
 */
function stringsOf(value: unknown, walked: Set<object>): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  try {
    while (stack.length > 0) {
      const v = stack.pop();
      if (typeof v === "string") out.push(v);
      else if (typeof v === "object" && v !== null && !walked.has(v)) {
        walked.add(v);
        // Stryker disable next-line ArithmeticOperator: a start past the end reads `undefined`, passed over
        if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
        else {
          const keys = Object.keys(v);
          // Stryker disable next-line ArithmeticOperator: a start past the end reads the member `undefined` (a string met again, an object walked) and the key `undefined`, passed over
          for (let i = keys.length - 1; i >= 0; i--) stack.push((v as Record<string, unknown>)[keys[i]!], keys[i]);
        }
      }
    }
  } catch {
    // the strings read so far
  }
  return out;
}

/**
 * The text to screen of several pieces of content, each distinct string once: a string
 * as it is, starting a line (after a blank line); any other value as its strings (keys
 * and string values, in document order), joined by `, ` and set off by a comma from
 * what is around them. A string met again (a reply's text beside its message, a
 * repeated key) is screened once; a string part that is also a string of a later
 * structured part (a hop's input, the last user message of the client's body) is
 * screened there, in its place among its neighbours, starting a line as it did alone.
 *
 * Unlike JSON, strings keep their line breaks (a line-anchored signal such as `system:`
 * sees the lines inside a message) and carry no escapes, quotes or braces; `, ` between
 * them, not a line break, keeps the letters of two strings from reading as one
 * spaced-out word and a string's start from reading as a line start.
 *
 * @example
 * screeningText("hi", { messages: [{ role: "user", content: "hi" }], n: 1 }) // "messages, role, user, content,\nhi, n"
 */
export function screeningText(...parts: unknown[]): string {
  const walked = new Set<object>();
  const strings = parts.map((p) => (typeof p === "string" ? p : stringsOf(p, walked)));
  const inPlace = new Set<string>();
  const seen = new Set<string>();
  let text = "";
  // Stryker disable next-line BooleanLiteral: read only once a string was added, which sets it
  let plainBefore = false; // the last string added was a string part
  const add = (s: string, plain: boolean) => {
    if (s === "" || seen.has(s)) return;
    seen.add(s);
    const sep = plain ? (plainBefore ? "\n\n" : ",\n\n") : inPlace.has(s) ? ",\n" : ", ";
    text = text === "" ? s : `${text}${sep}${s}`;
    plainBefore = plain;
  };
  for (const p of strings) {
    if (typeof p !== "string") for (const s of p) add(s, false);
    // in a structured part: read there (in an earlier one, it was read already)
    else if (strings.some((q) => typeof q !== "string" && q.includes(p))) inPlace.add(p);
    else add(p, true);
  }
  return text;
}

/** Text of any output value, for screening: a string as it is, any other value as its strings ({@link screeningText}). */
export function screenableText(value: unknown): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut, screeningText of one string is that string
  return typeof value === "string" ? value : screeningText(value);
}
