/**
 * Every field of OpenAI's `ChatCompletionCreateParams` (openai 7.57.0) and what
 * becomes of it on the way to the Gemini API (translate.ts applies these rules;
 * docs/protocols/gemini.md shows the table). Typed against the SDK's own list, so a
 * field OpenAI adds fails the typecheck until it has a rule here.
 */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";

/** Where a field goes in the Gemini request (`—` when nowhere) and the rule, refusals included. */
export interface FieldRule {
  gemini: string;
  rule: string;
}

export const CHAT_FIELDS = {
  messages: { gemini: "contents, systemInstruction", rule: "see the message rules" },
  model: { gemini: "the URL (models/{model})", rule: "the router's: replaced by the endpoint's model" },
  stream: { gemini: "the method (:streamGenerateContent?alt=sse)", rule: "the router's" },
  stream_options: { gemini: "—", rule: "the router's: include_usage adds the usage chunk (stream-translate.ts)" },
  audio: { gemini: "—", rule: "refused: no audio output through generateContent text models" },
  frequency_penalty: { gemini: "generationConfig.frequencyPenalty", rule: "as is" },
  presence_penalty: { gemini: "generationConfig.presencePenalty", rule: "as is" },
  function_call: { gemini: "—", rule: "refused: deprecated, use tool_choice" },
  functions: { gemini: "—", rule: "refused: deprecated, use tools" },
  logit_bias: { gemini: "—", rule: "refused (an empty object is taken as absent): Gemini has no token bias" },
  logprobs: { gemini: "generationConfig.responseLogprobs", rule: "as is; the reply's logprobsResult becomes choices[].logprobs" },
  top_logprobs: { gemini: "generationConfig.logprobs", rule: "as is (both 0–20; outside refused), with logprobs: true; refused without it" },
  max_completion_tokens: { gemini: "generationConfig.maxOutputTokens", rule: "as is; wins over max_tokens; must be a positive integer" },
  max_tokens: { gemini: "generationConfig.maxOutputTokens", rule: "as is, when max_completion_tokens is absent; must be a positive integer" },
  metadata: { gemini: "labels", rule: "as is when every key and value is a valid label (lower case letters, digits, _ and -, at most 63, keys start with a letter), else refused naming the key" },
  modalities: { gemini: "—", rule: '["text"] taken as is (the default); "audio" refused' },
  moderation: { gemini: "—", rule: "refused: Gemini has no moderated-completion option" },
  n: { gemini: "generationConfig.candidateCount", rule: "as is, a positive integer (Gemini answers 400 over the model's limit)" },
  parallel_tool_calls: { gemini: "—", rule: "true taken as is (Gemini may call several functions at once); false refused: Gemini cannot be kept to one call" },
  prediction: { gemini: "—", rule: "refused: no predicted outputs" },
  prompt_cache_key: { gemini: "—", rule: "not sent (OpenAI's cache routing; Gemini caches implicitly), named in x-switchyard-not-sent" },
  prompt_cache_options: { gemini: "—", rule: "refused" },
  prompt_cache_retention: { gemini: "—", rule: "not sent (OpenAI's cache retention), named in x-switchyard-not-sent" },
  reasoning_effort: { gemini: "generationConfig.thinkingConfig", rule: 'none → thinkingBudget 0; minimal/low/medium/high/xhigh → thinkingLevel MINIMAL/LOW/MEDIUM/HIGH/XHIGH; "max" refused' },
  response_format: { gemini: "generationConfig.responseMimeType, responseJsonSchema", rule: "text → nothing; json_object → application/json; json_schema → application/json + its schema (strict: keywords checked)" },
  safety_identifier: { gemini: "—", rule: "not sent (an end-user id for OpenAI's abuse monitoring; Gemini takes none), named in x-switchyard-not-sent" },
  seed: { gemini: "generationConfig.seed", rule: "as is" },
  service_tier: { gemini: "serviceTier", rule: "auto → nothing (the project's default); default → standard; flex, priority as is; scale, fast refused" },
  stop: { gemini: "generationConfig.stopSequences", rule: "a string becomes a list of one" },
  store: { gemini: "store", rule: "as is (Gemini: the request's logging setting)" },
  temperature: { gemini: "generationConfig.temperature", rule: "as is (both 0–2; outside refused)" },
  tool_choice: { gemini: "toolConfig.functionCallingConfig", rule: "none → NONE; auto → AUTO (VALIDATED with a strict tool); required → ANY; a named function → ANY + allowedFunctionNames; allowed_tools → VALIDATED/ANY + allowedFunctionNames; custom refused" },
  tools: { gemini: "tools[0].functionDeclarations", rule: "function tools → name, description, parametersJsonSchema; custom tools and unknown tool or function members refused" },
  top_p: { gemini: "generationConfig.topP", rule: "as is (both 0–1; outside refused)" },
  user: { gemini: "—", rule: "not sent (an end-user id for OpenAI's abuse monitoring; Gemini takes none), named in x-switchyard-not-sent" },
  verbosity: { gemini: "—", rule: 'refused unless "medium" (the default): Gemini has no verbosity control' },
  web_search_options: { gemini: "—", rule: "refused: OpenAI's web search has no Chat Completions equivalent in Gemini's reply" },
} as const satisfies Record<keyof ChatCompletionCreateParamsBase, FieldRule>;

/** The fields the router handles itself: never sent, never refused. */
export const ROUTER_FIELDS: ReadonlySet<string> = new Set(["model", "stream", "stream_options"]);
