/** Random ids for conversations and messages; unique across tabs and devices. */
export function newId(): string {
  return crypto.randomUUID();
}
