import { randomBytes } from 'node:crypto';
import { ParleyError } from '@parley/core';
import type { Store } from '@parley/store';
import { isMember, requireMemberOr } from '../auth.js';
import type { Actor } from '../auth.js';

const DRAFT_PREFIX = 'draft.';

/** A message waiting for its second person (two-person rule); local, not yet in any feed. */
export interface Draft {
  id: string;
  channel: string;
  author: string;
  created: number;
  body: Record<string, unknown>;
}

/**
 * The drafts of the two-person rule, kept in the station's store (local, not in any feed). Each
 * belongs to its channel: an operator who is not a member of it neither lists it nor finds it by
 * id (the same 404 as a draft that does not exist, so that neither it nor its channel is confirmed).
 */
export class MessageDrafts {
  constructor(private readonly store: Store) {}

  /** Files a new draft and returns it. */
  async file(channel: string, author: string, created: number, body: Record<string, unknown>) {
    const draft: Draft = {
      id: `d_${randomBytes(9).toString('base64url')}`,
      channel,
      author,
      created,
      body,
    };
    await this.store.setMeta(DRAFT_PREFIX + draft.id, JSON.stringify(draft));
    return draft;
  }

  /** The drafts of the channels the actor is a member of. */
  async list(actor: Actor): Promise<Draft[]> {
    const all = (await this.store.listMeta(DRAFT_PREFIX)).map(([, v]) => JSON.parse(v) as Draft);
    return all.filter((d) => isMember(actor, d.channel));
  }

  /** A draft of one of the actor's channels, or `PARLEY_E_DRAFT_NOT_FOUND`. */
  async get(actor: Actor, id: string): Promise<Draft> {
    const notFound = () =>
      new ParleyError(
        'PARLEY_E_DRAFT_NOT_FOUND',
        `no draft ${JSON.stringify(id)} awaits approval`,
        {
          id,
        },
      );
    const text = await this.store.getMeta(DRAFT_PREFIX + id);
    if (!text) throw notFound();
    const draft = JSON.parse(text) as Draft;
    requireMemberOr(actor, draft.channel, notFound);
    return draft;
  }

  async remove(id: string): Promise<void> {
    await this.store.deleteMeta(DRAFT_PREFIX + id);
  }
}
