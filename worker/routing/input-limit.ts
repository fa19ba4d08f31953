/**
 * The router's bound on one input: `router.maxInputChars`, counted as `String.length`
 * counts (UTF-16 code units). Every door checks its input with this before any work
 * (`/v1/route`, `/v1/intents`, the OpenAI chat's last user message, an A2A message, a
 * task's input), and the task engine checks each step's templated input with it, so
 * one bound holds however a text reaches the classifier or a specialist.
 *
 * Returns undefined when `text` fits, else the sentence saying why; the caller frames
 * it for its wire (a 400 problem, a JSON-RPC -32602, a failed step).
 *
 * @example
 * inputTooLong("hello", 3)                           // "input is 5 characters, more than the router's limit of 3 (router.maxInputChars)"
 * inputTooLong("hello", 3, "the last user message")  // "the last user message is 5 characters, more than …"
 * inputTooLong("hi", 3)                              // undefined
 */
export function inputTooLong(text: string, maxChars: number, what = "input"): string | undefined {
  return text.length > maxChars ? `${what} is ${text.length} characters, more than the router's limit of ${maxChars} (router.maxInputChars)` : undefined;
}
