/**
 * The parts of a client's message beyond its text (A2A's parts: data, files), as
 * routing and task steps need them: each part's media type, which specialists can take
 * it (their input modes, config/input-modes.ts, and an endpoint that carries it), and a
 * chat model's conversation for images. Protocol-neutral and pure; the A2A front door's
 * refusals (-32005) are worker/protocols/a2a/parts.ts.
 */
import type { Specialist } from "../config/schema.ts";
import { accepts, bareMediaType, fileCarriage, inputModesOf } from "../config/input-modes.ts";
import type { Unable } from "./decide.ts";
import type { ChatMessage, InputPart } from "./hop.ts";

type Part = InputPart;

/** The media type of a file part that names none (RFC 2046 §4.5.1). */
export const UNKNOWN_FILE_TYPE = "application/octet-stream";

/** The media type a part is checked against: text/plain, application/json, or a file's (octet-stream when unnamed). */
export function partMediaType(p: Part): string {
  if (p.kind === "text") return "text/plain";
  if (p.kind === "data") return "application/json";
  return p.mediaType ? bareMediaType(p.mediaType) : UNKNOWN_FILE_TYPE;
}

/**
 * Why `s` cannot take part `p`, or undefined when it can. Text is taken by every
 * specialist (a text part's `mediaType` is passed on, not checked); data needs
 * `application/json` in its input modes; a file needs its media type in them and an
 * endpoint that carries files of that type.
 */
export function partUnable(s: Specialist, p: Part): string | undefined {
  if (p.kind === "text") return undefined;
  const mediaType = partMediaType(p);
  const modes = inputModesOf(s);
  if (!accepts(modes, mediaType)) return `'${s.id}' does not accept ${mediaType} (its input modes: ${modes.join(", ")})`;
  const carriage = p.kind === "file" ? fileCarriage(s, mediaType) : undefined;
  return carriage && `'${s.id}' cannot take a ${mediaType} file: ${carriage}`;
}

/** For routing (`HopRequest.unable`): the first part `s` cannot take, as `message.parts.<i>`. */
export function partsUnable(parts: readonly Part[]): (s: Specialist) => Unable | undefined {
  return (s) => {
    for (const [i, p] of parts.entries()) {
      const why = partUnable(s, p);
      if (why) return { param: `message.parts.${i}`, detail: why };
    }
    return undefined;
  };
}

/**
 * The message as a chat model's conversation, when it holds an image: one user turn
 * whose content is its parts in order (text, data as JSON text, images as `image_url`:
 * the URL, or a `data:` URL of the bytes). Undefined without images: chat models then
 * take the input text as usual.
 */
export function chatMessages(parts: readonly Part[]): ChatMessage[] | undefined {
  if (!parts.some((p) => p.kind === "file" && accepts(["image/*"], partMediaType(p)))) return undefined;
  const content = parts.flatMap((p): Record<string, unknown>[] => {
    if (p.kind === "text") return [{ type: "text", text: p.text }];
    if (p.kind === "data") return [{ type: "text", text: JSON.stringify(p.data) }];
    const url = p.url ?? `data:${partMediaType(p)};base64,${p.bytes ?? ""}`;
    return accepts(["image/*"], partMediaType(p)) ? [{ type: "image_url", image_url: { url } }] : [];
  });
  return [{ role: "user", content: content as ChatMessage["content"] }];
}

