/**
 * The `general` skill: the router's fallback. Answers greetings, thanks,
 * requests for help and a little small talk, and otherwise says that no specialist matched, echoing
 * the key terms of the request and listing what the specialists can do.
 * Always succeeds.
 */
import { CATALOG, type SpecialistInfo } from "./catalog.ts";
import { contentWords } from "./text.ts";

export type GeneralKind = "greeting" | "thanks" | "farewell" | "help" | "smalltalk" | "fallback";

export interface GeneralResult {
  ok: true;
  text: string;
  kind: GeneralKind;
  keyTerms: string[];
  specialists: SpecialistInfo[];
}

const FILLER = new Set(["tell", "know", "want", "need", "get", "give", "show", "thing", "things", "something", "anything", "think", "let", "lets", "hey", "hi", "hello", "thanks", "ok", "okay", "yeah", "maybe", "kind", "sort"]);

const PATTERNS: Array<[GeneralKind, RegExp]> = [
  ["thanks", /^(?:(?:ok(?:ay)?|great|cool|perfect|awesome)[,!.]?\s+)?(?:thanks|thank you|thx|ty|cheers|much appreciated)\b/u],
  ["farewell", /^(?:bye|goodbye|good bye|see you|see ya|cya|good night|later|farewell)\b/u],
  [
    "help",
    /\b(?:help|what can you do|what do you do|what are you|who are you|capabilit(?:y|ies)|commands?|how does (?:this|it) work|how do i use|what (?:kinds? of |sort of )?(?:questions|things) can i ask|what can i (?:ask|say|type)|what should i (?:ask|say|type)|what to ask|examples?|skills|features|specialists|manual|instructions|overview|menu)\b/u,
  ],
  ["greeting", /^(?:hi|hello|hey|hiya|howdy|yo|greetings|hey there|good (?:morning|afternoon|evening|day)|what's up|whats up|sup)\b/u],
];

/**
 * Up to `limit` distinct content words of `text`, in order of appearance.
 *
 * @example
 * keyTerms("Who won the football game last night?") // ["won", "football", "game", "last", "night"]
 */
export function keyTerms(text: string, limit = 5): string[] {
  const out: string[] = [];
  for (const w of contentWords(text)) {
    if (FILLER.has(w) || out.includes(w)) continue;
    out.push(w);
    if (out.length === limit) break;
  }
  return out;
}

/** Canned small-talk replies, matched in order. */
const SMALL_TALK: ReadonlyArray<[RegExp, string]> = [
  [/\bjoke\b/u, "Here's one: I asked the router for a joke, and it sent me to the general specialist. So here I am."],
  [/\b(?:how are you|how's it going|hows it going|how are things|how do you do|how have you been)\b/u, "I'm running smoothly, thanks for asking!"],
  [/\b(?:are you (?:a |an )?(?:robot|bot|ai|human|person|real|machine)|are you alive)\b/u, "I'm a small rule-based program running on Cloudflare Workers: no language model, just parsers and word counts."],
  [/\b(?:your name|who made you|who built you)\b/u, "I'm the Switchyard demo assistant, a set of example specialists behind the Switchyard router."],
  [/\b(?:nice to meet you|pleased to meet you)\b/u, "Nice to meet you too!"],
  [/\b(?:you(?:'re| are) (?:awesome|great|cool|amazing|smart|helpful)|good job|well done|^(?:ok|okay)?\s*(?:cool|nice|great|awesome)$)/u, "Glad to help!"],
  [/\b(?:i'm bored|im bored|i am bored)\b/u, "Bored? Try me with a puzzle: how many days until Halloween, or what is 2^20?"],
];

const menu = (list: readonly SpecialistInfo[]): string =>
  list
    .filter((s) => s.name !== "general")
    .map((s) => `- ${s.name}: ${s.description} (e.g. "${s.example}")`)
    .join("\n");

/**
 * Replies to anything.
 *
 * @example
 * general("hello!").kind                       // "greeting"
 * general("tell me a joke about penguins").text // starts "I couldn't match that to a specialist. You mentioned: joke, penguins. …"
 */
export function general(input: string): GeneralResult {
  const text = input.trim().toLowerCase().replace(/’/gu, "'");
  const smallTalk = SMALL_TALK.find(([re]) => re.test(text))?.[1];
  const kind = PATTERNS.find(([, re]) => re.test(text))?.[0] ?? (smallTalk === undefined ? "fallback" : "smalltalk");
  const terms = keyTerms(text);
  const list = [...CATALOG];
  const options = `Here is what I can do:\n${menu(list)}`;
  let reply: string;
  switch (kind) {
    case "greeting":
      reply = `Hello! I'm the Switchyard demo assistant. ${options}`;
      break;
    case "thanks":
      reply = "You're welcome! Ask me another question any time.";
      break;
    case "farewell":
      reply = "Goodbye! Come back any time you need a calculation, a conversion or a date.";
      break;
    case "help":
      reply = `I route each request to a specialist. ${options}`;
      break;
    case "smalltalk":
      reply = `${smallTalk ?? ""} If you need something, ask me about math, units, dates or a text.`;
      break;
    case "fallback":
      reply = `I couldn't match that to a specialist.${terms.length > 0 ? ` You mentioned: ${terms.join(", ")}.` : ""} ${options}`;
      break;
  }
  return { ok: true, text: reply, kind, keyTerms: terms, specialists: list };
}
