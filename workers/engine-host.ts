import type {
  ChatUsage,
  EngineErrorInfo,
  ModelSpec,
  WorkerReply,
  WorkerRequest,
} from "../app/protocol/worker-protocol";
import { deltaBatcher } from "./delta-batcher";
import { EngineError, type Engine, type EngineFactory } from "./engine";
import { checkGpuFor } from "./gpu-preflight";
import { isCacheRequest, prepareModelFiles, serveCacheRequest } from "./model-cache";
import { classifyWebLlmError } from "./webllm-errors";

export interface HostPort {
  postMessage(message: WorkerReply): void;
  addEventListener(type: "message", listener: (event: MessageEvent<WorkerRequest>) => void): void;
}

/**
 * Serves the worker protocol with one engine at a time. Requests are handled in order except
 * `stop` and `ping`, which must get through while a reply is streaming, and the model-file
 * requests (`cancel-load`, `list-cached`, `delete-cached`, `import-model`), which must get
 * through while a model downloads.
 */
export function startEngineHost(port: HostPort, createEngine: EngineFactory, gpu: GPU | undefined) {
  let engine: Engine | undefined;
  let loadedId: string | undefined;
  let chatting = false;
  // Chat requests received and not finished, and those of them the user stopped. A Stop
  // applies to every reply asked for before it, also one still waiting in the queue (behind a
  // token count, say): the engine would never see it, since web-llm clears its interrupt flag
  // when a generation starts.
  const openChats = new Set<number>();
  const stoppedChats = new Set<number>();
  let download: AbortController | undefined;
  // The load in progress; Cancel reaches the engine's own downloads through it.
  let loading: { cancelled: boolean; engine?: Engine } | undefined;
  // The engine of a load that failed or was cancelled, letting go of the GPU: a cancelled
  // web-llm reload past its downloads runs on until it can be unloaded, and two models on
  // one GPU at once may not fit. The next load waits for it.
  let retiring: Promise<void> = Promise.resolve();
  let queue = Promise.resolve();

  const post = (reply: WorkerReply) => port.postMessage(reply);
  const fail = (requestId: number, error: unknown) =>
    post({ type: "error", requestId, error: toErrorInfo(error) });

  async function load(requestId: number, spec: ModelSpec) {
    const current: { cancelled: boolean; engine?: Engine } = { cancelled: false };
    loading = current;
    try {
      await loadModel(requestId, spec, current);
    } finally {
      if (loading === current) loading = undefined;
    }
  }

  async function loadModel(
    requestId: number,
    spec: ModelSpec,
    current: { cancelled: boolean; engine?: Engine },
  ) {
    await checkGpuFor(spec, gpu);
    // The app's own downloader fills web-llm's cache first (resume, sha256, quota, one tab).
    const controller = new AbortController();
    download = controller;
    try {
      await prepareModelFiles(
        spec,
        (progress) => post({ type: "progress", requestId, progress }),
        controller.signal,
      );
    } finally {
      if (download === controller) download = undefined;
    }
    if (engine) {
      await engine.unload();
      engine = undefined;
      loadedId = undefined;
    }
    await retiring;
    const next = await createEngine(spec);
    current.engine = next;
    if (current.cancelled) throw new EngineError("cancelled", "The model load was cancelled.");
    try {
      await next.load(spec, (progress) => post({ type: "progress", requestId, progress }));
    } catch (error) {
      retiring = next.unload().catch(() => undefined);
      throw error;
    }
    engine = next;
    loadedId = spec.id;
    post({ type: "loaded", requestId, modelId: spec.id });
  }

  async function handle(request: WorkerRequest) {
    const { requestId } = request;
    try {
      switch (request.type) {
        case "load":
          await load(requestId, request.model);
          return;
        case "chat": {
          if (stoppedChats.has(requestId)) {
            post({ type: "done", requestId, usage: STOPPED_BEFORE_START });
            return;
          }
          if (!engine)
            throw new EngineError("not-loaded", "Load a model before sending a message.");
          chatting = true;
          const deltas = deltaBatcher(
            (text, tokens) => post({ type: "delta", requestId, text, tokens }),
            request.options.streamIntervalMs,
          );
          let usage;
          try {
            usage = await engine.chat(request.input, request.options, deltas.push);
          } finally {
            // After a failure too: the text that arrived before it is kept.
            deltas.flush();
            chatting = false;
          }
          post({ type: "done", requestId, usage });
          return;
        }
        case "count-tokens": {
          if (!engine) throw new EngineError("not-loaded", "Load a model before counting tokens.");
          post({
            type: "token-counts",
            requestId,
            counts: await engine.countTokens(request.texts),
          });
          return;
        }
        case "count-chat-tokens": {
          if (!engine) throw new EngineError("not-loaded", "Load a model before counting tokens.");
          post({
            type: "chat-token-counts",
            requestId,
            counts: await engine.countChatTokens(request.messages),
          });
          return;
        }
        case "reset":
          await engine?.reset();
          post({ type: "ok", requestId });
          return;
        case "unload":
          await engine?.unload();
          engine = undefined;
          loadedId = undefined;
          post({ type: "ok", requestId });
          return;
        case "stop":
        case "ping":
          return;
      }
    } catch (error) {
      fail(requestId, error);
    } finally {
      openChats.delete(requestId);
      stoppedChats.delete(requestId);
    }
  }

  port.addEventListener("message", (event) => {
    const request = event.data;
    if (request.type === "ping") {
      post({ type: "pong", requestId: request.requestId });
      return;
    }
    if (request.type === "stop") {
      for (const id of openChats) stoppedChats.add(id);
      if (chatting) engine?.stop();
      post({ type: "ok", requestId: request.requestId });
      return;
    }
    if (request.type === "cancel-load") {
      download?.abort();
      if (loading) {
        loading.cancelled = true;
        loading.engine?.cancelLoad?.();
      }
      post({ type: "ok", requestId: request.requestId });
      return;
    }
    if (isCacheRequest(request)) {
      void serveCacheRequest(request).then(post, (error: unknown) =>
        fail(request.requestId, error),
      );
      return;
    }
    if (request.type === "chat") openChats.add(request.requestId);
    queue = queue.then(() => handle(request));
  });

  post({ type: "ready" });
  return { loadedModel: () => loadedId };
}

/** A reply stopped before the engine started it: nothing was read or generated. */
const STOPPED_BEFORE_START: ChatUsage = {
  promptTokens: 0,
  completionTokens: 0,
  prefillTokensPerSecond: 0,
  decodeTokensPerSecond: 0,
  finishReason: "abort",
};

function toErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.params !== undefined && { params: error.params }),
    };
  }
  return classifyWebLlmError(error);
}
