import { afterEach, describe, expect, it, vi } from "vitest";
import { frameThrottle } from "../../app/ui/frame-throttle";

afterEach(() => vi.useRealTimers());

describe("frame throttle", () => {
  it("runs once per interval however many deltas arrive, and flush delivers the rest at once", () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    let latest = 0;
    const t = frameThrottle(() => calls.push(latest), 16);
    for (latest = 1; latest <= 1000; latest++) t.schedule();
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(calls).toEqual([1001]);
    latest = 7;
    t.schedule();
    t.flush();
    expect(calls).toEqual([1001, 7]);
    vi.advanceTimersByTime(100);
    t.flush();
    expect(calls).toEqual([1001, 7]);
  });
});
