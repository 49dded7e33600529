import { useEffect, useLayoutEffect, useRef, type RefObject } from "react";

const NEAR_BOTTOM_PX = 80;

/**
 * Keeps a scrolling list at its bottom while it grows, unless the user scrolled up to read.
 * The scroll happens right after React commits, before the browser paints: the layout it
 * forces is the one the frame needs anyway, and the frame then paints the new text and the
 * new position together. Scrolling in a later animation frame instead costs a second frame
 * per update (measured in test/bench/render.bench.ts). Callers pass a `growth` that changes
 * about once a frame at most (streamed replies are coalesced upstream), so this is not a
 * layout per token.
 */
export function useFollowBottom(
  growth: unknown,
  resetKey: unknown,
): RefObject<HTMLDivElement | null> {
  const container = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

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

  useLayoutEffect(() => {
    if (!pinned.current) return;
    const element = container.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [container, growth]);

  return container;
}
