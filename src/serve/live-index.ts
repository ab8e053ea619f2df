/**
 * The index a running server reads. `tracecode index` updates an index in place, which the open
 * connection sees; an index deleted and built again is a new file, which it would not: the
 * server would answer pages from the old file while `searchIndex` (which opens the folder per
 * query) answers from the new one. So the file's identity is checked on every use and a
 * replaced file is opened again. The old connection stays open until the server stops: a
 * request in progress may still be reading it.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, type IndexStore, openIndex } from "../search/index.js";

/** The database file's device and inode, or undefined while it is missing. */
function identityOf(dir: string): string | undefined {
  try {
    const s = statSync(join(dir, DB_FILE));
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

export class LiveIndex {
  private store: IndexStore;
  private identity: string | undefined;
  private readonly retired: IndexStore[] = [];

  /** `onReplaced` runs after a replaced file was opened (caches of the old one are stale). */
  constructor(
    readonly dir: string,
    private readonly onReplaced: () => void = () => {},
  ) {
    this.identity = identityOf(dir);
    this.store = openIndex(dir);
  }

  /** The index's file as it is now; while it is missing (being rebuilt), the one open. */
  get current(): IndexStore {
    const id = identityOf(this.dir);
    if (id !== undefined && id !== this.identity) {
      const next = openIndex(this.dir);
      this.retired.push(this.store);
      this.store = next;
      this.identity = id;
      this.onReplaced();
    }
    return this.store;
  }

  /** Which file is open: a rebuilt index can repeat the old one's change counter. */
  get file(): string {
    return this.identity ?? "";
  }

  close(): void {
    for (const s of [...this.retired, this.store]) s.close();
    this.retired.length = 0;
  }
}
