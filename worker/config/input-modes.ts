/**
 * Input modes: the media types a specialist accepts in a message's parts (A2A's
 * `inputModes`), and which of them its endpoint type can carry. Pure: config
 * validation, the agent card and the A2A front door read the same rules.
 *
 * | endpoint type                                   | can carry                                                              |
 * |-------------------------------------------------|------------------------------------------------------------------------|
 * | `a2a`                                           | any part, as an A2A part                                               |
 * | `openai-chat`, `anthropic`, `gemini`, `workers-ai` | text, data (as JSON text), `image/*` files as `image_url` parts (with `capabilities.vision`) |
 * | `service`, `http`                               | text and data (as JSON text)                                           |
 */
import type { Endpoint } from "./endpoints.ts";

/** What every specialist takes unless it declares otherwise: text, and structured data as JSON. */
export const DEFAULT_INPUT_MODES: readonly string[] = ["text/plain", "application/json"];

/** A media type or a range (`image/*`, `*\/*`), RFC 9110 §8.3.1 tokens, no parameters. */
export const MEDIA_RANGE = /^(?:\*\/\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/(?:\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}))$/;

const CHAT_MODELS: ReadonlySet<Endpoint["type"]> = new Set(["openai-chat", "anthropic", "gemini", "workers-ai"]);

/** Whether an endpoint type speaks a chat model's format (its conversation can hold `image_url` parts). */
export const isChatModel = (type: Endpoint["type"]): boolean => CHAT_MODELS.has(type);

/** A media type without parameters, lowercased (`Image/PNG; q=1` → `image/png`). */
export const bareMediaType = (m: string): string => m.split(";")[0]!.trim().toLowerCase();

/**
 * Whether `mediaType` falls in `range` (`image/png` in `image/*`, anything in `*\/*`).
 *
 * @example
 * inRange("image/png", "image/*") // true
 * inRange("image/png", "text/plain") // false
 */
export function inRange(mediaType: string, range: string): boolean {
  const m = bareMediaType(mediaType);
  const r = bareMediaType(range);
  if (r === "*/*" || r === m) return true;
  return r.endsWith("/*") && m.startsWith(r.slice(0, -1));
}

/** Whether any of `modes` takes `mediaType`. */
export const accepts = (modes: readonly string[], mediaType: string): boolean => modes.some((r) => inRange(mediaType, r));

/** The parts of a specialist these rules read. */
export interface ModesOf {
  endpoint: { type: Endpoint["type"] };
  capabilities?: { inputModes?: readonly string[] | undefined; vision?: boolean | undefined } | undefined;
}

/** Chat models whose API takes images by default (routing/capabilities.ts: vision). */
const VISION_BY_DEFAULT: ReadonlySet<Endpoint["type"]> = new Set(["anthropic", "gemini"]);

/** Whether a chat-model specialist takes images (its declared `vision`, else its type's default). */
const sees = (s: ModesOf): boolean => s.capabilities?.vision ?? VISION_BY_DEFAULT.has(s.endpoint.type);

/**
 * The input modes of a specialist: the ones it declares (`capabilities.inputModes`), else
 * text and JSON, plus `image/*` for a chat model that takes images.
 *
 * @example
 * inputModesOf({ endpoint: { type: "http" } })                                        // ["text/plain", "application/json"]
 * inputModesOf({ endpoint: { type: "openai-chat" }, capabilities: { vision: true } }) // ["text/plain", "application/json", "image/*"]
 */
export function inputModesOf(s: ModesOf): readonly string[] {
  const declared = s.capabilities?.inputModes;
  if (declared) return declared;
  return isChatModel(s.endpoint.type) && sees(s) ? [...DEFAULT_INPUT_MODES, "image/*"] : DEFAULT_INPUT_MODES;
}

/**
 * Why a specialist's endpoint cannot carry a file part of `mediaType`, or undefined when
 * it can: `a2a` carries any file; a chat model carries images, when it takes images;
 * `service` and `http` carry no file.
 */
export function fileCarriage(s: ModesOf, mediaType: string): string | undefined {
  const type = s.endpoint.type;
  if (type === "a2a") return undefined;
  if (isChatModel(type)) {
    if (!inRange(mediaType, "image/*")) return `a ${type} endpoint carries image files only (as image_url parts)`;
    return sees(s) ? undefined : `a ${type} endpoint carries images only with capabilities.vision`;
  }
  return `a ${type} endpoint carries text and JSON data, not files`;
}

/**
 * A declared input mode the endpoint type can never carry (a config mistake), or undefined:
 * text and JSON are carried by all; other types only by `a2a`, and images by chat models.
 */
export function uncarriedMode(s: ModesOf, mode: string): string | undefined {
  if (DEFAULT_INPUT_MODES.some((m) => inRange(m, mode))) return undefined;
  if (s.endpoint.type === "a2a") return undefined;
  if (isChatModel(s.endpoint.type) && inRange(mode, "image/*")) return undefined;
  return `a ${s.endpoint.type} endpoint cannot carry '${mode}' parts (${isChatModel(s.endpoint.type) ? "chat models take text, JSON and images" : "it takes text and JSON"})`;
}
