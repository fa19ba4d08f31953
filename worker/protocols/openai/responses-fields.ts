/**
 * Every field of a Responses API request (`ResponseCreateParams`, openai 7.57.0) and
 * what becomes of it on the way to Chat Completions (responses-request.ts applies the
 * rules; docs/protocols/openai.md, "Responses API", shows the table).
 */

/** How one Responses request field is carried to Chat Completions. */
export interface ResponsesFieldRule {
  kind: "mapped" | "router" | "omitted" | "refused";
  /** The Chat Completions field it becomes, when mapped. */
  chat?: string;
  rule: string;
}

/** Every `ResponseCreateParams` field (openai 7.57.0) and its rule. */
export const RESPONSES_FIELD_RULES: Readonly<Record<string, ResponsesFieldRule>> = {
  model: { kind: "router", rule: "picks the specialist: 'auto' or a specialist id" },
  input: { kind: "mapped", chat: "messages", rule: "a string → a user message; items: see above" },
  instructions: { kind: "mapped", chat: "messages[0] (system)", rule: "a first system message" },
  tools: { kind: "mapped", chat: "tools", rule: "function tools { name, description, parameters, strict } → { type: function, function: {…} }; built-in tools (web_search, file_search, computer, code_interpreter, mcp, image_generation, shell, …) and custom tools refused" },
  tool_choice: { kind: "mapped", chat: "tool_choice", rule: "none, auto, required as is; { type: function, name } → a named function; allowed_tools (functions) → allowed_tools; built-in tool choices refused" },
  parallel_tool_calls: { kind: "mapped", chat: "parallel_tool_calls", rule: "as is" },
  max_output_tokens: { kind: "mapped", chat: "max_completion_tokens", rule: "as is" },
  temperature: { kind: "mapped", chat: "temperature", rule: "as is" },
  top_p: { kind: "mapped", chat: "top_p", rule: "as is" },
  text: { kind: "mapped", chat: "response_format, verbosity", rule: "format text → nothing (the default); json_object → json_object; json_schema { name, schema, description, strict } → json_schema; verbosity as is" },
  reasoning: { kind: "mapped", chat: "reasoning_effort", rule: "effort → reasoning_effort; summary (reasoning summaries) refused" },
  metadata: { kind: "mapped", chat: "metadata", rule: "as is ({} sends nothing); not sent to providers without it" },
  user: { kind: "mapped", chat: "user", rule: "as is; not sent to providers without it" },
  safety_identifier: { kind: "mapped", chat: "safety_identifier", rule: "as is; not sent to providers without it" },
  prompt_cache_key: { kind: "mapped", chat: "prompt_cache_key", rule: "as is; not sent to providers without it" },
  prompt_cache_retention: { kind: "mapped", chat: "prompt_cache_retention", rule: "as is; not sent to providers without it" },
  service_tier: { kind: "mapped", chat: "service_tier", rule: "as is" },
  stream: { kind: "mapped", chat: "stream, stream_options.include_usage", rule: "true → a stream with usage (the Responses events report it)" },
  stream_options: { kind: "omitted", rule: "include_obfuscation: the router adds no obfuscation padding (it changes no content)" },
  store: { kind: "refused", rule: "false accepted (nothing is stored); true refused: the router keeps no responses" },
  background: { kind: "refused", rule: "false accepted; true refused (no stored responses to poll)" },
  previous_response_id: { kind: "refused", rule: "no stored responses: send the whole conversation as input" },
  conversation: { kind: "refused", rule: "no stored conversations: send the whole conversation as input" },
  prompt: { kind: "refused", rule: "stored prompt templates: not kept by the router" },
  include: { kind: "refused", rule: "[] accepted; every value (built-in tool results, encrypted reasoning, logprobs, stored images) refused" },
  max_tool_calls: { kind: "refused", rule: "only for built-in tools, which are refused" },
  top_logprobs: { kind: "refused", rule: "0 accepted; more refused (logprobs need include)" },
  truncation: { kind: "refused", rule: "disabled accepted; auto refused (the router does not truncate a conversation)" },
  context_management: { kind: "refused", rule: "server-side compaction: no equivalent" },
  access_programs: { kind: "refused", rule: "no equivalent" },
  image: { kind: "refused", rule: "image generation settings: no equivalent" },
  moderation: { kind: "refused", rule: "no equivalent" },
  prompt_cache_options: { kind: "refused", rule: "no equivalent" },
};
