/**
 * Serves one A2A JSON-RPC call: a message becomes one routed hop (answered as an
 * agent Message) or a TaskAgent task (answered as a Task); tasks can be read,
 * cancelled and followed; the streaming methods answer Server-Sent Events, each a
 * JSON-RPC response. Errors are JSON-RPC errors, never problem+json.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { streamSlot } from "../../routing/stream-slots.ts";
import { ConfigError } from "../../config/load.ts";
import type { AppEnv } from "../../env.ts";
import { ProblemError } from "../../http/problem.ts";
import { inputTooLong } from "../../routing/input-limit.ts";
import { serveHop } from "../../routing/serve-hop.ts";
import { getRuntime } from "../../runtime.ts";
import { problemToRpc, RPC, rpcError, RpcFailure, rpcResult, type RpcCall, type RpcError } from "./jsonrpc.ts";
import { a2aState, hopToMessage } from "./mapping.ts";
import { TERMINAL } from "../../tasks/types.ts";
import { isBlocking, ListParams, parseParams, SendParams, switchyardOptions, TaskParams, wantsTask } from "./params.ts";
import { pushNeedsTask, registerSendPush, sendPushConfig, servePush } from "./push.ts";
import { answerTask, cancelTask, followTask, getA2aTask, getTaskView, listA2aTasks, startA2aTask, waitForTask } from "./task-ops.ts";
import type { TaskView } from "../../../durable-objects/task-agent.ts";
import { encodeSendResult, encodeStreamEvent, encodeTask, type StreamEvent } from "./wire.ts";
import { wireError } from "./errors.ts";
import { carryParts } from "./parts.ts";

/** Any error as a JSON-RPC error; unexpected ones are logged and answered -32603 without details. */
export function toRpcError(e: unknown, path: string): RpcError {
  if (e instanceof RpcFailure) return e.error;
  if (e instanceof ProblemError) return problemToRpc(e.problem);
  if (e instanceof ConfigError) return { code: RPC.INTERNAL_ERROR, message: "Router misconfigured: the router's config does not validate", data: { status: 503, errors: e.issues } };
  console.error(JSON.stringify({ msg: "unhandled error", path, error: String(e), stack: (e as Error)?.stack }));
  return { code: RPC.INTERNAL_ERROR, message: "Internal error: the router failed unexpectedly; see its logs" };
}

const reply = (c: Context<AppEnv>, call: RpcCall, result: unknown) => c.json(rpcResult(call.id, result), 200);

/**
 * An SSE response whose events are JSON-RPC responses to `call`; an error mid-stream is
 * the last event. It holds one of the tenant's stream slots while open.
 */
async function stream(c: Context<AppEnv>, call: RpcCall, run: (emit: (e: StreamEvent) => Promise<boolean>) => Promise<void>): Promise<Response> {
  const release = await streamSlot(c);
  return streamSSE(c, async (sse) => {
    const emit = async (e: StreamEvent) => {
      if (sse.aborted) return false;
      await sse.writeSSE({ data: JSON.stringify(rpcResult(call.id, encodeStreamEvent(e, call.wire))) });
      return true;
    };
    try {
      await run(emit);
    } catch (e) {
      if (!sse.aborted) await sse.writeSSE({ data: JSON.stringify(rpcError(call.id, wireError(toRpcError(e, c.req.path), call.wire))) });
    } finally {
      release();
    }
  });
}

async function send(c: Context<AppEnv>, call: RpcCall): Promise<Response> {
  const p = parseParams(SendParams, call.params);
  const options = switchyardOptions(p);
  const push = sendPushConfig(c, p, call.wire); // checked before anything is made
  const streaming = call.op === "stream";
  const historyLength = p.configuration?.historyLength;
  const answerWith = async (view: TaskView) => {
    c.header("location", `/v1/tasks/${view.id}`);
    if (push) await registerSendPush(c, view.id, push);
    if (streaming) return stream(c, call, (emit) => followTask(c, view.id, emit));
    if (isBlocking(p)) await waitForTask(c, view);
    return reply(c, call, encodeSendResult({ task: await getA2aTask(c, view.id, historyLength) }, call.wire));
  };
  if (p.message.taskId !== undefined) return answerWith(await answerTask(c, p.message));
  const rt = await getRuntime(c.env);
  // parts (parts.ts): text and data as the input, every part to a2a specialists, images to chat models; else -32005
  const carried = carryParts(p, rt.registry, options.specialist);
  const text = carried.input;
  if (!text && !carried.unable) throw new RpcFailure(RPC.INVALID_PARAMS, "Invalid params: the message has no text, data or file part", { errors: [{ path: "message.parts", message: "no text, data or file part" }] });
  const tooLong = inputTooLong(text, rt.config.router.maxInputChars, "the message");
  if (tooLong) throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${tooLong}`, { errors: [{ path: "message.parts", message: tooLong }] });

  const tasksByDefault = rt.config.a2a.sendMessageResult === "task" && c.env.TASK_AGENT !== undefined;
  if (wantsTask(text, options, rt.config.tasks.planner !== undefined, tasksByDefault)) {
    return answerWith(await startA2aTask(c, { text, message: p.message, options, ...(carried.unable ? { parts: carried.parts } : {}) }));
  }

  if (push) throw pushNeedsTask();
  const hop = await serveHop(c, { ...carried, pinned: options.specialist, context: options.context, idempotencyKey: options.idempotencyKey ?? p.message.messageId, call: c.var.callSpecialist });
  const { intent, result } = hop;
  if (intent) c.header("x-intent-id", intent.id);
  c.header("x-switchyard-specialist", result.specialist.id);
  const { costUsd: reported, ...usage } = result.usage;
  const message = hopToMessage({
    id: hop.id,
    output: result.output,
    contextId: p.message.contextId ?? `ctx_${crypto.randomUUID()}`,
    switchyard: {
      hopId: hop.id,
      specialist: result.specialist.id,
      intent: intent ? { id: intent.id, label: intent.label, confidence: intent.confidence } : null,
      reason: hop.reason,
      usage: { costUsd: result.specialist.costPerCall + (reported ?? 0), attempts: result.attempts.length, ...usage },
      timings: hop.timings,
      ...(hop.screening ? { screening: hop.screening } : {}),
    },
  });
  if (streaming) return stream(c, call, async (emit) => void (await emit({ kind: "message", message })));
  return reply(c, call, encodeSendResult({ message }, call.wire));
}

/**
 * A streaming call's error before its stream began: still the stream the method
 * answers (A2A 1.0 §9.4.2: HTTP 200, `text/event-stream`), with the JSON-RPC error
 * as its one event. Takes no stream slot.
 */
function errorStream(c: Context<AppEnv>, call: RpcCall, error: RpcError): Response {
  return streamSSE(c, async (sse) => {
    await sse.writeSSE({ data: JSON.stringify(rpcError(call.id, wireError(error, call.wire))) });
  });
}

/**
 * Serves a parsed call. Throws `RpcFailure` (or a router `ProblemError`) for the
 * route to answer as a JSON-RPC error; a streaming method's error is answered as a
 * stream of that one error, and failures inside a stream end the stream.
 */
export async function serveCall(c: Context<AppEnv>, call: RpcCall): Promise<Response> {
  if (call.op !== "stream" && call.op !== "subscribe") return serveOne(c, call);
  try {
    return await serveOne(c, call);
  } catch (e) {
    return errorStream(c, call, toRpcError(e, c.req.path));
  }
}

async function serveOne(c: Context<AppEnv>, call: RpcCall): Promise<Response> {
  switch (call.op) {
    case "send":
    case "stream":
      return send(c, call);
    case "get": {
      const { id, historyLength } = parseParams(TaskParams, call.params);
      return reply(c, call, encodeTask(await getA2aTask(c, id, historyLength), call.wire));
    }
    case "cancel": {
      const { id, metadata } = parseParams(TaskParams, call.params);
      const reason = typeof metadata?.reason === "string" ? metadata.reason : undefined;
      return reply(c, call, encodeTask(await cancelTask(c, id, reason), call.wire));
    }
    case "list":
      return reply(c, call, await listA2aTasks(c, parseParams(ListParams, call.params)));
    case "pushCreate":
    case "pushGet":
    case "pushList":
    case "pushDelete":
      return reply(c, call, await servePush(c, { ...call, op: call.op }));
    case "subscribe": {
      const { id } = parseParams(TaskParams, call.params);
      // unknown ids are -32001; a task that ended has nothing to follow (A2A 1.0 §3.1.6): -32004
      const view = await getTaskView(c, id);
      if (TERMINAL.has(view.status)) throw new RpcFailure(RPC.UNSUPPORTED_OPERATION, `Task ${id} has ended (${a2aState(view.status)}): there is nothing to subscribe to; read it with GetTask`, { taskId: id });
      return stream(c, call, (emit) => followTask(c, id, emit));
    }
  }
}
