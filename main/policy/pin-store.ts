// Tool pinning: the first time a server's tool is seen, a sha256 of its canonical definition
// (name, description, input schema, annotations) is stored in <dataDir>/tool-pins.json; a later
// different definition is a change, kept (old and new) until accepted, so the UI can show a diff.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { canonicalJson } from '../base/canonical-json.ts';

export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema?: unknown;
  readonly annotations?: unknown;
}

const DefinitionSchema = z.object({ name: z.string(), description: z.string().optional(), inputSchema: z.unknown().optional(), annotations: z.unknown().optional() });
const PinSchema = z.object({ hash: z.string(), definition: DefinitionSchema, firstSeen: z.string(), updatedAt: z.string() });
const ChangeSchema = z.object({ serverId: z.string(), tool: z.string(), oldHash: z.string(), newHash: z.string(), old: DefinitionSchema, new: DefinitionSchema, detectedAt: z.string() });
const FileSchema = z.object({
  version: z.literal(1),
  servers: z.record(z.string(), z.record(z.string(), PinSchema)),
  changes: z.array(ChangeSchema),
});

export type PinnedTool = z.infer<typeof PinSchema> & { serverId: string; tool: string };
export type PinChange = z.infer<typeof ChangeSchema>;
export type PinCheck = { status: 'new' | 'same'; hash: string } | { status: 'changed'; hash: string; change: PinChange };

export function pinnedDefinition(tool: ToolDefinition): ToolDefinition {
  return {
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    ...(tool.inputSchema !== undefined ? { inputSchema: tool.inputSchema } : {}),
    ...(tool.annotations !== undefined ? { annotations: tool.annotations } : {}),
  };
}

export function hashToolDefinition(tool: ToolDefinition): string {
  return createHash('sha256').update(canonicalJson(pinnedDefinition(tool))).digest('hex');
}

export interface PinStoreDeps {
  readonly file: string;
  readonly now?: () => Date;
}

export class PinStore {
  private readonly deps: PinStoreDeps;
  private data: z.infer<typeof FileSchema> = { version: 1, servers: {}, changes: [] };

  constructor(deps: PinStoreDeps) {
    this.deps = deps;
    this.load();
  }

  /**
   * Compares a definition with the pin: pins it on first sight, records (or refreshes) a pending
   * change when it differs, and clears a pending change when the server went back to the pinned one.
   */
  observe(serverId: string, tool: ToolDefinition): PinCheck {
    const hash = hashToolDefinition(tool);
    const pins = (this.data.servers[serverId] ??= {});
    const pin = pins[tool.name];
    const now = this.now();
    if (!pin) {
      pins[tool.name] = { hash, definition: pinnedDefinition(tool), firstSeen: now, updatedAt: now };
      this.save();
      return { status: 'new', hash };
    }
    const existing = this.data.changes.findIndex((c) => c.serverId === serverId && c.tool === tool.name);
    if (pin.hash === hash) {
      if (existing !== -1) {
        this.data.changes.splice(existing, 1);
        this.save();
      }
      return { status: 'same', hash };
    }
    if (existing !== -1 && this.data.changes[existing]!.newHash === hash) return { status: 'changed', hash, change: this.data.changes[existing]! };
    const change: PinChange = { serverId, tool: tool.name, oldHash: pin.hash, newHash: hash, old: pin.definition, new: pinnedDefinition(tool), detectedAt: now };
    if (existing !== -1) this.data.changes.splice(existing, 1, change);
    else this.data.changes.push(change);
    this.save();
    return { status: 'changed', hash, change };
  }

  /** Accept the pending change: the new definition becomes the pin. */
  accept(serverId: string, tool: string): boolean {
    const index = this.data.changes.findIndex((c) => c.serverId === serverId && c.tool === tool);
    if (index === -1) return false;
    const change = this.data.changes[index]!;
    const pins = (this.data.servers[serverId] ??= {});
    pins[tool] = { hash: change.newHash, definition: change.new, firstSeen: pins[tool]?.firstSeen ?? change.detectedAt, updatedAt: this.now() };
    this.data.changes.splice(index, 1);
    this.save();
    return true;
  }

  pinned(serverId?: string): PinnedTool[] {
    return Object.entries(this.data.servers)
      .filter(([id]) => serverId === undefined || id === serverId)
      .flatMap(([id, tools]) => Object.entries(tools).map(([tool, pin]) => ({ serverId: id, tool, ...pin })));
  }

  changes(serverId?: string): PinChange[] {
    return this.data.changes.filter((c) => serverId === undefined || c.serverId === serverId);
  }

  /** Forget a server's pins (e.g. the server was removed). */
  forget(serverId: string): void {
    delete this.data.servers[serverId];
    this.data.changes = this.data.changes.filter((c) => c.serverId !== serverId);
    this.save();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.deps.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`cannot read tool pins ${this.deps.file}: ${(error as Error).message}`);
    }
    // A damaged pins file must not silently re-pin whatever the servers say now.
    const parsed = FileSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new Error(`tool pins file ${this.deps.file} is damaged; move it away to start pinning afresh`);
    this.data = parsed.data;
  }

  private save(): void {
    writeFileAtomic.sync(this.deps.file, JSON.stringify(this.data, null, 2), { mode: 0o600 });
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
