import { useStrings } from "../i18n/i18n";
import { COMPOSER_ID } from "../ui/focus-composer";

/**
 * The first Tab stop: straight to the message box, past the conversation list and the
 * header. It focuses the box itself instead of following the href, because the page's
 * #fragment is where shared conversations travel.
 */
export function SkipLink() {
  const t = useStrings();
  return (
    <a
      href={`#${COMPOSER_ID}`}
      onClick={(e) => {
        e.preventDefault();
        document.getElementById(COMPOSER_ID)?.focus();
      }}
      className="sr-only z-50 rounded bg-violet-700 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
    >
      {t.skipToComposer}
    </a>
  );
}
