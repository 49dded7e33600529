import { useCallback, useLayoutEffect, useRef, type RefCallback } from "react";

const NEAR_BOTTOM_PX = 80;

/**
 * Keeps a scrolling list at its bottom while it grows, unless the user scrolled up to read.
 *
 * Two triggers. When `growth` changes (an update of the streamed reply, a new message) the
 * list scrolls right after React commits, before the browser paints: the layout this forces
 * is the one the frame needs anyway, and the frame paints the new text, the new position and
 * the hover state under the pointer together. Scrolling later (from requestAnimationFrame or
 * a ResizeObserver) costs Chromium a second frame per update to re-check what is under the
 * pointer (measured in test/bench/render.bench.ts). A ResizeObserver then catches growth no
 * update announces: markdown, math and code highlighting that load late, off-screen parts of
 * a long reply taking their real size, a taller composer or a smaller window.
 *
 * Only the user's own scrolling unpins the list. Our scroll's event arrives a frame later,
 * when more text may have arrived, so it must not be mistaken for the user leaving the bottom.
 */
export function useFollowBottom(
  resetKey: unknown,
  growth: unknown,
  /** Told when the user leaves the bottom (false) or comes back to it (true). */
  onPinnedChange?: (pinned: boolean) => void,
): RefCallback<HTMLElement> {
  const scrollerRef = useRef<HTMLElement | null>(null);
  const pinned = useRef(true);
  const ourScrollTop = useRef(-1);
  const notify = useRef(onPinnedChange);
  useLayoutEffect(() => {
    notify.current = onPinnedChange;
  });
  const setPinned = useCallback((value: boolean) => {
    if (pinned.current === value) return;
    pinned.current = value;
    notify.current?.(value);
  }, []);

  const scrollToEnd = useCallback((scroller: HTMLElement) => {
    scroller.scrollTop = scroller.scrollHeight;
    ourScrollTop.current = scroller.scrollTop;
  }, []);

  // A ref callback on the content element (whose parent is the scroller), so the observer is
  // attached whenever the list appears, e.g. when the first message of a chat is added.
  const contentRef = useCallback(
    (content: HTMLElement | null) => {
      const scroller = content?.parentElement;
      if (!content || !scroller) return;
      scrollerRef.current = scroller;
      const onScroll = () => {
        // At the place we scrolled to, the list was at its end (the user may also have come
        // back there); elsewhere, the user decides.
        if (Math.abs(scroller.scrollTop - ourScrollTop.current) < 1) {
          setPinned(true);
          return;
        }
        setPinned(
          scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX,
        );
      };
      const observer = new ResizeObserver(() => {
        // Usually a no-op: the growth effect got there first, and an unchanged scrollTop
        // costs nothing.
        if (pinned.current) scrollToEnd(scroller);
      });
      scroller.addEventListener("scroll", onScroll, { passive: true });
      // The scroller too: a taller composer or a smaller window must not hide the end.
      observer.observe(content);
      observer.observe(scroller);
      return () => {
        scroller.removeEventListener("scroll", onScroll);
        observer.disconnect();
        if (scrollerRef.current === scroller) scrollerRef.current = null;
      };
    },
    [scrollToEnd, setPinned],
  );

  // A newly opened conversation starts at its end.
  useLayoutEffect(() => {
    setPinned(true);
    if (scrollerRef.current) scrollToEnd(scrollerRef.current);
  }, [resetKey, scrollToEnd, setPinned]);

  useLayoutEffect(() => {
    if (pinned.current && scrollerRef.current) scrollToEnd(scrollerRef.current);
  }, [growth, scrollToEnd]);

  return contentRef;
}
