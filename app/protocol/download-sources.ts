/**
 * Where model files may be downloaded from: the one list that the Settings choice, the
 * worker's downloader and the Content-Security-Policy's connect-src (vite.config.ts) all read.
 * Pure data and functions, shared by the app, the worker and the build; no DOM, no Vite.
 *
 * Invariant: catalog entries and cache keys always name a file by its *canonical* URL (the
 * Hugging Face or raw.githubusercontent.com address web-llm itself would use). A source only
 * changes the URL a file is fetched from, never the key it is stored under, so a model
 * downloaded from one source is complete and valid for every other (nothing downloads twice).
 */

/** The canonical host of model folders (web-llm's prebuilt list, `publish` to Hugging Face). */
export const HUGGING_FACE = "https://huggingface.co";

/** The canonical host of web-llm's prebuilt model libraries. */
export const GITHUB_RAW = "https://raw.githubusercontent.com";

export const MODEL_HOSTS = ["huggingface", "hf-mirror", "custom"] as const;
export type ModelHostId = (typeof MODEL_HOSTS)[number];

export const LIBRARY_HOSTS = ["github", "jsdelivr"] as const;
export type LibraryHostId = (typeof LIBRARY_HOSTS)[number];

interface HostInfo {
  /** What replaces the canonical origin when fetching (no trailing slash). */
  base: string;
  /** Origins the CSP must allow for this host, redirect targets included. */
  connect: string[];
}

/**
 * The named hosts. Hugging Face sends weight downloads on to CDNs under *.hf.co, and CSP checks
 * every redirect; hf-mirror.com (a public mirror with Hugging Face's URL layout, reachable from
 * mainland China) is allowed its own subdomains for the same reason. jsDelivr serves any public
 * GitHub repository at cdn.jsdelivr.net/gh/<owner>/<repo>@<ref>/<path>.
 */
export const MODEL_HOST_INFO: Record<Exclude<ModelHostId, "custom">, HostInfo> = {
  huggingface: {
    base: HUGGING_FACE,
    connect: [HUGGING_FACE, "https://*.huggingface.co", "https://*.hf.co"],
  },
  "hf-mirror": {
    base: "https://hf-mirror.com",
    connect: ["https://hf-mirror.com", "https://*.hf-mirror.com"],
  },
};

export const LIBRARY_HOST_INFO: Record<LibraryHostId, HostInfo> = {
  github: { base: GITHUB_RAW, connect: [GITHUB_RAW] },
  jsdelivr: { base: "https://cdn.jsdelivr.net/gh", connect: ["https://cdn.jsdelivr.net"] },
};

/** What the worker needs to fetch a model's files: resolved, no "auto" left. */
export interface DownloadSource {
  /** Replaces `https://huggingface.co` in model folder URLs (a base with Hugging Face's layout). */
  modelBase: string;
  library: LibraryHostId;
}

/** The user's choice as stored in Settings; "auto" follows the UI language. */
export interface DownloadSourceSetting {
  models: "auto" | ModelHostId;
  /** Used when `models` is "custom". */
  customBase: string;
  libraries: "auto" | LibraryHostId;
}

export const DEFAULT_SOURCE_SETTING: DownloadSourceSetting = {
  models: "auto",
  customBase: "",
  libraries: "auto",
};

/**
 * "auto" picks by UI language: Chinese → hf-mirror.com and jsDelivr, because most people who
 * read the app in Chinese are in mainland China, where huggingface.co and
 * raw.githubusercontent.com are often unreachable (both mirrors also work elsewhere, so a
 * wrong guess still downloads); any other language → the canonical hosts. A network error
 * always points the user at this setting.
 */
export function resolveSource(
  setting: DownloadSourceSetting,
  language: "zh" | "en",
): DownloadSource {
  const models =
    setting.models === "auto" ? (language === "zh" ? "hf-mirror" : "huggingface") : setting.models;
  const library =
    setting.libraries === "auto" ? (language === "zh" ? "jsdelivr" : "github") : setting.libraries;
  const custom = models === "custom" ? normalizeBase(setting.customBase) : undefined;
  return {
    modelBase: custom ?? MODEL_HOST_INFO[models === "custom" ? "huggingface" : models].base,
    library,
  };
}

/**
 * A custom base as typed by the user, or undefined when it cannot be one: https anywhere, or
 * http on this machine (a local `npm run model-build -- serve`, a LAN-less mirror).
 */
export function normalizeBase(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) return undefined;
  if (url.search || url.hash || url.username || url.password) return undefined;
  return url.href.replace(/\/+$/, "");
}

/**
 * The URL to fetch a canonical file URL from. Only the two canonical hosts are rewritten; a
 * deploy's own model host (same origin, VITE_MODEL_BASE_URL) is used as it is.
 */
export function fetchUrlFor(canonical: string, source: DownloadSource | undefined): string {
  if (!source) return canonical;
  if (canonical.startsWith(HUGGING_FACE + "/")) {
    return source.modelBase + canonical.slice(HUGGING_FACE.length);
  }
  if (canonical.startsWith(GITHUB_RAW + "/") && source.library === "jsdelivr") {
    // raw.githubusercontent.com/<owner>/<repo>/<ref>/<path> → jsDelivr's <owner>/<repo>@<ref>/<path>
    const [owner, repo, ref, ...path] = canonical.slice(GITHUB_RAW.length + 1).split("/");
    if (owner && repo && ref && path.length > 0) {
      return `${LIBRARY_HOST_INFO.jsdelivr.base}/${owner}/${repo}@${ref}/${path.join("/")}`;
    }
  }
  return canonical;
}

/** True when the source setting decides where this canonical URL is fetched from. */
export function isSourceSwitched(canonical: string): boolean {
  return canonical.startsWith(HUGGING_FACE + "/") || canonical.startsWith(GITHUB_RAW + "/");
}

/**
 * Every origin model files may come from, for connect-src: the named hosts, plus the deploy's
 * own model host and any extra origins it lists at build time (VITE_MODEL_BASE_URL,
 * VITE_MODEL_HOSTS), which is also where a custom base must live under a CSP header.
 */
export function modelConnectSources(extra: (string | undefined)[] = []): string[] {
  const all = [
    ...Object.values(MODEL_HOST_INFO).flatMap((h) => h.connect),
    ...Object.values(LIBRARY_HOST_INFO).flatMap((h) => h.connect),
  ];
  for (const item of extra.flatMap((e) => (e ?? "").split(/[\s,]+/))) {
    if (!/^https?:\/\//.test(item)) continue;
    try {
      all.push(new URL(item).origin);
    } catch {
      // Not a URL: leave it out rather than break the policy.
    }
  }
  return [...new Set(all)];
}
