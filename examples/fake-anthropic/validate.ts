/**
 * The fake Anthropic API's request checks (server.ts): why the Messages API would turn a
 * body down, as its message (path first), following the API reference's validation.
 */
export type Block = { type?: unknown; [k: string]: any };
export type Turn = { role?: unknown; content?: unknown };

export const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
export const blocksOf = (content: unknown): Block[] => (typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : []);
export const textOf = (content: unknown): string =>
  blocksOf(content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;


/** Why the Messages API would turn the body down (its message, path first), if it would. */
export function problem(body: Record<string, any>, version: string): string | undefined {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (body.max_tokens === undefined || body.max_tokens === null) return "max_tokens: Field required";
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: must be a positive integer (this fake does not pre-warm the cache with 0)";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  for (const key of ["temperature", "top_p"] as const)
    if (version === "2026-10-21" && body[key] !== undefined) return `${key}: Extra inputs are not permitted`;
    else if (body[key] !== undefined && (typeof body[key] !== "number" || body[key] < 0 || body[key] > 1)) return `${key}: Input should be less than or equal to 1`;
  if (body.system !== undefined && typeof body.system !== "string" && !(Array.isArray(body.system) && body.system.every((b: Block) => b?.type === "text" && typeof b.text === "string")))
    return "system: Input should be a valid string or a list of text blocks";
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "tools: Input should be a valid list";
    for (const [i, t] of (body.tools as Block[]).entries()) {
      if (typeof t?.name !== "string" || !TOOL_NAME.test(t.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      if (t.type === undefined || t.type === "custom") if (t.input_schema?.type !== "object") return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    }
  }
  const turns = body.messages as Turn[];
  let pending: string[] = []; // tool_use ids the previous assistant turn left unanswered
  for (const [i, turn] of turns.entries()) {
    if (turn?.role === "system" && version === "2026-10-21" && typeof turn.content === "string") continue;
    if (turn?.role !== "user" && turn?.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && turns[i - 1]!.role === turn.role) return `messages: roles must alternate between "user" and "assistant", but found multiple "${turn.role}" roles in a row`;
    if (typeof turn.content !== "string" && !Array.isArray(turn.content)) return `messages.${i}.content: Input should be a valid string or list`;
    if (typeof turn.content === "string" && turn.content === "" && i < turns.length - 1) return "messages: text content blocks must be non-empty";
    const blocks = blocksOf(turn.content);
    const results: string[] = [];
    for (const [j, b] of blocks.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (b?.type === "text" && (typeof b.text !== "string" || b.text === "")) return "messages: text content blocks must be non-empty";
      if (b?.type === "image") {
        const s = b.source ?? {};
        if (s.type === "base64") {
          if (!IMAGE_TYPES.includes(s.media_type)) return `${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
          if (typeof s.data !== "string" || s.data === "") return `${at}.image.source.base64.data: Field required`;
        } else if (s.type !== "url" || typeof s.url !== "string") return `${at}.image.source: Input tag '${s.type}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
      }
      if (b?.type === "tool_use" && turn.role !== "assistant") return `${at}: tool_use blocks may only be in assistant turns`;
      if (b?.type === "tool_result") {
        if (turn.role !== "user") return `${at}: tool_result blocks may only be in user turns`;
        if (j !== results.length) return `${at}: tool_result blocks must come first in a user turn, before any other content`;
        if (!pending.includes(b.tool_use_id))
          return `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        results.push(b.tool_use_id);
      }
    }
    const unanswered = pending.filter((id) => !results.includes(id));
    if (unanswered.length > 0)
      return `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    pending = turn.role === "assistant" ? blocks.filter((b) => b?.type === "tool_use").map((b) => String(b.id)) : [];
  }
  if (pending.length > 0) return `messages.${turns.length - 1}: the conversation ends with \`tool_use\` blocks and no \`tool_result\` after them: ${pending.join(", ")}`;
  return undefined;
}
