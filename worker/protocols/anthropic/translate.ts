/**
 * Translation between OpenAI Chat Completions (the router's canonical chat format)
 * and Anthropic's Messages API, both directions, requests and replies. Pure: ids and
 * `created` are passed in. The rules, field by field, are in docs/protocols/anthropic.md
 * and in the module of each direction:
 *
 * - `chatToMessages` (chat-to-messages.ts, chat-content.ts): an OpenAI request → an
 *   Anthropic request, for an `anthropic` specialist;
 * - `messageToCompletion` (replies.ts): its `Message` reply → a `chat.completion`;
 * - `messagesToChat` (messages-to-chat.ts): an Anthropic request → an OpenAI request,
 *   for the Anthropic front door in front of an OpenAI-format specialist;
 * - `completionToMessage` (replies.ts): its `chat.completion` → a `Message`.
 *
 * Each returns a `Translation` (protocols/translation.ts) where the target cannot
 * carry something: the refused field as `param`, a sentence as `detail`.
 */
export { CHAT_FIELD_RULES, chatNotSent, chatToMessages, type ChatToMessagesOptions, type FieldRule } from "./chat-to-messages.ts";
export { chatConversation, type Conversation } from "./chat-content.ts";
export { MESSAGES_FIELD_RULES, messagesToChat, type MessagesFieldRule } from "./messages-to-chat.ts";
export { anthropicUsage, completionToMessage, finishReason, messageToCompletion, openAIUsage, parseArguments, stopReason } from "./replies.ts";
export type { AnthropicVersion, ChatBody, ChatRequest, Chunk, Completion, MessagesBody } from "./types.ts";
