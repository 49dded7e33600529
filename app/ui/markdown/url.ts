/**
 * Links and images in model output and shared links are untrusted. Only web and mail links
 * are followed; images load only from data:/blob: URLs the page already holds, and remote
 * ones wait for a click (a remote image is a request to a stranger's server: a tracking
 * pixel, or a way to send chat text out in its URL).
 */
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

export function safeLinkHref(href: string | null | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const url = new URL(href);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export type ImageSource =
  { kind: "inline"; src: string } | { kind: "remote"; src: string } | { kind: "blocked" };

const INLINE_IMAGE = /^data:image\/(png|jpe?g|gif|webp|avif);base64,[a-z0-9+/=\s]+$/i;

export function classifyImage(src: string | null | undefined): ImageSource {
  if (!src) return { kind: "blocked" };
  if (INLINE_IMAGE.test(src)) return { kind: "inline", src };
  try {
    const url = new URL(src);
    if (url.protocol === "blob:") return { kind: "inline", src: url.href };
    if (url.protocol === "http:" || url.protocol === "https:") {
      return { kind: "remote", src: url.href };
    }
  } catch {
    // A relative or malformed URL: nothing to load.
  }
  return { kind: "blocked" };
}
