import { describe, expect, it } from "vitest";
import { allMessageIds, versionOf } from "../../../app/storage/branches";
import type { Conversation } from "../../../app/storage/types";
import { chat } from "../conversation-fixtures";
import { settled, tabs, type Tab } from "./tabs";

const shown = (c: Conversation | undefined) => c?.messages.map((m) => m.id) ?? [];
const held = (tab: Tab) => tab.getState().conversations.c1;

describe("versions across tabs", () => {
  it("a stale tab's unsaved change lands in the earlier version, not back in the chat", async () => {
    const world = tabs([chat(1)], { connected: false, saveIntervalMs: 60_000 });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    // Tab B's longer reply is held back by the save throttle while tab A edits the question.
    b.getState().updateMessage("c1", "a1", { content: "a longer reply, not saved yet" });
    expect(a.getState().editAsNewVersion("c1", "u1", "edited question")).toBe(true);
    await settled(a);
    await b.getState().flushSaves();

    const stored = world.records.data.get("c1")!;
    expect(stored.messages.map((m) => m.content)).toEqual(["edited question"]);
    const earlier = stored.messages[0]?.alternatives?.[0];
    expect(earlier?.map((m) => m.content)).toEqual(["text of u1", "a longer reply, not saved yet"]);
    expect(stored.removedMessageIds).toBeUndefined();
  });

  it("switching versions in one tab shows in the other and deletes nothing", async () => {
    const world = tabs([chat(1)], { connected: true });
    const a = world.open();
    const b = world.open();
    await Promise.all([a.getState().hydrate(), b.getState().hydrate()]);
    a.getState().editAsNewVersion("c1", "u1", "edited question");
    await settled(a);
    await settled(b);
    await expect.poll(() => held(b)?.messages[0]?.content).toBe("edited question");
    const edited = held(b)!.messages[0]!;
    expect(versionOf(edited)).toEqual({ current: 2, count: 2 });

    b.getState().showMessageVersion("c1", edited.id, 1);
    await settled(b);
    await settled(a);
    await expect.poll(() => shown(held(a))).toEqual(["u1", "a1"]);
    for (const copy of [held(a), held(b), world.records.data.get("c1")]) {
      expect(shown(copy)).toEqual(["u1", "a1"]);
      expect(allMessageIds(copy!.messages).size).toBe(3);
      expect(copy!.removedMessageIds).toBeUndefined();
    }
  });
});
