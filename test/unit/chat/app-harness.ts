import { vi } from "vitest";
import { EngineClient } from "../../../app/engine/client";
import type { ChatUsage, LoadProgress } from "../../../app/protocol/worker-protocol";
import type { CatalogEntry } from "../../../app/engine/catalog";
import type { StoreDeps } from "../../../app/store/app-state";
import { createAppStore } from "../../../app/shell/store";
import { memoryConversationRecords } from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { memorySummaryStore } from "../../../app/storage/summary-store";
import type { Conversation } from "../../../app/storage/types";
import type { Engine } from "../../../workers/engine";
import { InProcessWorker } from "../engine/in-process-worker";

/**
 * The whole app store (every slice) over the real engine client and engine host, with the
 * worker in-process and an engine the test scripts. Chats are saved to in-memory records, so
 * a test can check what was written, not only what the store shows.
 */
export function appWithEngine(
  engine: Engine,
  options: { entry?: Partial<CatalogEntry>; initial?: Conversation[]; heartbeatMs?: number } = {},
) {
  const records = memoryConversationRecords(options.initial ?? []);
  const repository = conversationRepository(
    records,
    memorySummaryStore({ entries: [], complete: false }),
  );
  const workers: InProcessWorker[] = [];
  const client = new EngineClient(
    () => {
      const worker = new InProcessWorker(engine);
      workers.push(worker);
      return worker as unknown as Worker;
    },
    { heartbeatMs: options.heartbeatMs ?? 1000 },
  );
  const deps: StoreDeps = {
    engine: client,
    repository,
    catalogUrl: new URL("http://app.test/models/catalog.json"),
    gpu: undefined,
    saveIntervalMs: 0,
  };
  const store = createAppStore(deps);
  const entry: CatalogEntry = {
    id: "m",
    name: "Test model",
    family: "test",
    engine: "test",
    requiredFeatures: [],
    ...options.entry,
  };
  store.setState({
    catalog: [entry],
    modelBaseUrl: "http://app.test/models/",
    selectedModelId: entry.id,
  });
  /** The conversation as saved. */
  const saved = (id = store.getState().activeId): Conversation | undefined =>
    id === undefined ? undefined : records.data.get(id);
  const settled = () =>
    vi.waitFor(() => expect0(store.getState().writesInFlight === 0 && !store.getState().streaming));
  return { store, client, records, saved, workers, settled };
}

function expect0(ok: boolean): void {
  if (!ok) throw new Error("not settled yet");
}

export const USAGE: ChatUsage = {
  promptTokens: 3,
  completionTokens: 2,
  prefillTokensPerSecond: 10,
  decodeTokensPerSecond: 5,
  finishReason: "stop",
};

/** A promise with its resolve, for holding an engine in one phase. */
export function gate<T = void>() {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** An engine whose every call can be replaced; by default it loads and answers "Hello". */
export function scriptedEngine(overrides: Partial<Engine> = {}): Engine {
  return {
    async load(_spec, _onProgress: (p: LoadProgress) => void) {},
    async chat(_input, _options, onDelta) {
      onDelta("Hel");
      onDelta("lo");
      return USAGE;
    },
    async countTokens(texts) {
      return texts.map((t) => t.length);
    },
    // One token per character and 4 per message's role header and separator.
    async countChatTokens(messages) {
      return { fixed: 4, messages: messages.map((m) => m.content.length + 4) };
    },
    stop() {},
    async reset() {},
    async unload() {},
    ...overrides,
  };
}
