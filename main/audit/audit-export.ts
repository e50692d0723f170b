// Audit records as JSON lines or CSV, for `switchboard audit export` and the audit.export API.
import { AuditRecordSchema, type AuditRecord } from '../../shared/audit.ts';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = Object.keys(AuditRecordSchema.shape) as Array<keyof AuditRecord>;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  // Cells starting with = + - @ are formulas in spreadsheets: prefix them so they stay text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRecord(record: AuditRecord, format: ExportFormat): string {
  if (format === 'jsonl') return `${JSON.stringify(record)}\n`;
  return `${CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\n`;
}
