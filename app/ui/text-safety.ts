/**
 * Untrusted text that names things (chat titles, link text, file names) must not be able to
 * show something other than what it is. Two ways text lies without any markup:
 *
 * - bidirectional embeddings, overrides and isolates reorder what follows them:
 *   "invoice \u202Efdp.exe\u202C" displays as "invoice exe.pdf". They are shown as visible
 *   marks instead (the stored text is not changed). Left-/right-to-left marks (U+200E, U+200F,
 *   U+061C) stay: they only settle the direction of neutral characters and are common in
 *   Arabic and Hebrew text.
 * - link text can look like one address while the link goes to another, or to a look-alike
 *   host in another script. `linkHostToShow` says when the real destination must be shown.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

const NAMES: Record<string, string> = {
  "\u202A": "LRE",
  "\u202B": "RLE",
  "\u202C": "PDF",
  "\u202D": "LRO",
  "\u202E": "RLO",
  "\u2066": "LRI",
  "\u2067": "RLI",
  "\u2068": "FSI",
  "\u2069": "PDI",
};

export function hasBidiControls(text: string): boolean {
  BIDI_CONTROLS.lastIndex = 0;
  return BIDI_CONTROLS.test(text);
}

/** The text with each bidi control replaced by a visible mark such as ⟨RLO⟩. */
export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨${NAMES[c] ?? "BIDI"}⟩`);
}

/** For file names: the controls removed (a file name cannot show marks usefully). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

/** Text that reads as a web address: an optional scheme, a dotted host, an optional path. */
const LOOKS_LIKE_ADDRESS =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^\s/?#@:]+@)?[^\s/?#@:.]+(?:\.[^\s/?#@:.]+)+\.?(?::\d+)?(?:[/?#]\S*)?$/iu;

function hostnameOf(address: string): string | undefined {
  try {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
    // The URL API turns a Unicode host into its punycode (ASCII) form.
    return new URL(withScheme).hostname.replace(/\.$/, "").toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The destination host to show next to a link, or undefined when its text cannot mislead:
 * shown when the text reads as an address on another host, and whenever the destination's
 * host is punycode (a look-alike in another script shows only in its ASCII form).
 */
export function linkHostToShow(text: string, href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if (!host) return undefined;
  if (host.split(".").some((label) => label.startsWith("xn--"))) return host;
  const shown = text.trim();
  if (!LOOKS_LIKE_ADDRESS.test(shown)) return undefined;
  const textHost = hostnameOf(shown);
  if (textHost === undefined) return undefined;
  const strip = (h: string) => h.replace(/^www\./, "");
  return strip(textHost) === strip(host.replace(/\.$/, "")) ? undefined : host;
}
