import { describe, expect, it } from 'vitest';
import { newRecordId, recordIdTime } from '../../../main/audit/record-id.ts';

describe('record ids', () => {
  it('are UUIDv7, unique and strictly increasing even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newRecordId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recordIdTime(ids[0]!)).toBe(1_700_000_000_000);
  });
});
