import { parsePrecedence } from './precedence.js';
import type { Precedence } from './precedence.js';
import { parseChannel, parseText } from './validate.js';

/** An operator's request to send a message on a channel. */
export interface MessageDraft {
  channel: string;
  precedence: Precedence;
  text: string;
}

/**
 * Checks an operator's message at the edge (CLI or API) and returns it in canonical form, or
 * throws the coded error for the first bad field. Nothing is written before this passes.
 */
export function parseMessageDraft(input: {
  channel?: unknown;
  precedence?: unknown;
  text?: unknown;
}): MessageDraft {
  return {
    channel: parseChannel(input.channel),
    precedence: parsePrecedence(input.precedence),
    text: parseText(input.text),
  };
}
