import { markCutOffReplies } from "./conversation-shape";
import { mergeConversations } from "./cross-tab";
import { ThrottledSaver } from "./throttled-saver";
import type { Conversation, ConversationRepository, ConversationSummary } from "./types";

/**
 * What the sync needs of the tab's memory (the conversations slice): what it holds, and how
 * to put in or take out what storage says. The sync itself keeps no conversations.
 */
export interface SyncHost {
  /** The conversation as this tab holds it in full, if it does. */
  held(id: string): Conversation | undefined;
  /** Every conversation held in full. */
  heldAll(): Conversation[];
  /** The conversation is in the list (read or not). */
  isListed(id: string): boolean;
  /** Puts conversations (read, merged or fixed) into memory. */
  commit(changed: readonly Conversation[]): void;
  /** Drops a conversation from memory and from the list. */
  forget(id: string): void;
  /** A reply is being written into this conversation now. */
  isWritingInto(id: string): boolean;
  /** Stops the reply being written (its conversation was deleted). */
  stopWriting(): void;
  /** The number of IndexedDB writes not finished yet changed by `delta`. */
  writesInFlight(delta: 1 | -1): void;
  /** A save failed; the conversation stays in memory and is saved again later. */
  saveFailed(error: unknown): void;
  /** Everything waiting to be saved is saved (after a failure, the notice can go). */
  allSaved(): void;
  /** A read from storage failed. */
  readFailed(error: unknown): void;
  /** Start-up: the list is known (from the summaries). */
  showList(summaries: ConversationSummary[]): void;
  /** Start-up: opens the newest chat unless the user chose one; returns the open chat's id. */
  openNewest(): string | undefined;
  /** The chat open now, if any. */
  openId(): string | undefined;
  /** Every record was read: `ids` are the readable ones, `rejected` counts the others. */
  allRead(ids: ReadonlySet<string>, rejected: number): void;
  /** Reading every record failed: the list stays as the summaries had it. */
  allReadFailed(error: unknown): void;
}

/**
 * Chat persistence for one tab: saving (throttled while a reply streams), deletion and its
 * tombstones, restore (Undo, import), re-reads when another tab wrote, and the loading order
 * at start. The rules it keeps:
 *
 * - Nothing this tab holds is lost by a read: records read are merged into memory
 *   (storage/cross-tab.ts), never put in place of it.
 * - Stale-read fencing: a conversation deleted here or in another tab since the app started
 *   is never brought back by a read that began before the deletion; each deletion, restore
 *   and re-read takes a new turn, and a re-read or a refused save from an earlier turn leaves
 *   memory as it is (the later one decides).
 * - A save refused because the conversation was deleted (storage/tombstones.ts) drops it from
 *   this tab too, unsaved changes and all, and stops a reply being written into it. Only a
 *   restore, which the user asks for, replaces the tombstone.
 * - Start-up reads the list (summaries) first, then the open chat, then, once those are on
 *   screen, every other record (search and export need their messages); it then makes the
 *   summaries match the records for the next start.
 */
export class ConversationSync {
  // Deleted in this tab, or by another one, since the app started.
  private readonly removed = new Set<string>();
  // Brought back on purpose (Undo, import), the restoring save not written yet: that save may
  // replace the tombstone. The value tells this restore from a later one of the same chat.
  private readonly restoring = new Map<string, symbol>();
  private lastTurn = 0;
  private readonly turns = new Map<string, number>();
  private readonly pendingLoads = new Map<string, Promise<Conversation | undefined>>();
  private fullLoad: Promise<void> | undefined;
  private readonly saver: ThrottledSaver<Conversation>;

  constructor(
    private readonly repository: ConversationRepository,
    private readonly host: SyncHost,
    saveIntervalMs: number,
    /** Resolves once the list and the open chat are on screen (tests: at once). */
    private readonly afterPaint: () => Promise<void> = afterNextPaint,
  ) {
    this.saver = new ThrottledSaver<Conversation>(
      (conversation) => this.write(conversation),
      saveIntervalMs,
      (error) => host.saveFailed(error),
    );
  }

  /** Saves a conversation: at once, or coalesced with the next changes (streamed tokens). */
  save(conversation: Conversation, immediately: boolean): void {
    this.saver.schedule(conversation.id, conversation);
    if (immediately) void this.flush();
  }

  /** Writes whatever is waiting to be saved (end of a reply, page hide, retry). */
  async flush(): Promise<void> {
    await this.saver.flush();
    if (this.saver.failed === undefined) this.host.allSaved();
  }

  /** The user deleted the conversation (it already left memory): remove it from storage. */
  delete(id: string): void {
    this.removed.add(id);
    this.restoring.delete(id);
    this.newTurn(id);
    // Removed from storage now, so a closed tab does not bring it back. The tombstone it leaves
    // refuses every later save of it: this tab's throttled writes and other tabs' copies alike.
    void this.track(this.repository.remove(id).catch(() => undefined));
  }

  /** The user brings a conversation back on purpose: its next save replaces its tombstone. */
  restore(id: string): void {
    this.removed.delete(id);
    this.restoring.set(id, Symbol(id));
    this.newTurn(id);
  }

  /** The list, then the open chat, then every other conversation. */
  async hydrate(): Promise<void> {
    const stored = await this.repository
      .loadSummaries()
      .catch(() => ({ summaries: [], complete: false }));
    if (!stored.complete) {
      // The first start after an update from a version that kept no summaries (or their store
      // is unreadable): list the conversations from their records, which also builds the
      // summaries for the next start.
      await this.loadAll();
      return;
    }
    this.host.showList(stored.summaries.filter((s) => !this.removed.has(s.id)));
    // Reading the open chat drops it if its summary was an orphan; then the next newest opens
    // (each round drops one summary, so this ends).
    let active = this.host.openNewest();
    while (active !== undefined && !(await this.load(active))) {
      if (this.host.openId() !== undefined) break;
      active = this.host.openNewest();
    }
    await this.afterPaint();
    await this.loadAll();
  }

  /** The whole conversation, read from storage if needed; undefined if it is gone. */
  load(id: string): Promise<Conversation | undefined> {
    const held = this.host.held(id);
    if (held) return Promise.resolve(held);
    let pending = this.pendingLoads.get(id);
    if (!pending) {
      pending = this.repository
        .load(id)
        .then(
          (record) => {
            if (record) this.absorb([record]);
            // No readable record: the summary outlived it (a deletion whose summary removal
            // did not happen, or a damaged record the full load sets aside).
            else if (!this.host.held(id) && this.host.isListed(id)) this.host.forget(id);
            return this.host.held(id);
          },
          (error: unknown) => {
            this.host.readFailed(error);
            return undefined;
          },
        )
        .finally(() => this.pendingLoads.delete(id));
      this.pendingLoads.set(id, pending);
    }
    return pending;
  }

  /** Reads every record once (later calls share it; after a failure, a call tries again). */
  loadAll(): Promise<void> {
    this.fullLoad ??= (async () => {
      let read: { conversations: Conversation[]; rejected: number };
      try {
        read = await this.repository.loadAll();
      } catch (error) {
        this.fullLoad = undefined;
        this.host.allReadFailed(error);
        return;
      }
      this.absorb(read.conversations);
      this.host.allRead(new Set(read.conversations.map((c) => c.id)), read.rejected);
      // The records are the truth: make the summaries match them for the next start. What
      // this tab holds now includes every record read plus its own newer changes.
      await this.track(this.repository.rebuildSummaries(this.host.heldAll())).catch(
        () => undefined,
      );
    })();
    return this.fullLoad;
  }

  /** Another tab wrote or deleted this conversation: re-read it and merge in what is new. */
  async reread(id: string): Promise<void> {
    const turn = this.newTurn(id);
    const stored = await this.repository.load(id);
    // A later re-read, or a deletion or restore here since, has the last word.
    if (this.turns.get(id) !== turn) return;
    const mine = this.host.held(id);
    if (!stored) {
      // Another tab deleted it (announcements follow writes, so absent means removed). A reply
      // being written into it stops at its next save, which is refused.
      if (this.host.isWritingInto(id)) return;
      this.removed.add(id);
      if (mine || this.host.isListed(id)) this.host.forget(id);
      return;
    }
    this.removed.delete(id);
    const merged = mine ? mergeConversations(mine, stored) : stored;
    if (merged !== mine) this.host.commit([merged]);
  }

  private async write(conversation: Conversation): Promise<void> {
    const { id } = conversation;
    const turn = this.turns.get(id);
    const restore = this.restoring.get(id);
    const outcome = await this.track(
      this.repository.save(conversation, { restore: restore !== undefined }),
    );
    if (restore !== undefined && this.restoring.get(id) === restore) this.restoring.delete(id);
    // Refused: deleted, here or in another tab, after this tab last read it.
    if (outcome === "deleted" && this.turns.get(id) === turn) this.dropDeleted(id);
  }

  private dropDeleted(id: string): void {
    this.removed.add(id);
    if (this.host.isWritingInto(id)) this.host.stopWriting();
    if (this.host.held(id) || this.host.isListed(id)) this.host.forget(id);
  }

  /** Merges records read from storage into memory; marks replies cut off by a closed tab. */
  private absorb(records: readonly Conversation[]): void {
    const changed: Conversation[] = [];
    let fixedAny = false;
    for (const record of records) {
      if (this.removed.has(record.id)) continue;
      const fixed = markCutOffReplies(record);
      const mine = this.host.held(record.id);
      const merged = mine ? mergeConversations(mine, fixed) : fixed;
      if (merged !== mine) changed.push(merged);
      if (fixed !== record) {
        this.save(merged, false);
        fixedAny = true;
      }
    }
    if (changed.length > 0) this.host.commit(changed);
    if (fixedAny) void this.flush();
  }

  private newTurn(id: string): number {
    this.turns.set(id, ++this.lastTurn);
    return this.lastTurn;
  }

  // Counts writes in flight, so the UI (and tests) can tell when everything is on disk.
  private track<T>(write: Promise<T>): Promise<T> {
    this.host.writesInFlight(1);
    return write.finally(() => this.host.writesInFlight(-1));
  }
}

/**
 * Resolves once the next frame has been painted. Where no frame comes soon (a hidden tab
 * gets no animation frames; unit tests run without any) it resolves after a short wait.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    if (typeof requestAnimationFrame !== "function") return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }),
    );
  });
}
