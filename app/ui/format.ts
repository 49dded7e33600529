const MB = 1024 * 1024;

export function formatMB(bytes: number): string {
  return `${Math.round(bytes / MB).toLocaleString("en-US")} MB`;
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GB` : formatMB(bytes);
}

export function formatRate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
