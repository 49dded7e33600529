import type { StateCreator } from "zustand";
import { engineErrorInfo } from "../../engine/errors";
import type { ChatUsage, EngineErrorInfo } from "../../protocol/worker-protocol";
import { PromptTooLongError } from "../../prompt/budget";
import { StopFilter } from "../../prompt/stops";
import type { AppState, StoreDeps } from "../../store/app-state";
import { branchAt } from "../../storage/branches";
import type { ChatMessage, ConversationSettings } from "../../storage/types";
import { frameThrottle } from "../../ui/frame-throttle";
import { updateWithLateResults } from "../../ui/late-results";
import { NAIVE_RENDERING } from "../../ui/naive-rendering";
import { newId } from "../../ui/ids";
import { buildEngineRequest } from "./engine-request";
import { ReplyStop, STOPPED } from "./reply-stop";
import { draftSettingsOf, settingsOf } from "./settings";

/** What the chat slice uses of the others: the conversation it writes to and the model it runs. */
type ChatNeeds = Pick<
  AppState,
  | "conversations"
  | "activeId"
  | "appendMessage"
  | "updateMessage"
  | "replaceMessages"
  | "editAsNewVersion"
  | "setConversationSettings"
  | "flushSaves"
  | "catalog"
  | "selectedModelId"
  | "loadedModelId"
  | "loadError"
  | "loadModel"
  | "markModelLost"
>;
type ChatDeps = Pick<StoreDeps, "engine">;

export interface ComposerDraft {
  text: string;
  /** CuteGPT's input field (the text an instruction works on). */
  input: string;
  showInput: boolean;
}

export interface ChatSlice {
  /** The reply being written now; one at a time, since there is one engine. */
  streaming: { conversationId: string; messageId: string } | undefined;
  /**
   * Settings a new chat starts with, once changed from the settings panel before the first
   * send; until then (undefined) the selected model's defaults (draftSettingsOf).
   */
  draftSettings: ConversationSettings | undefined;
  /** What the composer holds; presets fill it, sending clears it. */
  composer: ComposerDraft;
  setComposer(patch: Partial<ComposerDraft>): void;
  send(text: string, input?: string): Promise<void>;
  stop(): Promise<void>;
  /** Changes the active conversation's settings, or the draft when no chat is open. */
  updateSettings(settings: ConversationSettings): void;
  /** Writes a new reply in place of the conversation's last reply, which stays as a version. */
  regenerate(conversationId: string, replyId: string): Promise<void>;
  /**
   * Asks again with a question's new text. The question and everything after it stay as the
   * earlier version (‹ 1 / 2 ›; see editAsNewVersion in the conversations slice).
   */
  editAndResend(
    conversationId: string,
    messageId: string,
    text: string,
    /** The edited input field; "" removes it, undefined keeps the old one. */
    input?: string,
  ): Promise<void>;
  /** Asks the model to go on with a reply that stopped at the max-token limit. */
  continueReply(conversationId: string, replyId: string): Promise<void>;
}

export function createChatSlice(
  deps: ChatDeps,
): StateCreator<ChatSlice & ChatNeeds, [], [], ChatSlice> {
  // The Stop of the reply being written (one at a time, like `streaming`).
  const stops: CurrentStop = { current: undefined };
  return (set, get) => ({
    streaming: undefined,
    draftSettings: undefined,
    composer: { text: "", input: "", showInput: false },

    setComposer(patch) {
      set({ composer: { ...get().composer, ...patch } });
    },

    updateSettings(settings) {
      const { activeId, conversations } = get();
      if (activeId && conversations[activeId]) get().setConversationSettings(activeId, settings);
      else set({ draftSettings: settings });
    },

    async send(text, input) {
      if (!text.trim() || get().streaming) return;
      const modelId = get().selectedModelId;
      const userMessage: ChatMessage = {
        id: newId(),
        role: "user",
        content: text,
        createdAt: Date.now(),
        status: "done",
        ...(input?.trim() && { input }),
        ...(modelId !== undefined && { modelId }),
      };
      const conversationId = get().appendMessage(
        get().activeId,
        userMessage,
        draftSettingsOf(get()),
      );
      const reply = emptyReply(modelId);
      get().appendMessage(conversationId, reply);
      await generateReply(deps, set, get, stops, conversationId, reply.id);
    },

    async stop() {
      if (!get().streaming) return;
      stops.current?.request();
      await deps.engine.stop().catch(() => undefined);
    },

    async regenerate(conversationId, replyId) {
      if (get().streaming) return;
      const conversation = get().conversations[conversationId];
      const last = conversation?.messages.at(-1);
      if (!conversation || last?.id !== replyId || last.role !== "assistant") return;
      const reply = emptyReply(get().selectedModelId);
      const index = conversation.messages.length - 1;
      get().replaceMessages(conversationId, branchAt(conversation.messages, index, [reply]), true);
      await generateReply(deps, set, get, stops, conversationId, reply.id);
    },

    async editAndResend(conversationId, messageId, text, input) {
      if (get().streaming || !text.trim()) return;
      if (!get().editAsNewVersion(conversationId, messageId, text, input)) return;
      const reply = emptyReply(get().selectedModelId);
      get().appendMessage(conversationId, reply);
      await generateReply(deps, set, get, stops, conversationId, reply.id);
    },

    async continueReply(conversationId, replyId) {
      if (get().streaming) return;
      const reply = get().conversations[conversationId]?.messages.find((m) => m.id === replyId);
      if (reply?.role !== "assistant" || reply.usage?.finishReason !== "length") return;
      const conversation = get().conversations[conversationId];
      if (reply.error && conversation) {
        // The reason a previous try could not continue no longer applies once it is retried.
        const { error: _error, ...rest } = reply;
        get().replaceMessages(
          conversationId,
          conversation.messages.map((m) => (m.id === replyId ? rest : m)),
        );
      }
      get().updateMessage(conversationId, replyId, { status: "streaming" });
      await generateReply(deps, set, get, stops, conversationId, replyId, reply.content);
    },
  });
}

type SetState = Parameters<StateCreator<ChatSlice & ChatNeeds, [], [], ChatSlice>>[0];
type GetState = () => ChatSlice & ChatNeeds;
interface CurrentStop {
  current: ReplyStop | undefined;
}

/**
 * Streams the reply `replyId` of a conversation: (re)loads the model if needed, builds the
 * engine request from the messages before the reply, passes CuteGPT output through its stop
 * filter, and records the outcome. `prefix` is a reply being continued: the model is asked
 * to go on from it and the new text is appended. Shared by send, regenerate, edit and
 * continue so they all behave exactly like sending.
 */
async function generateReply(
  deps: ChatDeps,
  set: SetState,
  get: GetState,
  stops: CurrentStop,
  conversationId: string,
  replyId: string,
  prefix = "",
): Promise<void> {
  const previousUsage = prefix
    ? get().conversations[conversationId]?.messages.find((m) => m.id === replyId)?.usage
    : undefined;
  const stop = new ReplyStop();
  stops.current = stop;
  set({ streaming: { conversationId, messageId: replyId } });
  let written = prefix;
  const publish = frameThrottle(
    () =>
      updateWithLateResults(
        () => get().updateMessage(conversationId, replyId, { content: written }),
        // Highlighting and KaTeX that finish between two updates show with the next one.
        UPDATE_INTERVAL_MS * 2,
      ),
    UPDATE_INTERVAL_MS,
  );

  try {
    // After a crash or on first use the model is (re)loaded here; the weights come from
    // the browser cache, so this is the "restart" the user sees as a short load.
    const loaded = await stop.race(get().loadModel());
    if (loaded === STOPPED) return endStopped();
    if (!loaded) {
      const error = get().loadError ?? {
        code: "not-loaded" as const,
        message: "Pick a model and load it before sending a message.",
      };
      get().updateMessage(conversationId, replyId, { status: "error", error });
      return;
    }
    const conversation = get().conversations[conversationId];
    const entry = get().catalog.find((m) => m.id === get().loadedModelId);
    if (!conversation) return;
    if (!entry) {
      get().updateMessage(conversationId, replyId, {
        status: "error",
        error: { code: "not-loaded", message: MODEL_GONE_MESSAGE },
      });
      return;
    }
    // The question(s) before the reply; a reply being continued is not part of its prompt.
    const index = conversation.messages.findIndex((m) => m.id === replyId);
    const history = conversation.messages.slice(0, index === -1 ? undefined : index);
    const request = await stop.race(
      buildEngineRequest(
        history,
        settingsOf(conversation),
        { cutegpt: entry.family === "cutegpt", contextWindow: entry.contextWindow },
        async (t) => (await deps.engine.countTokens([t]))[0] ?? 0,
        prefix,
        (messages) => deps.engine.countChatTokens(messages),
      ),
    );
    if (request === STOPPED) return endStopped();
    const filter = request.cutegpt ? new StopFilter() : undefined;
    let stoppedByModel = false;
    // The worker gathers text for half the interval the page shows it at: each of its messages
    // is a task here (deserialising and handling it: near 0.7 ms on a busy machine), and more
    // than two per update show nothing sooner. The naive baseline takes every token as its own
    // message.
    const options = { ...request.options, streamIntervalMs: NAIVE_RENDERING ? 0 : 50 };
    const usage = await deps.engine.chat(request.input, options, (delta) => {
      // Text the worker sent before it heard the Stop is not shown: the reply ends where it
      // stood when the user pressed Stop.
      if (stoppedByModel || stop.requested) return;
      let shown = delta;
      if (filter) {
        const result = filter.push(delta);
        shown = result.text;
        // The model began a new turn or emitted a stop token: end the reply here.
        if (result.stopped) {
          stoppedByModel = true;
          void deps.engine.stop();
        }
      }
      if (!shown) return;
      written += shown;
      publish.schedule();
    });
    publish.flush();
    if (filter && !stoppedByModel && !stop.requested) written += filter.flush();
    const aborted = stop.requested || (usage.finishReason === "abort" && !stoppedByModel);
    get().updateMessage(conversationId, replyId, {
      content: written,
      status: aborted ? "stopped" : "done",
      usage: {
        ...mergeUsage(previousUsage, stoppedByModel ? { ...usage, finishReason: "stop" } : usage),
        // Shown under the reply: the model did not see these earlier turns.
        ...(request.droppedTurns > 0 && { droppedTurns: request.droppedTurns }),
      },
    });
  } catch (error) {
    // Whatever arrived before the failure is kept.
    publish.flush();
    const info = toErrorInfo(error);
    if (prefix && error instanceof PromptTooLongError) {
      // Said before anything was sent: the reply stays as it was, with the reason beside it.
      get().updateMessage(conversationId, replyId, { status: "done", error: info });
      return;
    }
    const lost = info.code === "worker-crashed" || info.code === "device-lost";
    if (lost) get().markModelLost(info);
    get().updateMessage(conversationId, replyId, {
      status: lost ? "interrupted" : "error",
      error: info,
    });
  } finally {
    if (stops.current === stop) stops.current = undefined;
    // Invariant: no reply stays "streaming" once its generation is over, whichever way it
    // ended; a left-over one would show a cursor forever and count as open in merges.
    const left = get().conversations[conversationId]?.messages.find((m) => m.id === replyId);
    if (left?.status === "streaming") {
      get().updateMessage(conversationId, replyId, {
        status: "error",
        error: { code: "unknown", message: "The reply ended before the model could write it." },
      });
    }
    set({ streaming: undefined });
    await get().flushSaves();
  }

  /** Stopped before the engine generated anything for it: what was there stays. */
  function endStopped(): void {
    publish.flush();
    get().updateMessage(conversationId, replyId, { content: written, status: "stopped" });
  }
}

function mergeUsage(before: ChatUsage | undefined, after: ChatUsage): ChatUsage {
  if (!before) return after;
  return { ...after, completionTokens: before.completionTokens + after.completionTokens };
}

function toErrorInfo(error: unknown): EngineErrorInfo {
  // The budget refuses a message that cannot fit before the engine ever sees it, so no
  // request fails with the engine's raw "context window exceeded".
  if (error instanceof PromptTooLongError) {
    return { code: "context-window-exceeded", message: error.message };
  }
  return engineErrorInfo(error);
}

/**
 * At most 10 updates a second: new text shows within 100 ms of arriving. Each update costs the
 * browser about the same whatever it adds (style, layout, paint, the hover hit test after the
 * scroll: near 10 ms of main-thread CPU on a busy two-core machine, see
 * test/bench/render.bench.ts), so a fast GPU's tokens share one; at 20 a second the bench's
 * CPU per token was 0.91 ms (p50) and 1.27 ms (p95), at 10 0.6-0.7 and 1.05. The naive
 * baseline shows every token as it comes.
 */
const UPDATE_INTERVAL_MS = NAIVE_RENDERING ? 0 : 100;

const MODEL_GONE_MESSAGE =
  "The model for this reply is no longer in the model list. Pick a model and send again.";

/** The assistant message a reply streams into. */
function emptyReply(modelId: string | undefined): ChatMessage {
  return {
    id: newId(),
    role: "assistant",
    content: "",
    createdAt: Date.now(),
    status: "streaming",
    ...(modelId !== undefined && { modelId }),
  };
}
