// Tool definitions a person approved after the injection scan flagged them, remembered by their
// pin hash (main/policy/pin-store.ts) in <dataDir>/guardrail-approvals.json: a changed definition
// has another hash and is scanned, and asked about, again.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';

const FileSchema = z.object({ version: z.literal(1), approved: z.array(z.string()) });

export class InjectionApprovals {
  private readonly file: string | undefined;
  private readonly approved = new Set<string>();

  /** Without a file (one-off CLI products) approvals last as long as the process. */
  constructor(file?: string) {
    this.file = file;
    if (!file) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`cannot read guardrail approvals ${file}: ${(error as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const parsed = FileSchema.safeParse(raw);
    // A damaged file approves nothing (fail closed): flagged tools are asked about again.
    if (parsed.success) for (const key of parsed.data.approved) this.approved.add(key);
  }

  has(serverId: string, tool: string, hash: string): boolean {
    return this.approved.has(key(serverId, tool, hash));
  }

  approve(serverId: string, tool: string, hash: string): void {
    this.approved.add(key(serverId, tool, hash));
    if (this.file) writeFileAtomic.sync(this.file, JSON.stringify({ version: 1, approved: [...this.approved] }, null, 2), { mode: 0o600 });
  }
}

function key(serverId: string, tool: string, hash: string): string {
  return `${serverId}/${tool}@${hash}`;
}
