import { describe, expect, it } from 'vitest';
import { ApprovalQueue, type PopupHandle } from '../../../main/app/approval-queue.ts';

function setup() {
  const popups: Array<{ id: string; open: boolean; focused: number; closeByUser: () => void }> = [];
  const queue = new ApprovalQueue({
    openPopup: (approval): PopupHandle => {
      const listeners: Array<() => void> = [];
      const entry = { id: approval.id, open: true, focused: 0, closeByUser: () => { entry.open = false; listeners.forEach((l) => l()); } };
      popups.push(entry);
      return { close: () => { if (entry.open) entry.closeByUser(); }, focus: () => { entry.focused++; }, onClosed: (l) => { listeners.push(l); } };
    },
  });
  const open = () => popups.filter((p) => p.open).map((p) => p.id);
  return { queue, popups, open };
}

describe('ApprovalQueue', () => {
  it('shows one pop-up at a time and queues the rest in arrival order', () => {
    const { queue, open } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    queue.add({ id: 'c' });
    expect(open()).toEqual(['a']);
    expect(queue.waiting).toEqual(['b', 'c']);
    expect(queue.pendingCount).toBe(3);
  });

  it('opens the next pop-up when the current one is answered', () => {
    const { queue, open } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    queue.resolve('a');
    expect(open()).toEqual(['b']);
    queue.resolve('b');
    expect(open()).toEqual([]);
    expect(queue.pendingCount).toBe(0);
  });

  it('drops a queued approval answered elsewhere without ever showing it', () => {
    const { queue, popups } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    queue.resolve('b');
    queue.resolve('a');
    expect(popups.map((p) => p.id)).toEqual(['a']);
  });

  it('ignores a duplicate of a pending approval', () => {
    const { queue, popups } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'a' });
    queue.resolve('a');
    expect(popups.map((p) => p.id)).toEqual(['a']);
  });

  it('moves on when the user closes a pop-up without answering, and does not reopen it', () => {
    const { queue, popups, open } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    popups[0]!.closeByUser();
    expect(open()).toEqual(['b']);
    queue.add({ id: 'a' });
    queue.resolve('b');
    expect(open()).toEqual([]);
  });

  it('sync() resolves what is no longer pending and adds what is new', () => {
    const { queue, open } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    queue.sync([{ id: 'b' }, { id: 'c' }]);
    expect(open()).toEqual(['b']);
    expect(queue.waiting).toEqual(['c']);
  });

  it('counts every pending approval, also one whose pop-up the user closed, until it is resolved', () => {
    const { queue, popups } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    popups[0]!.closeByUser();
    expect(queue.pendingCount).toBe(2);
    queue.add({ id: 'a' });
    expect(queue.pendingCount).toBe(2);
    queue.resolve('a');
    expect(queue.pendingCount).toBe(1);
    popups[1]!.closeByUser();
    queue.sync([]);
    expect(queue.pendingCount).toBe(0);
  });

  it('focus() brings the showing pop-up to the front, or shows a waiting or dismissed one in its place', () => {
    const { queue, popups, open } = setup();
    queue.add({ id: 'a' });
    queue.add({ id: 'b' });
    queue.add({ id: 'c' });
    queue.focus('a');
    expect(popups[0]!.focused).toBe(1);
    queue.focus('c');
    expect(open()).toEqual(['c']);
    expect(popups.at(-1)!.focused).toBe(1);
    expect(queue.waiting).toEqual(['a', 'b']);
    popups.at(-1)!.closeByUser();
    expect(open()).toEqual(['a']);
    queue.focus('c');
    expect(open()).toEqual(['c']);
    expect(queue.pendingCount).toBe(3);
  });
});
