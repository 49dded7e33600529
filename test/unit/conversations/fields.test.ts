import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultConversationSettings } from "../../../app/features/chat/settings";
import { chat } from "../conversation-fixtures";
import { tabs } from "./tabs";

/** A clock the test moves by hand, so "later" is never a tie within one millisecond. */
function clock(start: number) {
  let now = start;
  vi.spyOn(Date, "now").mockImplementation(() => now);
  return { tick: (ms = 1) => (now += ms) };
}

afterEach(() => vi.restoreAllMocks());

describe("a rename, pin or settings change while another tab streams into the chat", () => {
  it("is kept when the streaming tab saves before it has read the change", async () => {
    const time = clock(1_000_000);
    // Not connected: tab A's save comes before the notice of B's change reaches it.
    const world = tabs([chat(1)], { connected: false, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    a.getState().appendMessage("c1", {
      id: "a2",
      role: "assistant",
      content: "",
      createdAt: Date.now(),
      status: "streaming",
    });
    a.setState({ streaming: { conversationId: "c1", messageId: "a2" } });
    await a.getState().flushSaves();

    time.tick();
    const settings = { ...defaultConversationSettings(), historyLimit: 1 };
    b.getState().renameConversation("c1", "Renamed in B");
    b.getState().togglePin("c1");
    b.getState().setConversationSettings("c1", settings);
    await b.getState().flushSaves();

    // A keeps streaming: each token moves its updatedAt past B's change.
    for (const text of ["streaming on", "streaming on and on"]) {
      time.tick();
      a.getState().updateMessage("c1", "a2", { content: text });
    }
    await a.getState().flushSaves();

    const stored = world.records.data.get("c1");
    expect(stored).toMatchObject({ title: "Renamed in B", pinned: true, settings });
    expect(stored?.messages.at(-1)?.content).toBe("streaming on and on");
    expect(world.summaries.entries.get("c1")).toMatchObject({
      title: "Renamed in B",
      pinned: true,
    });

    // The notice arrives: tab A shows B's change, and a fresh tab reads it.
    await a.getState().syncFromStorage("c1");
    expect(a.getState().conversations.c1).toMatchObject({ title: "Renamed in B", pinned: true });
    const c = world.open();
    await c.getState().hydrate();
    expect(c.getState().summaries.c1).toMatchObject({ title: "Renamed in B", pinned: true });
  });

  it("an unpin in another tab is not undone by the streaming tab's older pinned copy", async () => {
    const time = clock(2_000_000);
    const world = tabs([chat(1, { pinned: true })], { connected: false, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    time.tick();
    b.getState().togglePin("c1");
    await b.getState().flushSaves();
    time.tick();
    a.getState().updateMessage("c1", "a1", { content: "a longer reply" });
    await a.getState().flushSaves();
    expect(world.records.data.get("c1")?.pinned).toBeUndefined();
  });
});
