import type { EngineClient } from "../engine/client";
import type { ConversationsSlice } from "../features/conversations/slice";
import type { ModelsSlice } from "../features/models/slice";
import type { ChatSlice } from "../features/chat/slice";
import type { ModelFilesSlice } from "../features/model-files/slice";
import type { PreferencesSlice } from "../features/preferences/slice";
import type { Conversation, ConversationRepository } from "../storage/types";

/** The whole app store: one zustand store built from the features' typed slices. */
export type AppState = ConversationsSlice &
  ModelsSlice &
  ChatSlice &
  ModelFilesSlice &
  PreferencesSlice;

/** What the store's actions reach outside themselves; tests hand in their own. */
export interface StoreDeps {
  engine: EngineClient;
  repository: ConversationRepository;
  catalogUrl: URL;
  gpu: GPU | undefined;
  /** Milliseconds between saves of a streaming reply. */
  saveIntervalMs: number;
}

/**
 * The open conversation, if it has been read in full (none for a new chat or one still
 * loading). Select the fields you need from it: the object changes with every streamed token.
 */
export function activeConversation(state: AppState): Conversation | undefined {
  return state.activeId ? state.conversations[state.activeId] : undefined;
}
