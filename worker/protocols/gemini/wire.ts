/**
 * The Gemini API's wire shapes (https://ai.google.dev/api/generate-content, v1beta):
 * what `models/{model}:generateContent` and `:streamGenerateContent?alt=sse` answer
 * (zod, read at the edge; unknown members pass through), its error body, and the
 * request body the router sends (plain types: the router builds it).
 *
 * Enumerations Google grows (`finishReason`, `blockReason`) are read as strings, so
 * a value added after this was written is still read; translate.ts says what an
 * unknown one means.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();

/** A `FunctionCall` (generate-content › FunctionCall): `args` is a JSON object, not a string; `id` only on newer models. */
export const FunctionCall = z.looseObject({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish(), id: z.string().nullish() });

/**
 * One `Part` of a reply (caching › Part): exactly one of `text`, `inlineData`,
 * `fileData`, `functionCall`, `executableCode`, `codeExecutionResult`…; `thought:
 * true` marks a thought summary; `thoughtSignature` is the opaque signature Gemini 3
 * wants echoed back with a function call (gemini-api/docs/thought-signatures).
 */
export const Part = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).nullish(),
  fileData: z.looseObject({ mimeType: z.string().nullish(), fileUri: z.string() }).nullish(),
  functionCall: FunctionCall.nullish(),
});
export type Part = z.infer<typeof Part>;

/** `Content` (caching › Content): `role` is `user` or `model`; a blocked candidate may have no parts. */
export const Content = z.looseObject({ role: z.string().nullish(), parts: z.array(Part).nullish() });

/** `SafetyRating` (generate-content › SafetyRating). */
export const SafetyRating = z.looseObject({ category: z.string(), probability: z.string().nullish(), blocked: z.boolean().nullish() });

const LogprobsCandidate = z.looseObject({ token: z.string().nullish(), tokenId: z.number().nullish(), logProbability: z.number().nullish() });

/** `LogprobsResult` (generate-content › LogprobsResult): per decoding step, the chosen token and the top candidates. */
export const LogprobsResult = z.looseObject({
  chosenCandidates: z.array(LogprobsCandidate).nullish(),
  topCandidates: z.array(z.looseObject({ candidates: z.array(LogprobsCandidate).nullish() })).nullish(),
});
export type LogprobsResult = z.infer<typeof LogprobsResult>;

/** `Candidate` (generate-content › Candidate): `finishReason` is absent until the candidate is finished. */
export const Candidate = z.looseObject({
  content: Content.nullish(),
  finishReason: z.string().nullish(),
  finishMessage: z.string().nullish(),
  safetyRatings: z.array(SafetyRating).nullish(),
  index: count.nullish(),
  logprobsResult: LogprobsResult.nullish(),
});
export type Candidate = z.infer<typeof Candidate>;

/**
 * `UsageMetadata` (generate-content › UsageMetadata): `promptTokenCount` includes
 * the cached tokens (`cachedContentTokenCount`); `candidatesTokenCount` excludes the
 * thinking tokens (`thoughtsTokenCount`); `toolUsePromptTokenCount` counts the
 * results of server-side tools fed back as input.
 */
export const UsageMetadata = z.looseObject({
  promptTokenCount: count.nullish(),
  candidatesTokenCount: count.nullish(),
  cachedContentTokenCount: count.nullish(),
  thoughtsTokenCount: count.nullish(),
  toolUsePromptTokenCount: count.nullish(),
  totalTokenCount: count.nullish(),
});
export type UsageMetadata = z.infer<typeof UsageMetadata>;

/**
 * A `GenerateContentResponse` (generate-content › GenerateContentResponse), whole or
 * one streamed event. `promptFeedback.blockReason` with no candidates: the prompt was
 * blocked (sent in the first stream event only).
 */
export const GenerateContentResponse = z.looseObject({
  candidates: z.array(Candidate).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish(), safetyRatings: z.array(SafetyRating).nullish() }).nullish(),
  usageMetadata: UsageMetadata.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});
export type GenerateContentResponse = z.infer<typeof GenerateContentResponse>;

/**
 * Gemini's error body (https://ai.google.dev/gemini-api/docs/troubleshooting, Google
 * API error model): `{ "error": { "code": 400, "message": "…", "status": "INVALID_ARGUMENT" } }`,
 * sent with the HTTP status, or as one event of a stream.
 */
export const GeminiError = z.looseObject({
  error: z.looseObject({ code: z.number().int(), message: z.string(), status: z.string().nullish(), details: z.array(z.unknown()).nullish() }),
});
export type GeminiError = z.infer<typeof GeminiError>;

/** A request `Part` the router sends (caching › Part). */
export type RequestPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string }; mediaResolution?: MediaResolution }
  | { fileData: { fileUri: string; mimeType: string }; mediaResolution?: MediaResolution }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: { output: string }; id?: string } };

/** Per-part media resolution (caching › Part.mediaResolution). */
export interface MediaResolution {
  level: "MEDIA_RESOLUTION_LOW" | "MEDIA_RESOLUTION_HIGH";
}

/** A request `Content`. */
export interface RequestContent {
  role: "user" | "model";
  parts: RequestPart[];
}

/** `FunctionDeclaration` (caching › FunctionDeclaration): `parametersJsonSchema` takes JSON Schema as is (exclusive with `parameters`, an OpenAPI subset). */
export interface FunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: unknown;
}

/** `FunctionCallingConfig.mode` (caching › FunctionCallingConfig). */
export type FunctionCallingMode = "AUTO" | "ANY" | "NONE" | "VALIDATED";

/** `GenerationConfig` (generate-content › GenerationConfig), the members the router sets. */
export interface GenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: "application/json";
  responseJsonSchema?: unknown;
  responseLogprobs?: boolean;
  logprobs?: number;
  thinkingConfig?: { thinkingLevel?: ThinkingLevel; thinkingBudget?: number };
}

/** `ThinkingConfig.thinkingLevel` (generate-content › ThinkingConfig). */
export type ThinkingLevel = "MINIMAL" | "LOW" | "MEDIUM" | "HIGH" | "XHIGH";

/**
 * The body of `POST …/models/{model}:generateContent` (and `:streamGenerateContent`);
 * the model is in the URL, not here.
 */
export interface GenerateContentRequest {
  contents: RequestContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: FunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: FunctionCallingMode; allowedFunctionNames?: string[] } };
  generationConfig?: GenerationConfig;
  serviceTier?: "flex" | "standard" | "priority";
  labels?: Record<string, string>;
  store?: boolean;
}

/**
 * The wait a Gemini error asks for, in seconds: its `google.rpc.RetryInfo` detail's
 * `retryDelay` (a protobuf Duration in JSON, e.g. `"30s"`, `"1.5s"`; Google API error
 * model, https://cloud.google.com/apis/design/errors#error_details). Gemini's 429s carry
 * it in the body, not always as a `Retry-After` header.
 *
 * @example
 * retryDelaySeconds({ error: { code: 429, message: "…", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" }] } }) // 30
 */
export function retryDelaySeconds(body: unknown): number | undefined {
  const e = GeminiError.safeParse(body);
  if (!e.success) return undefined;
  // Stryker disable next-line ArrayDeclaration: a detail that is not a RetryInfo object is passed over
  for (const d of e.data.error.details ?? []) {
    if (typeof d !== "object" || d === null) continue;
    const { "@type": type, retryDelay } = d as { "@type"?: unknown; retryDelay?: unknown };
    if (type !== "type.googleapis.com/google.rpc.RetryInfo" || typeof retryDelay !== "string") continue;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(retryDelay);
    if (m) return Number(m[1]);
  }
  return undefined;
}
