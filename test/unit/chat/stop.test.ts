import { describe, expect, it, vi } from "vitest";
import { appWithEngine, gate, scriptedEngine, USAGE } from "./app-harness";

describe("Stop ends the reply in every phase, and what is saved says so", () => {
  it("while the model loads: stopped at once, nothing generated, and the load goes on", async () => {
    const loading = gate();
    const chat = vi.fn(scriptedEngine().chat);
    const app = appWithEngine(scriptedEngine({ load: () => loading.promise, chat }));
    const sending = app.store.getState().send("hello");
    await vi.waitFor(() => expect(app.store.getState().loadState).toBe("loading"));
    await app.store.getState().stop();
    await sending;
    const reply = app.saved()?.messages[1];
    expect(reply).toMatchObject({ role: "assistant", content: "", status: "stopped" });
    loading.open();
    await vi.waitFor(() => expect(app.store.getState().loadState).toBe("ready"));
    expect(chat).not.toHaveBeenCalled();
    // The next message uses the model that finished loading.
    await app.store.getState().send("again");
    expect(app.saved()?.messages.at(-1)).toMatchObject({ content: "Hello", status: "done" });
  });

  it("a message sent while a stopped reply's load still runs waits for that load", async () => {
    const loading = gate();
    const app = appWithEngine(scriptedEngine({ load: () => loading.promise }));
    const first = app.store.getState().send("one");
    await vi.waitFor(() => expect(app.store.getState().loadState).toBe("loading"));
    await app.store.getState().stop();
    await first;
    const second = app.store.getState().send("two");
    loading.open();
    await second;
    expect(app.saved()?.messages.at(-1)).toMatchObject({ content: "Hello", status: "done" });
  });

  it("while the prompt is fitted: stopped, and the engine never generates", async () => {
    const counting = gate();
    const chat = vi.fn(scriptedEngine().chat);
    const app = appWithEngine(
      scriptedEngine({
        chat,
        countTokens: async (texts) => {
          await counting.promise;
          return texts.map((t) => t.length);
        },
      }),
      { entry: { family: "cutegpt", contextWindow: 2048 } },
    );
    await app.store.getState().loadModel();
    const sending = app.store.getState().send("hello");
    await vi.waitFor(() => expect(app.store.getState().streaming).toBeDefined());
    await new Promise((r) => setTimeout(r, 10));
    await app.store.getState().stop();
    await sending;
    counting.open();
    await new Promise((r) => setTimeout(r, 10));
    expect(chat).not.toHaveBeenCalled();
    expect(app.saved()?.messages[1]).toMatchObject({ content: "", status: "stopped" });
  });

  it("text the worker sent after Stop was pressed is neither shown nor saved", async () => {
    const more = gate();
    let stopped = false;
    const app = appWithEngine(
      scriptedEngine({
        async chat(_i, _o, onDelta) {
          onDelta("before");
          await more.promise;
          // Generated before the worker heard the Stop.
          onDelta(" after");
          return { ...USAGE, finishReason: stopped ? "abort" : "stop" };
        },
        stop: () => {
          stopped = true;
        },
      }),
    );
    const sending = app.store.getState().send("hello");
    await vi.waitFor(() =>
      expect(
        app.store.getState().conversations[app.store.getState().activeId!]?.messages[1]?.content,
      ).toBe("before"),
    );
    await app.store.getState().stop();
    more.open();
    await sending;
    expect(app.saved()?.messages[1]).toMatchObject({ content: "before", status: "stopped" });
  });
});
