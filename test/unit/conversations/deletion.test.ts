import { describe, expect, it, vi } from "vitest";
import { chat } from "../conversation-fixtures";
import { settled, tabs, type Tab } from "./tabs";

/** Tab B's copy of chat 1 with a longer reply, not written yet (the save throttle holds it). */
function editUnsaved(tab: Tab) {
  tab.getState().updateMessage("c1", "a1", { content: "a longer reply, not saved yet" });
}

describe("a conversation deleted in one tab never comes back from another", () => {
  it("another tab's unsaved change is refused, and a tab that missed the notice drops the chat", async () => {
    const world = tabs([chat(1), chat(2)], { connected: false, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    a.getState().selectConversation("c1");
    b.getState().selectConversation("c1");
    editUnsaved(b);

    a.getState().deleteConversation("c1");
    await settled(a);
    await b.getState().flushSaves();

    expect(world.records.data.has("c1")).toBe(false);
    expect(world.summaries.entries.has("c1")).toBe(false);
    expect(b.getState().conversations.c1).toBeUndefined();
    expect(b.getState().summaries.c1).toBeUndefined();
    expect(b.getState().activeId).toBeUndefined();
    // A fresh tab (a reload) reads it as deleted too.
    const c = world.open();
    await c.getState().hydrate();
    expect(Object.keys(c.getState().summaries)).toEqual(["c2"]);
  });

  it("a reply streaming into it in another tab stops, and its text is not written", async () => {
    const world = tabs([chat(1)], { connected: true, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    b.setState({ streaming: { conversationId: "c1", messageId: "a1" } });
    editUnsaved(b);

    a.getState().deleteConversation("c1");
    await settled(a);
    // The notice alone leaves a chat that is being written to in place...
    await vi.waitFor(() => expect(world.records.tombstones.has("c1")).toBe(true));
    expect(b.getState().conversations.c1).toBeDefined();
    // ...its next save is refused: the reply stops and the chat goes.
    await b.getState().flushSaves();
    expect(b.stop).toHaveBeenCalledOnce();
    expect(b.getState().conversations.c1).toBeUndefined();
    expect(world.records.data.has("c1")).toBe(false);
  });

  it("Undo in the deleting tab still brings it back, in every tab", async () => {
    const world = tabs([chat(1)], { connected: true, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    editUnsaved(b);
    a.getState().deleteConversation("c1");
    await settled(a);
    await b.getState().flushSaves();
    expect(world.records.data.has("c1")).toBe(false);

    a.getState().undoDelete();
    await a.getState().flushSaves();
    expect(world.records.data.get("c1")?.messages.map((m) => m.id)).toEqual(["u1", "a1"]);
    expect(world.records.tombstones.has("c1")).toBe(false);
    expect(a.getState().activeId).toBe("c1");
    await vi.waitFor(() => expect(b.getState().conversations.c1).toBeDefined());
    // Saved normally from then on, by either tab.
    b.getState().renameConversation("c1", "Back again");
    await b.getState().flushSaves();
    expect(world.records.data.get("c1")?.title).toBe("Back again");
  });

  it("a re-read that began before the deletion does not bring it back into memory", async () => {
    const world = tabs([chat(1), chat(2)], { connected: false });
    const a = world.open();
    await a.getState().hydrate();
    // Another tab's notice makes tab A re-read chat 1; the read sees it, then A deletes it.
    world.hold();
    const rereading = a.getState().syncFromStorage("c1");
    a.getState().deleteConversation("c1");
    world.release();
    await rereading;
    await settled(a);
    expect(a.getState().conversations.c1).toBeUndefined();
    expect(a.getState().summaries.c1).toBeUndefined();
    expect(world.records.data.has("c1")).toBe(false);
  });

  it("Undo is not undone by a re-read that saw the chat deleted", async () => {
    const world = tabs([chat(1)], { connected: false });
    const a = world.open();
    await a.getState().hydrate();
    a.getState().deleteConversation("c1");
    await settled(a);
    world.hold();
    const rereading = a.getState().syncFromStorage("c1");
    a.getState().undoDelete();
    world.release();
    await rereading;
    await a.getState().flushSaves();
    expect(a.getState().conversations.c1).toBeDefined();
    expect(world.records.data.has("c1")).toBe(true);
  });

  it("importing a chat deleted before brings it back: the user chose to", async () => {
    const world = tabs([chat(1)], { connected: false });
    const a = world.open();
    await a.getState().hydrate();
    a.getState().deleteConversation("c1");
    a.getState().dismissUndo();
    await settled(a);

    expect(await a.getState().mergeImported([chat(1)])).toEqual({
      added: 1,
      merged: 0,
      unchanged: 0,
    });
    await a.getState().flushSaves();
    expect(world.records.data.has("c1")).toBe(true);
    expect(a.getState().summaries.c1?.title).toBe("Chat 1");
  });
});
