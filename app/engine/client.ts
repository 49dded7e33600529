import { EngineClientError, WORKER_CRASHED_MESSAGE } from "./errors";
import type {
  CachedModelInfo,
  ChatInput,
  ChatOptions,
  ChatTokenCounts,
  ChatTurn,
  ChatUsage,
  ImportFile,
  KnownModel,
  LoadProgress,
  ModelSpec,
  WorkerReply,
  WorkerRequest,
} from "../protocol/worker-protocol";

type RequestBody<T> = T extends unknown ? Omit<T, "requestId"> : never;

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: EngineClientError): void;
  onEvent?: (reply: WorkerReply) => void;
}

export interface EngineClientOptions {
  /** How often to ping the worker while a request is pending. */
  heartbeatMs?: number;
  /** A worker that has not answered a ping for this long is declared dead. */
  deadAfterMs?: number;
}

/**
 * The main thread's handle on the LLM worker. Keeps a map of pending requests and notices a
 * dead worker by itself: a worker that was closed or froze posts nothing, so while anything
 * is pending the client pings it and gives up when a ping it really sent is not answered
 * within `deadAfterMs`. Silence alone proves nothing: Chrome runs the timers of a tab hidden
 * for five minutes about once a minute, so no ping may have gone out for a minute during a
 * long prefill, and declaring that worker dead would reload gigabytes. After a crash the next
 * request starts a fresh worker (the model must then be loaded again).
 */
export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** When the ping still waiting for an answer was sent; any message answers it. */
  private pingSentAt: number | undefined;
  private readonly crashListeners = new Set<(error: EngineClientError) => void>();
  private readonly heartbeatMs: number;
  private readonly deadAfterMs: number;

  constructor(
    private readonly createWorker: () => Worker,
    options: EngineClientOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.deadAfterMs = options.deadAfterMs ?? 8000;
  }

  onCrash(listener: (error: EngineClientError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  async load(model: ModelSpec, onProgress: (progress: LoadProgress) => void): Promise<void> {
    await this.request({ type: "load", model }, (reply) => {
      if (reply.type === "progress") onProgress(reply.progress);
    });
  }

  async chat(
    input: ChatInput,
    options: ChatOptions,
    onDelta: (text: string) => void,
  ): Promise<ChatUsage> {
    const reply = await this.request({ type: "chat", input, options }, (event) => {
      if (event.type === "delta") onDelta(event.text);
    });
    if (reply.type !== "done") throw new EngineClientError("unknown", "The reply ended oddly.");
    return reply.usage;
  }

  /** Counts tokens with the loaded model's tokenizer (for the prompt budget). */
  async countTokens(texts: string[]): Promise<number[]> {
    const reply = await this.request({ type: "count-tokens", texts });
    if (reply.type !== "token-counts") throw new EngineClientError("unknown", "No token counts.");
    return reply.counts;
  }

  /** Tokens of chat messages as the loaded model's chat template renders them. */
  async countChatTokens(messages: ChatTurn[]): Promise<ChatTokenCounts> {
    const reply = await this.request({ type: "count-chat-tokens", messages });
    if (reply.type !== "chat-token-counts") {
      throw new EngineClientError("unknown", "No token counts.");
    }
    return reply.counts;
  }

  /** Asks the running reply to end; the pending chat() resolves with finishReason "abort". */
  async stop(): Promise<void> {
    if (!this.worker) return;
    await this.request({ type: "stop" });
  }

  /** Aborts the model download in progress; the pending load() rejects with "cancelled". */
  async cancelLoad(): Promise<void> {
    if (!this.worker) return;
    await this.request({ type: "cancel-load" });
  }

  /** Model folders in web-llm's caches, named by the catalog models given. */
  async listCached(known: KnownModel[]): Promise<CachedModelInfo[]> {
    const reply = await this.request({ type: "list-cached", known });
    if (reply.type !== "cached-models") throw new EngineClientError("unknown", "No model list.");
    return reply.models;
  }

  /** Deletes a model's files from web-llm's caches; resolves once none is left. */
  async deleteCached(folderUrl: string, modelLibUrl?: string): Promise<void> {
    await this.request({
      type: "delete-cached",
      folderUrl,
      ...(modelLibUrl !== undefined && { modelLibUrl }),
    });
  }

  /** Checks and imports model-build's output folder; returns its catalog entries. */
  async importModel(files: ImportFile[], baseUrl: string): Promise<Record<string, unknown>[]> {
    const reply = await this.request({ type: "import-model", files, baseUrl });
    if (reply.type !== "imported") throw new EngineClientError("unknown", "Nothing imported.");
    return reply.entries;
  }

  async reset(): Promise<void> {
    await this.request({ type: "reset" });
  }

  async unload(): Promise<void> {
    if (!this.worker) return;
    await this.request({ type: "unload" });
  }

  /** Ends the worker for good (tests, page teardown). */
  dispose(): void {
    this.crash(new EngineClientError("worker-crashed", "The engine was shut down."), false);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.addEventListener("message", (event: MessageEvent<WorkerReply>) => {
      this.pingSentAt = undefined;
      this.dispatch(event.data);
    });
    // An uncaught error at the top of the worker (e.g. its script failed to load) leaves it
    // unable to serve anything, so it counts as a crash.
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.crash(new EngineClientError("worker-crashed", WORKER_CRASHED_MESSAGE), true);
    });
    this.worker = worker;
    return worker;
  }

  private request(
    body: RequestBody<WorkerRequest>,
    onEvent?: (reply: WorkerReply) => void,
  ): Promise<WorkerReply> {
    const worker = this.ensureWorker();
    const requestId = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const entry: Pending = { resolve, reject };
      if (onEvent) entry.onEvent = onEvent;
      this.pending.set(requestId, entry);
      this.startHeartbeat();
      worker.postMessage({ ...body, requestId } as WorkerRequest);
    });
  }

  private dispatch(reply: WorkerReply): void {
    if (reply.type === "ready" || reply.type === "pong") return;
    const entry = this.pending.get(reply.requestId);
    if (!entry) return;
    switch (reply.type) {
      case "progress":
      case "delta":
        entry.onEvent?.(reply);
        return;
      case "error":
        this.settle(reply.requestId);
        entry.reject(EngineClientError.from(reply.error));
        return;
      case "loaded":
      case "done":
      case "ok":
      case "token-counts":
      case "chat-token-counts":
      case "cached-models":
      case "imported":
        this.settle(reply.requestId);
        entry.resolve(reply);
        return;
    }
  }

  private settle(requestId: number): void {
    this.pending.delete(requestId);
    if (this.pending.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.pingSentAt = undefined;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (this.pingSentAt !== undefined) {
        if (now - this.pingSentAt > this.deadAfterMs) {
          this.crash(new EngineClientError("worker-crashed", WORKER_CRASHED_MESSAGE), true);
        }
        return;
      }
      this.pingSentAt = now;
      this.worker?.postMessage({ type: "ping", requestId: 0 } satisfies WorkerRequest);
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private crash(error: EngineClientError, notify: boolean): void {
    this.stopHeartbeat();
    this.worker?.terminate();
    this.worker = undefined;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error);
    if (notify) for (const listener of this.crashListeners) listener(error);
  }
}
