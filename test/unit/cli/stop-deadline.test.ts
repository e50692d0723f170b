import { describe, expect, it } from 'vitest';
import { stopWithDeadline } from '../../../main/cli/stop-deadline.ts';

describe('stopWithDeadline', () => {
  it('gives up on a stop that never finishes once the deadline passes', async () => {
    let overdue = 0;
    void stopWithDeadline(() => new Promise<void>(() => undefined), 50, () => overdue++);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(overdue).toBe(1);
  });

  it('leaves a stop that finishes in time alone, whether it succeeds or fails', async () => {
    let overdue = 0;
    await stopWithDeadline(async () => undefined, 50, () => overdue++);
    await expect(stopWithDeadline(async () => { throw new Error('store already closed'); }, 50, () => overdue++)).rejects.toThrow('store already closed');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(overdue).toBe(0);
  });
});
