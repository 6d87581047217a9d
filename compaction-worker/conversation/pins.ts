import { ValidationError } from '../../lib/errors.ts';
import type { ChatMessage } from './message.ts';

/** Pinned messages named by index into the list or by message id. */
export type PinList = (number | string)[];

/**
 * The indexes of the pinned messages of a list: those flagged `pinned`, and
 * those the request names by index or id. A name that matches nothing is an
 * error, so a typo cannot silently unpin a message.
 */
export function resolvePins(messages: ChatMessage[], pins: PinList = []): Set<number> {
  const pinned = new Set<number>();
  messages.forEach((message, index) => {
    if (message.pinned) pinned.add(index);
  });

  const unknown: string[] = [];
  for (const pin of pins) {
    const index =
      typeof pin === 'number' ? pin : messages.findIndex((message) => message.id === pin);
    if (Number.isInteger(index) && index >= 0 && index < messages.length) pinned.add(index);
    else unknown.push(String(pin));
  }
  if (unknown.length > 0) {
    throw new ValidationError('pinned list', [
      { path: 'pinned', message: `no message with index or id ${unknown.join(', ')}` },
    ]);
  }
  return pinned;
}
