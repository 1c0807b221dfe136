/**
 * Keyed blind index of the person registry: what a search may match (a codice fiscale, the tokens
 * of a name with the birth year, the tokens of an alias) is stored only as HMAC-SHA256 under a key
 * derived from a master key, never in clear, so the database holds no searchable personal text and
 * equal values cannot be found without the key ring.
 *
 * Every master key of the ring derives its own index key (HKDF, fixed info): entries are written
 * under the active key and tagged with its id, and a search computes its tokens under every key of
 * the ring, so a rotation needs no re-indexing.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { MasterKeyRing } from './key-ring';

/** What an index entry is about; part of the HMAC input, so a name token never matches an alias token. */
export const blindIndexKinds = ['codice_fiscale', 'name', 'alias'] as const;
export type BlindIndexKind = (typeof blindIndexKinds)[number];

/** One entry (or one token to look up): the master key it was computed under, and the HMAC. */
export interface BlindToken {
  kind: BlindIndexKind;
  keyId: string;
  token: Buffer;
}

const derivedKeys = new WeakMap<Buffer, Buffer>();

function indexKeyOf(master: Buffer): Buffer {
  let key = derivedKeys.get(master);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'reticulate person blind index v1', 32));
    derivedKeys.set(master, key);
  }
  return key;
}

/**
 * The search tokens of a free text: lower case, accents and other marks folded (à → a), apostrophes
 * joined (D'Angelo → dangelo), split on anything that is not a letter or digit, duplicates dropped.
 */
export function normalisedTokens(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '');
  return [...new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((token) => token !== ''))];
}

/** What is HMACed for an entry: the kind, then the value (the name tokens also carry the birth year). */
function inputOf(kind: BlindIndexKind, value: string): string {
  return `${kind}\u0000${value}`;
}

export class BlindIndex {
  constructor(private readonly ring: MasterKeyRing) {}

  /** The token of a value under one master key of the ring. */
  private tokenUnder(keyId: string, kind: BlindIndexKind, value: string): BlindToken {
    const master = this.ring.keys.get(keyId) as Buffer;
    return { kind, keyId, token: createHmac('sha256', indexKeyOf(master)).update(inputOf(kind, value), 'utf8').digest() };
  }

  /** Entries to store for a value: under the active master key. */
  entry(kind: BlindIndexKind, value: string): BlindToken {
    return this.tokenUnder(this.ring.activeId, kind, value);
  }

  /** Tokens to look a value up with: one per master key of the ring. */
  lookup(kind: BlindIndexKind, value: string): BlindToken[] {
    return [...this.ring.keys.keys()].map((keyId) => this.tokenUnder(keyId, kind, value));
  }
}

/** The indexed value of a name token: bound to the birth year, so one token alone matches a year's people, not everyone's. */
export function nameTokenValue(token: string, birthYear: number): string {
  return `${birthYear}\u0000${token}`;
}
