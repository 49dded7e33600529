import { useEffect, useLayoutEffect, useRef, type RefObject } from "react";

const NEAR_BOTTOM_PX = 80;

/**
 * Keeps a scrolling list at its bottom while it grows, unless the user scrolled up to read.
 * At most one scroll per animation frame: a streaming reply grows per token, and scrolling
 * each time forces a layout per token (measured in test/bench/render.bench.ts).
 */
export function useFollowBottom(
  growth: unknown,
  resetKey: unknown,
): RefObject<HTMLDivElement | null> {
  const container = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const frame = useRef(0);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onScroll = () => {
      pinned.current =
        element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, [container, resetKey]);

  // A newly opened conversation starts at its end.
  useLayoutEffect(() => {
    pinned.current = true;
    const element = container.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [container, resetKey]);

  useEffect(() => {
    if (!pinned.current || frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const element = container.current;
      if (element) element.scrollTop = element.scrollHeight;
    });
  }, [container, growth]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  return container;
}
