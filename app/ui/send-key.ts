export type SendKey = "enter" | "mod-enter";

/**
 * Whether a keydown in the composer sends, for the chosen send key. IME composition (Enter
 * confirming a Chinese candidate) never sends.
 */
export function isSendKeystroke(
  event: {
    key: string;
    shiftKey: boolean;
    ctrlKey: boolean;
    metaKey: boolean;
    isComposing: boolean;
  },
  sendKey: SendKey,
): boolean {
  if (event.key !== "Enter" || event.isComposing) return false;
  if (sendKey === "mod-enter") return event.ctrlKey || event.metaKey;
  return !event.shiftKey;
}
