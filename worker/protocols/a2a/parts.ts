/**
 * The parts of a message sent to the A2A front door: what each part is (its media
 * type), which specialists accept it (their input modes, config/input-modes.ts), how a
 * hop carries it, and the ContentTypeNotSupported refusal (-32005) when no specialist
 * that could serve the message accepts it. Nothing is dropped: every part reaches the
 * specialist (text and data as the hop's input, all parts as sent to an `a2a`
 * specialist, images as `image_url` parts to a chat model that takes images) or the
 * message is refused. Pure.
 */
import type { Specialist } from "../../config/schema.ts";
import { accepts } from "../../config/input-modes.ts";
import type { Unable } from "../../routing/decide.ts";
import type { ChatMessage } from "../../routing/hop.ts";
import { chatMessages, partMediaType, partsUnable, partUnable } from "../../routing/input-parts.ts";
import { RPC, RpcFailure } from "./jsonrpc.ts";
import type { Part } from "./wire.ts";
import { takesHops } from "../../routing/capabilities.ts";

export { chatMessages, partMediaType, partsUnable, partUnable, UNKNOWN_FILE_TYPE } from "../../routing/input-parts.ts";

/** A part the router refuses, and why: -32005 (ContentTypeNotSupported) or -32602 (a malformed file). */
export interface PartRefusal {
  code: "content_type" | "invalid";
  /** Index of the part in `message.parts`. */
  index: number;
  mediaType: string;
  detail: string;
}

/** Base64 (standard or URL-safe alphabet, as ProtoJSON `bytes` reads it). */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A file part the router cannot pass on as it stands: bytes that are not base64, a URL that is not absolute. */
function malformed(parts: readonly Part[]): PartRefusal | undefined {
  for (const [index, p] of parts.entries()) {
    if (p.kind !== "file") continue;
    const mediaType = partMediaType(p);
    if (p.bytes !== undefined && !BASE64.test(p.bytes)) return { code: "invalid", index, mediaType, detail: `message.parts.${index}: the file's bytes are not base64` };
    if (p.url !== undefined && !URL.canParse(p.url)) return { code: "invalid", index, mediaType, detail: `message.parts.${index}: the file's url is not an absolute URL` };
  }
  return undefined;
}

/**
 * Whether the message's parts can be served: undefined when some specialist that may
 * serve it takes every part, else the refusal naming a part. Pinned: that specialist
 * must take them all (an unknown one is left to routing's 404). Routed: some registered
 * specialist must (routing then skips those that cannot); the part named is one no
 * specialist takes, else the first the cheapest specialist cannot.
 *
 * @example
 * refuseParts([{ kind: "file", url: "https://x/a.pdf", mediaType: "application/pdf" }], registry, "units")
 * // { code: "content_type", index: 0, mediaType: "application/pdf", detail: "'units' does not accept application/pdf (its input modes: text/plain, application/json)" }
 */
export function refuseParts(parts: readonly Part[], registry: ReadonlyMap<string, Specialist>, pinned: string | undefined): PartRefusal | undefined {
  const bad = malformed(parts);
  if (bad) return bad;
  if (parts.every((p) => p.kind === "text")) return undefined;
  const refusal = (s: Specialist): PartRefusal | undefined => {
    for (const [index, p] of parts.entries()) {
      const why = partUnable(s, p);
      if (why) return { code: "content_type", index, mediaType: partMediaType(p), detail: why };
    }
    return undefined;
  };
  if (pinned !== undefined) {
    const s = registry.get(pinned);
    return s ? refusal(s) : undefined;
  }
  const all = [...registry.values()].filter(takesHops).sort((a, b) => a.costPerCall - b.costPerCall);
  if (all.some((s) => !refusal(s))) return undefined;
  for (const [index, p] of parts.entries())
    if (!all.some((s) => !partUnable(s, p))) return { code: "content_type", index, mediaType: partMediaType(p), detail: `no specialist accepts ${partMediaType(p)} parts` };
  // each part has a taker, but no one specialist takes them all
  const first = all[0] && refusal(all[0]);
  return first && { ...first, detail: `no one specialist accepts every part: ${first.detail}` };
}

/**
 * A client's `configuration.acceptedOutputModes` the router cannot answer in: every
 * answer has a text/plain and an application/json part, so at least one of them (or a
 * range holding it) must be accepted. Undefined (or empty: anything) is fine.
 */
export function refuseOutputModes(accepted: readonly string[] | undefined): PartRefusal | undefined {
  if (!accepted?.length) return undefined;
  if (["text/plain", "application/json"].some((m) => accepts(accepted, m))) return undefined;
  return { code: "content_type", index: -1, mediaType: accepted.join(", "), detail: `configuration.acceptedOutputModes: the answers are text/plain and application/json, and none of ${accepted.join(", ")} takes them` };
}

/**
 * The hop's input text: the text parts and the data parts (as JSON), in order, one per
 * line. Files are not text: they travel as parts (an `a2a` specialist) or as
 * `image_url` parts ({@link chatMessages}).
 *
 * @example
 * messageInput([{ kind: "text", text: "total these" }, { kind: "data", data: { a: 1 } }]) // 'total these\n{"a":1}'
 */
export function messageInput(parts: readonly Part[]): string {
  return parts
    .flatMap((p) => (p.kind === "text" ? [p.text] : p.kind === "data" ? [JSON.stringify(p.data)] : []))
    .join("\n")
    .trim();
}

/** What a hop of this message needs from routing: its input, its parts, a conversation for images, and who can take it. */
export interface HopParts {
  input: string;
  parts: Part[];
  messages?: ChatMessage[];
  unable?: (s: Specialist) => Unable | undefined;
}

/** The hop of a message's parts (checked first with {@link refuseParts}). */
export function hopParts(parts: Part[]): HopParts {
  const messages = chatMessages(parts);
  const onlyText = parts.every((p) => p.kind === "text");
  return { input: messageInput(parts), parts, ...(messages ? { messages } : {}), ...(onlyText ? {} : { unable: partsUnable(parts) }) };
}

/** A refusal as the JSON-RPC error to throw: -32005 ContentTypeNotSupported, or -32602 for a malformed file. */
export function partsFailure(r: PartRefusal): RpcFailure {
  const where = r.index >= 0 ? { partIndex: r.index, mediaType: r.mediaType } : { mediaType: r.mediaType };
  if (r.code === "invalid") return new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${r.detail}`, { errors: [{ path: `message.parts.${r.index}`, message: r.detail }] });
  const which = r.index >= 0 ? `part ${r.index} (${r.mediaType})` : r.mediaType;
  return new RpcFailure(RPC.CONTENT_TYPE_NOT_SUPPORTED, `Content type not supported (incompatible content types): ${which}: ${r.detail}`, where);
}

/**
 * The parts of a SendMessage as one hop needs them, or a thrown refusal: output modes the
 * router cannot answer in, a malformed file, a part no specialist that may serve it accepts.
 */
export function carryParts(p: { message: { parts: Part[] }; configuration?: { acceptedOutputModes?: string[] | undefined } | undefined }, registry: ReadonlyMap<string, Specialist>, pinned: string | undefined): HopParts {
  const refused = refuseOutputModes(p.configuration?.acceptedOutputModes) ?? refuseParts(p.message.parts, registry, pinned);
  if (refused) throw partsFailure(refused);
  return hopParts(p.message.parts);
}
