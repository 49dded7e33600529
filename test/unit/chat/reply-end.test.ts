import { describe, expect, it, vi } from "vitest";
import { appWithEngine, gate, scriptedEngine } from "./app-harness";

describe("a reply never stays marked streaming", () => {
  it("ends as an error, saved, when its model left the catalog while it loaded", async () => {
    const loading = gate();
    const app = appWithEngine(scriptedEngine({ load: () => loading.promise }));
    const sending = app.store.getState().send("hello");
    await vi.waitFor(() => expect(app.store.getState().loadState).toBe("loading"));
    // An imported model removed from this browser meanwhile, say.
    app.store.setState({ catalog: [] });
    loading.open();
    await sending;
    const reply = app.saved()?.messages[1];
    expect(reply?.status).toBe("error");
    expect(reply?.error?.code).toBe("not-loaded");
    expect(app.store.getState().streaming).toBeUndefined();
  });
});
