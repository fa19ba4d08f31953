/**
 * The bundled specialists: name, path on this Worker, what each does and one
 * example request. Used by `/healthz` and by the `general` fallback's help text.
 */

export interface SpecialistInfo {
  name: string;
  path: string;
  description: string;
  example: string;
}

export const CATALOG: readonly SpecialistInfo[] = [
  { name: "arithmetic", path: "/arithmetic", description: "evaluates arithmetic, percentages and functions like sqrt or log", example: "what is 12 * (3 + 4)?" },
  { name: "units", path: "/units", description: "converts length, mass, temperature, time, data, volume, speed and area units", example: "convert 5 km to miles" },
  { name: "datetime", path: "/datetime", description: "answers weekday, date difference, date arithmetic and time-zone questions", example: "how many days between 2024-01-01 and 2024-12-25?" },
  { name: "text-stats", path: "/text-stats", description: "counts words, sentences and characters, and estimates reading time", example: "count the words in: The quick brown fox jumps over the lazy dog." },
  { name: "summarize", path: "/summarize", description: "picks the most important sentences of a text", example: "summarize in 2 sentences: <your text>" },
  { name: "general", path: "/general", description: "greetings, help, and anything the others do not cover", example: "what can you do?" },
];
