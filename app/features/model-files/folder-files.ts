import type { ImportFile } from "../../protocol/worker-protocol";

/** Files of a folder picked with `<input webkitdirectory>`, paths relative to its parent. */
export function filesFromInput(list: FileList | null): ImportFile[] {
  return Array.from(list ?? [], (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Files of folders (or files) dropped on the page, walked recursively. */
export async function filesFromDrop(items: DataTransferItemList): Promise<ImportFile[]> {
  const roots = Array.from(items, (item) => item.webkitGetAsEntry()).filter(
    (entry): entry is FileSystemEntry => entry !== null,
  );
  const out: ImportFile[] = [];
  for (const root of roots) await walk(root, out);
  return out;
}

async function walk(entry: FileSystemEntry, out: ImportFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ path: entry.fullPath.replace(/^\//, ""), file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the listing in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, out);
  }
}
