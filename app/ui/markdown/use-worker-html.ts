import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { showLateResult } from "../late-results";

/**
 * HTML that a renderer in a worker makes for a code block or a formula (lazy.ts): the cached
 * result at once if there is one (`null`: none yet), else `undefined` until `render` answers.
 * While a reply streams, the answer shows with its next update (late-results.ts). `key` names
 * the input: a new key asks again, and an answer for an older key is never shown.
 */
export function useWorkerHtml(
  key: string,
  cached: string | undefined | null,
  enabled: boolean,
  render: () => Promise<string | undefined>,
): string | undefined {
  const [result, setResult] = useState<{ key: string; html: string | undefined }>();
  const latest = useRef(render);
  useLayoutEffect(() => {
    latest.current = render;
  });

  useEffect(() => {
    if (!enabled || cached !== null) return;
    let live = true;
    void latest.current().then((html) => {
      showLateResult(() => {
        if (live) setResult({ key, html });
      });
    });
    return () => {
      live = false;
    };
  }, [key, enabled, cached]);

  if (cached !== null) return cached;
  return result?.key === key ? result.html : undefined;
}
