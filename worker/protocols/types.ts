/**
 * What a protocol folder (`worker/protocols/<name>/`) gives the router: the endpoint
 * type its adapter speaks (`adapters.ts` lists the adapters) and its front door (for
 * protocols clients call the router with). The registry (`registry.ts`) lists them.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Endpoint } from "../config/schema.ts";
import type { AppEnv } from "../env.ts";
import type { KeyHeader } from "../http/auth.ts";
import type { Adapter, AdapterContext, SpecialistOutcome, SpecialistRequest } from "../routing/hop.ts";

/** A path guarded like `/v1/*`: every method of it, or one. */
export type GuardedPath = string | { method: string; path: string };

/** A protocol's front door: routes clients call, with the same auth and guards as `/v1/*`. */
export interface FrontDoor {
  /** Its routes, mounted at `/` (they name their own paths). */
  routes: OpenAPIHono<AppEnv>;
  /**
   * Paths outside `/v1/*` that take the same API keys, kill switches and body limit
   * as `/v1/*` (e.g. `/a2a`), for every method, or for one method only where the path
   * serves others publicly (`{ method: "POST", path: "/" }`: `GET /` is the dashboard).
   * Public paths (an agent card) are not listed.
   */
  guardedPaths?: readonly GuardedPath[];
  /**
   * Errors on these paths answer in the protocol's own error shape (including the
   * auth and body-limit failures, so the middleware runs first).
   */
  errorShape?: { paths: readonly string[]; middleware: () => MiddlewareHandler<AppEnv> };
  /**
   * A header that carries the router key on these paths besides `Authorization: Bearer`
   * (the protocol's own clients send it there, e.g. Anthropic's `x-api-key`).
   */
  keyHeader?: KeyHeader;
}

/** One wire protocol: its name, the spec version it follows, and what it serves. */
export interface Protocol {
  name: string;
  /** The specification (and version) the folder follows, with its address. */
  spec: string;
  /** The endpoint type of the specialists it calls (its adapter is listed in `adapters.ts`). */
  endpointType?: Endpoint["type"];
  frontDoor?: FrontDoor;
}

/** How a streamed chat call is read (openai/stream.ts). */
export interface ChatStreamOptions {
  /** Longest silence between events once the stream has started, ms (the specialist's `streamIdleTimeoutMs`). */
  idleMs: number;
  /** Names the specialist in error events. */
  specialist: string;
  /** The router needs the usage (prices, token limits): a usage chunk is asked for, and taken out again if the client did not ask. */
  wantUsage?: boolean;
}

/**
 * The adapter of a chat model (`openai-chat`, `anthropic`, `gemini`, `workers-ai`):
 * its output is a `ChatOutput` (openai/wire.ts: the reply as a Chat Completions
 * `chat.completion`, translated if the model speaks another format), and it can stream:
 * `stream` answers with a `ChatStream` of `chat.completion.chunk` events.
 */
export interface ChatModelAdapter<E extends Endpoint = Endpoint> extends Adapter<E> {
  readonly chatModel: true;
  /**
   * For a model reached by translation: the first field of a Chat Completions body it
   * cannot take (`param` as a path, and why), checked while routing so that `auto`
   * passes it over and a pinned request is refused with a 400 naming the field.
   */
  refuses?(endpoint: E, chat: Record<string, unknown>): { param: string; detail: string } | undefined;
  /**
   * The fields of a Chat Completions body the translation does not send because they
   * concern OpenAI's platform only (translation.ts `PLATFORM_FIELDS`): the OpenAI front
   * door names them in `x-switchyard-not-sent`.
   */
  notSent?(endpoint: E, chat: Record<string, unknown>): string[];
  stream(endpoint: E, request: SpecialistRequest, ctx: AdapterContext, o: ChatStreamOptions): Promise<SpecialistOutcome>;
}

/**
 * The adapter of a specialist that is not a chat model but can stream its answer's
 * text (`a2a`: an agent whose card declares streaming). `streamText` answers with a
 * `ChatStream` of `chat.completion.chunk` events carrying the output's `text` as it
 * comes, which the chat doors pass on (or translate) as they do a chat model's; when
 * this specialist cannot stream after all, with the outcome `call` would have given,
 * which they answer whole.
 */
export interface TextStreamAdapter<E extends Endpoint = Endpoint> extends Adapter<E> {
  streamText(endpoint: E, request: SpecialistRequest, ctx: AdapterContext, o: ChatStreamOptions): Promise<SpecialistOutcome>;
}
