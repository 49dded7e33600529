import { afterEach, describe, expect, it, vi } from "vitest";
import { deltaBatcher } from "../../../workers/delta-batcher";

afterEach(() => vi.useRealTimers());

describe("worker delta batcher", () => {
  it("sends the first token at once, then at most one message per interval, losing nothing", () => {
    vi.useFakeTimers();
    const sent: [string, number][] = [];
    const batcher = deltaBatcher(
      (text, tokens) => sent.push([text, tokens]),
      16,
      () => Date.now(),
    );
    batcher.push("a");
    expect(sent).toEqual([["a", 1]]);
    for (const token of ["b", "c", "d"]) batcher.push(token);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual([
      ["a", 1],
      ["bcd", 3],
    ]);
    // A token long after the last message goes out at once again.
    vi.advanceTimersByTime(100);
    batcher.push("e");
    expect(sent.at(-1)).toEqual(["e", 1]);
    batcher.push("f");
    batcher.flush();
    expect(sent.at(-1)).toEqual(["f", 1]);
    // Flushing with nothing waiting sends nothing, and no timer fires later.
    batcher.flush();
    vi.advanceTimersByTime(100);
    expect(sent.map(([text]) => text).join("")).toBe("abcdef");
    expect(sent.reduce((n, [, tokens]) => n + tokens, 0)).toBe(6);
    expect(sent).toHaveLength(4);
  });

  it("coalesces a flood: 10,000 tokens in one second cross as about 60 messages", () => {
    vi.useFakeTimers();
    let messages = 0;
    let text = "";
    const batcher = deltaBatcher(
      (batch) => {
        messages += 1;
        text += batch;
      },
      16,
      () => Date.now(),
    );
    for (let i = 0; i < 10_000; i++) {
      batcher.push("x");
      vi.advanceTimersByTime(0.1);
    }
    batcher.flush();
    expect(text).toHaveLength(10_000);
    expect(messages).toBeGreaterThan(50);
    expect(messages).toBeLessThan(70);
  });
});
