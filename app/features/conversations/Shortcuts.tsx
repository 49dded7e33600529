import { useEffect } from "react";
import { useApp } from "../../store/use-app";

export const COMPOSER_ID = "composer";

function focusComposer(): void {
  document.getElementById(COMPOSER_ID)?.focus();
}

function typingInAField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/**
 * Global keys: Ctrl/⌘+Shift+O new chat, Shift+Esc or "/" (outside a text field) focus the
 * message box, Esc stops a streaming reply (unless a dialog is open: Esc closes it first).
 */
export function Shortcuts() {
  const newChat = useApp((s) => s.newChat);
  const stop = useApp((s) => s.stop);
  const streaming = useApp((s) => s.streaming !== undefined);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.shiftKey && event.key.toLowerCase() === "o") {
        event.preventDefault();
        newChat();
        requestAnimationFrame(focusComposer);
      } else if (event.key === "Escape" && event.shiftKey) {
        event.preventDefault();
        focusComposer();
      } else if (event.key === "Escape" && streaming) {
        if (document.querySelector("dialog[open]")) return;
        event.preventDefault();
        void stop();
      } else if (event.key === "/" && !mod && !typingInAField(event.target)) {
        event.preventDefault();
        focusComposer();
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [newChat, stop, streaming]);

  return null;
}
