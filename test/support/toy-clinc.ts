import { mulberry32 } from "../../worker/intent/hash.ts";
import { shuffled, type ClincData } from "../../scripts/lib/few-shot-data.ts";
import type { Row } from "../../scripts/lib/eval-data.ts";

/** Six intents in two domains, each with its own words; fillers shared by all. */
const INTENTS: Record<string, { domain: string; words: string[] }> = {
  balance: { domain: "bank", words: ["balance", "account", "money", "funds", "saldo"] },
  transfer: { domain: "bank", words: ["transfer", "send", "wire", "payee", "remit"] },
  freeze: { domain: "bank", words: ["freeze", "lock", "block", "suspend", "hold"] },
  flight: { domain: "travel", words: ["flight", "plane", "airport", "ticket", "boarding"] },
  hotel: { domain: "travel", words: ["hotel", "room", "suite", "checkin", "lodge"] },
  visa: { domain: "travel", words: ["visa", "passport", "embassy", "consulate", "entry"] },
};
const FILLERS = ["please", "can", "you", "my", "the", "i", "need", "want", "now", "today", "help", "with"];
const OOS_WORDS = ["weather", "recipe", "movie", "song", "joke", "poem", "football", "garden", "paint", "guitar", "planet", "ocean"];

/**
 * A tiny seeded CLINC-format set: per intent `perIntent` train rows and 20 val rows,
 * each of 2 of its words, 3 fillers and, one time in three, a word of another intent;
 * 10 out-of-scope rows in oos_train and 10 in oos_val.
 */
export function toyClinc(seed = 7, perIntent = 30): ClincData {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const names = Object.keys(INTENTS);
  const sentence = (words: readonly string[]): string => {
    const parts = [pick(words), pick(words), pick(FILLERS), pick(FILLERS), pick(FILLERS)];
    if (rng() < 1 / 3) parts.push(pick(INTENTS[pick(names)]!.words));
    return shuffled(parts, rng).join(" ");
  };
  const rows = (n: number): Row[] => names.flatMap((name) => Array.from({ length: n }, (): Row => [sentence(INTENTS[name]!.words), name]));
  const oos = (n: number): Row[] => Array.from({ length: n }, (): Row => [sentence(OOS_WORDS), "oos"]);
  return {
    train: rows(perIntent),
    oosTrain: oos(10),
    val: rows(20),
    oosVal: oos(10),
    domains: new Map(names.map((n) => [n, INTENTS[n]!.domain])),
  };
}
