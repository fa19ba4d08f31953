/**
 * `node bench/screening.ts [--ms N]`: in-process micro-benchmark of prompt-injection
 * screening on a chat hop, in plain Node: the current screening (worker/policy/screening.ts)
 * against the reference it replaced (test/support/screening-reference.ts: the client's
 * last message screened again inside the JSON of its whole body, the reply as the JSON
 * of the whole output object, three views per text). Both run in the same process,
 * interleaved in rounds, so the ratio holds on a loaded machine even when the µs do not.
 */
import { parseArgs } from "node:util";
import { screen, screenableText, screeningText } from "../worker/policy/screening.ts";
import { referenceScreen, referenceScreenableText } from "../test/support/screening-reference.ts";
import { CHAT_MESSAGE } from "./chat.ts";

/** One hop's untrusted content: what the chat door screens before the call, and the specialist's output after it. */
export interface HopContent {
  name: string;
  input: string;
  body: Record<string, unknown>;
  output: unknown;
}

/** The output of an `openai-chat` specialist (worker/protocols/openai/wire.ts `outputOf`): text, message and completion share the reply. */
function chatOutput(content: string, model: string): unknown {
  const message = { role: "assistant", content, refusal: null };
  const completion = {
    id: "chatcmpl-8f3a2c1d9e7b6a5f4e3d2c1b",
    object: "chat.completion",
    created: 1767225600,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 412, completion_tokens: 168, total_tokens: 580, prompt_tokens_details: { cached_tokens: 0 } },
    system_fingerprint: "fp_44709d6fcb",
  };
  return { text: content, message, finishReason: "stop", completion };
}

const SYSTEM = `You are the travel desk's assistant for Example Corp employees.
Answer questions about trips, distances, time zones and local customs.
Rules:
- Be concise: at most five sentences unless the user asks for detail.
- Use metric units first, with imperial in brackets.
- If you don't know, say so; don't make up opening hours or prices.`;

const REPLY = `Canberra is Australia's capital — not Sydney or Melbourne, which is a common mix-up.
It's a planned city of roughly 470,000 people (the wider region is closer to 480,000), and it's home to Parliament House, the High Court and most federal departments.
Sydney (about 5.3 million) and Melbourne (about 5.2 million) are far larger.
If you're planning a visit, spring (September–November) is a good time: the Floriade flower festival runs then.`;

/** The bench's own chat hop (bench/chat.ts `chat-router`), and a conversation of the usual shape: a system prompt, earlier turns, sampling fields. */
export const HOPS: HopContent[] = [
  {
    name: "bench chat hop (one short message)",
    input: CHAT_MESSAGE,
    body: { model: "auto", messages: [{ role: "user", content: CHAT_MESSAGE }] },
    output: chatOutput(`[bench-chat] heard: ${CHAT_MESSAGE}`, "bench-chat"),
  },
  {
    name: "conversation (system prompt, 2 turns, 2 KB)",
    input: "And how does that compare with the population of New Zealand's capital? A rough figure is fine.",
    body: {
      model: "auto",
      temperature: 0.3,
      max_tokens: 600,
      user: "employee-4821",
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: "What's the capital of Australia, and roughly how many people live there?" },
        { role: "assistant", content: REPLY },
        { role: "user", content: "And how does that compare with the population of New Zealand's capital? A rough figure is fine." },
      ],
    },
    output: chatOutput(
      "Wellington, New Zealand's capital, has about 215,000 people in the city proper (around 440,000 in the wider Wellington region).\nSo Canberra is roughly twice the size of Wellington city, while the two metropolitan regions are of a similar order.",
      "gpt-4o-mini",
    ),
  },
];

/** µs per call of `fn`, over `n` calls. */
function timeEach(fn: () => unknown, n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / 1e3 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export interface ScreeningMicro {
  name: string;
  /** µs per hop (input and output screened), medians over the rounds. */
  referenceUs: number;
  currentUs: number;
  /** current ÷ reference, the median of the rounds' own ratios. */
  ratio: number;
}

/** Interleaved rounds of the reference and the current screening of each hop's input and output, for about `maxMs`. */
export function runScreeningMicro(maxMs: number): ScreeningMicro[] {
  return HOPS.map((hop) => {
    const reference = () => {
      referenceScreen(`${hop.input}\n\n${referenceScreenableText(hop.body)}`, 1);
      referenceScreen(referenceScreenableText(hop.output), 1);
    };
    const current = () => {
      screen(screeningText(hop.input, hop.body), 1);
      screen(screenableText(hop.output), 1);
    };
    for (let i = 0; i < 2_000; i++) reference(), current(); // JIT warm-up
    const n = 500;
    const refs: number[] = [];
    const curs: number[] = [];
    const ratios: number[] = [];
    const deadline = performance.now() + maxMs / HOPS.length;
    for (let round = 0; round < 9 || (performance.now() < deadline && round < 200); round++) {
      const first = round % 2 === 0;
      const a = timeEach(first ? reference : current, n);
      const b = timeEach(first ? current : reference, n);
      const [r, c] = first ? [a, b] : [b, a];
      refs.push(r);
      curs.push(c);
      ratios.push(c / r);
    }
    return { name: hop.name, referenceUs: median(refs), currentUs: median(curs), ratio: median(ratios) };
  });
}

/** The lines the bench prints. */
export function screeningLines(results: ScreeningMicro[]): string[] {
  return results.map((r) => `screening, ${r.name}: ${r.currentUs.toFixed(2)} µs per hop (input + output), reference ${r.referenceUs.toFixed(2)} µs → ${r.ratio.toFixed(2)}×`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { ms: { type: "string", default: "3000" } } });
  console.log("== Screening micro-benchmark (in-process Node): current vs the reference (JSON of the whole body and reply, three views per text) ==");
  for (const line of screeningLines(runScreeningMicro(Number(values.ms)))) console.log(line);
}
