import { expect, vi } from "vitest";
import { createStore, type StoreApi } from "zustand";
import { createConversationsSlice } from "../../../app/features/conversations/slice";
import type { AppState, StoreDeps } from "../../../app/store/app-state";
import {
  memoryConversationRecords,
  type ConversationRecords,
} from "../../../app/storage/idb-conversations";
import { conversationRepository } from "../../../app/storage/repository";
import { summarize } from "../../../app/storage/summaries";
import { memorySummaryStore } from "../../../app/storage/summary-store";
import type { Conversation } from "../../../app/storage/types";

/**
 * Records whose single-conversation reads can be held back, to line a tab's re-read up with a
 * deletion. A read sees the records as they were when it began, like an IndexedDB transaction.
 */
function holdableRecords(initial: Conversation[]) {
  const inner = memoryConversationRecords(initial);
  let held: Promise<void> | undefined;
  let release = () => undefined as void;
  const records: ConversationRecords & typeof inner = {
    ...inner,
    async load(id) {
      const result = inner.load(id);
      await held;
      return result;
    },
  };
  return {
    records,
    hold() {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

export type Tab = StoreApi<AppState> & { stop: ReturnType<typeof vi.fn> };

/**
 * Tabs of the app over the same databases. `connected`: each tab's writes reach the others as
 * the BroadcastChannel notice does (a re-read of that conversation); a tab that misses them
 * stands for a tab whose notice has not arrived yet.
 */
export function tabs(
  initial: Conversation[],
  options: { connected: boolean; saveIntervalMs?: number },
) {
  const { records, hold, release } = holdableRecords(initial);
  const summaries = memorySummaryStore({
    entries: initial.map((c) => [c.id, summarize(c)]),
    complete: true,
  });
  const all: Tab[] = [];
  const open = (): Tab => {
    const repository = conversationRepository(records, summaries, (id) => {
      if (!options.connected) return;
      for (const tab of all) if (tab !== self) void tab.getState().syncFromStorage(id);
    });
    const deps = {
      repository,
      saveIntervalMs: options.saveIntervalMs ?? 0,
    } as Partial<StoreDeps> as StoreDeps;
    const stop = vi.fn(() => Promise.resolve());
    // The conversations slice, plus the chat slice's two fields it reads.
    const store = createStore<AppState>()(
      (...args) =>
        ({
          ...createConversationsSlice(deps)(...args),
          streaming: undefined,
          stop,
        }) as Partial<AppState> as AppState,
    );
    const self = Object.assign(store, { stop });
    all.push(self);
    return self;
  };
  return { records, summaries, open, hold, release };
}

export const settled = (tab: Tab) =>
  vi.waitFor(() => expect(tab.getState().writesInFlight).toBe(0), { interval: 5 });
