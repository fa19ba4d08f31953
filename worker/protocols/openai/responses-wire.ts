/**
 * OpenAI Responses API wire shapes the router reads
 * (https://platform.openai.com/docs/api-reference/responses/create), as zod schemas:
 * the request body of the `POST /v1/responses` front door, checked enough that a
 * malformed field is a 400 naming its path (`input.2.content.0.image_url`), and the
 * `Response` object it answers with (for the OpenAPI document). Every object is loose:
 * members the router does not know are found and refused by the translation
 * (responses-request.ts), naming them. The `openai` 7.57.0 SDK types
 * (`ResponseCreateParams`, `ResponseInputItem`, `Response`) are the reference. Pure.
 */
import { z } from "@hono/zod-openapi";

/** `input_text` (a user, system or developer message part). */
const InputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
/** `input_image`: a URL (or a `data:` URL) or a stored file id, and its detail. */
const InputImage = z.looseObject({ type: z.literal("input_image"), image_url: z.string().min(1).nullish(), file_id: z.string().min(1).nullish(), detail: z.string().nullish() });
/** `input_file`: inline data (a `data:` URL), a stored file id, or a URL. */
const InputFile = z.looseObject({ type: z.literal("input_file"), file_data: z.string().min(1).nullish(), file_id: z.string().min(1).nullish(), file_url: z.string().min(1).nullish(), filename: z.string().nullish() });
/** `output_text` (an assistant message from an earlier response, sent back). */
const OutputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
/** `refusal` (an assistant message from an earlier response, sent back). */
const Refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const PARTS: Record<string, z.ZodType> = { input_text: InputText, input_image: InputImage, input_file: InputFile, output_text: OutputText, refusal: Refusal };

/** Item schemas by `type` (a message may leave `type` out). Other types are refused by the translation. */
const ITEMS: Record<string, z.ZodType> = {
  message: z.looseObject({
    type: z.literal("message").optional(),
    role: z.enum(["user", "assistant", "system", "developer"]),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
  }),
  function_call: z.looseObject({ type: z.literal("function_call"), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() }),
  function_call_output: z.looseObject({ type: z.literal("function_call_output"), call_id: z.string().min(1), output: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) }),
  reasoning: z.looseObject({ type: z.literal("reasoning"), summary: z.array(z.unknown()).optional() }),
};

/** One issue of a body: its path (`input.1.call_id`) and message. */
export interface Issue {
  path: string;
  message: string;
}

const issuesOf = (error: z.ZodError, prefix: string): Issue[] => error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join("."), message: i.message }));

/** The request body's top level: what the route validates (and documents); items are checked by {@link checkItems}. */
export const ResponsesRequest = z
  .looseObject({
    model: z.string().min(1).max(200).optional().openapi({ description: "'auto' (default) routes by the last user message's intent; a specialist id pins", example: "auto" }),
    input: z.union([z.string(), z.array(z.looseObject({ type: z.string().optional(), role: z.string().optional() })).max(100_000)]).openapi({ description: "a string (one user message) or input items: messages, function_call, function_call_output" }),
    instructions: z.string().nullish(),
    tools: z.array(z.looseObject({ type: z.string() })).max(1000).nullish(),
    stream: z.boolean().nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    text: z.looseObject({ format: z.looseObject({ type: z.string() }).optional(), verbosity: z.enum(["low", "medium", "high"]).nullish() }).nullish(),
    reasoning: z.looseObject({}).nullish(),
    store: z.boolean().nullish(),
    background: z.boolean().nullish(),
    include: z.array(z.string()).nullish(),
    user: z.string().optional(),
    safety_identifier: z.string().nullish(),
    prompt_cache_key: z.string().nullish(),
  })
  .openapi("ResponsesRequest", {
    description:
      "OpenAI Responses API request, stateless (docs/protocols/openai.md, 'Responses API'): previous_response_id, conversation, store: true, background: true, built-in tools and unknown fields are refused naming them",
  });
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

/**
 * The known input items, each checked with its type's schema (a message's parts too):
 * the issues, with paths from the body (`input.2.content.0.text`). Items of other
 * types pass here and are refused by the translation.
 *
 * @example
 * checkItems([{ type: "function_call", name: "f", arguments: "{}" }]) // [{ path: "input.0.call_id", message: "…" }]
 */
export function checkItems(input: readonly unknown[]): Issue[] {
  const issues: Issue[] = [];
  input.forEach((item, i) => {
    const o = item as Record<string, unknown>;
    const type = o.type === undefined && "role" in o ? "message" : o.type;
    const schema = typeof type === "string" ? ITEMS[type] : undefined;
    if (!schema) return;
    const r = schema.safeParse(item);
    if (!r.success) return void issues.push(...issuesOf(r.error, `input.${i}`));
    if (type === "message" && Array.isArray(o.content)) partIssues(o.content, `input.${i}.content`, issues);
    if (type === "function_call_output" && Array.isArray(o.output)) partIssues(o.output, `input.${i}.output`, issues);
  });
  return issues;
}

function partIssues(parts: readonly unknown[], prefix: string, into: Issue[]): void {
  parts.forEach((p, j) => {
    const schema = PARTS[(p as { type: string }).type];
    const r = schema?.safeParse(p);
    if (r && !r.success) into.push(...issuesOf(r.error, `${prefix}.${j}`));
  });
}

/** The `Response` object the door answers with (openai 7.57.0 `Response`; only the members every reply has are described). */
export const ResponseDoc = z
  .looseObject({
    id: z.string().openapi({ example: "resp_0123456789abcdef" }),
    object: z.literal("response"),
    created_at: z.number().int(),
    status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
    error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
    incomplete_details: z.looseObject({ reason: z.string() }).nullable(),
    model: z.string().openapi({ description: "the model that answered: a chat model's own name, else the specialist id" }),
    output: z.array(z.looseObject({ type: z.string() })),
    usage: z.looseObject({ input_tokens: z.number().int(), output_tokens: z.number().int(), total_tokens: z.number().int() }).nullable(),
  })
  .openapi("Response");
