import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { showLateResult, updateWithLateResults } from "../../app/ui/late-results";

describe("late results (highlighting, KaTeX) while a reply streams", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    // Whatever an earlier test held is shown, and nothing is held any more.
    updateWithLateResults(() => {}, 0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows a result at once when no update is coming", () => {
    const shown: string[] = [];
    showLateResult(() => shown.push("code"));
    expect(shown).toEqual(["code"]);
  });

  it("holds a result for the next update and shows it right after that update's text", () => {
    const order: string[] = [];
    updateWithLateResults(() => order.push("text 1"), 150);
    vi.advanceTimersByTime(40);
    showLateResult(() => order.push("math"));
    showLateResult(() => order.push("code"));
    expect(order).toEqual(["text 1"]);
    vi.advanceTimersByTime(60);
    updateWithLateResults(() => order.push("text 2"), 150);
    expect(order).toEqual(["text 1", "text 2", "math", "code"]);
    // Shown once: the fallback timer does not show them again.
    vi.advanceTimersByTime(1000);
    expect(order).toEqual(["text 1", "text 2", "math", "code"]);
  });

  it("shows a held result when the update it waited for never comes (the reply ended)", () => {
    const shown: string[] = [];
    updateWithLateResults(() => {}, 150);
    vi.advanceTimersByTime(100);
    showLateResult(() => shown.push("code"));
    vi.advanceTimersByTime(49);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(["code"]);
  });

  it("holds nothing when updates are not throttled (the naive baseline)", () => {
    const shown: string[] = [];
    updateWithLateResults(() => {}, 0);
    showLateResult(() => shown.push("code"));
    expect(shown).toEqual(["code"]);
  });
});
