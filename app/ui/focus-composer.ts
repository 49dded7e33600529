/** The message box's id: the skip link, shortcuts and focus hand-offs all aim at it. */
export const COMPOSER_ID = "composer";

/**
 * Puts focus in the message box after the frame that (re)renders it, so it works right after
 * a state change that mounts it (New chat, a model that just finished loading).
 */
export function focusComposerSoon(): void {
  requestAnimationFrame(() => document.getElementById(COMPOSER_ID)?.focus());
}
