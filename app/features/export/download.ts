/** Saves text as a file through the browser's download. */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fileSlug(title: string): string {
  const slug = title
    .normalize("NFKC")
    // Bidi controls too: "\u202Efdp.exe" must not name a file that displays as "exe.pdf".
    .replace(/[\\/:*?"<>|\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu, " ")
    .trim()
    .slice(0, 60)
    .replace(/\s+/g, "-");
  return slug || "chat";
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
