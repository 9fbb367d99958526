import { ValidationError } from '../../shared/http/index.js';
import { bonusKeys } from '../keys.js';

/** Entries per ledger page when the client names no `limit`. */
export const DEFAULT_LEDGER_PAGE = 50;
/** The largest page a client may ask for. */
export const MAX_LEDGER_PAGE = 100;

/** Where a ledger page starts: after this ledger item (DynamoDB's `ExclusiveStartKey`). */
export interface LedgerKey {
  readonly pk: string;
  readonly sk: string;
}

export interface LedgerPageQuery {
  readonly limit: number;
  /** `undefined` on the first page. */
  readonly after?: LedgerKey;
}

/** The opaque cursor of a page that ends at `key`: base64url of its JSON. */
export function encodeLedgerCursor(key: LedgerKey): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk }), 'utf8').toString('base64url');
}

/**
 * Reads `?limit=` (1..100, default 50) and `?cursor=` of `GET /managers/{manager_uid}/ledger`.
 * A cursor is only accepted when it is one this API handed out for THIS manager's ledger
 * (base64url JSON of a ledger item's key under the manager's partition): anything else would
 * either fail inside DynamoDB or read another partition.
 *
 * @throws {@link ValidationError} naming `query.limit` or `query.cursor`
 *
 * @example
 * ```ts
 * const { limit, after } = parseLedgerPageQuery(request.query, managerUid);
 * ```
 */
export function parseLedgerPageQuery(query: Readonly<Record<string, string | undefined>>, managerUid: string): LedgerPageQuery {
  const limit = query.limit === undefined ? DEFAULT_LEDGER_PAGE : Number(query.limit);
  if (!/^\d+$/.test(query.limit ?? String(DEFAULT_LEDGER_PAGE)) || !Number.isInteger(limit) || limit < 1 || limit > MAX_LEDGER_PAGE) {
    throw new ValidationError('query.limit', `limit must be an integer from 1 to ${MAX_LEDGER_PAGE}`);
  }
  if (query.cursor === undefined) return { limit };
  return { limit, after: decodeCursor(query.cursor, managerUid) };
}

function decodeCursor(cursor: string, managerUid: string): LedgerKey {
  const malformed = () => new ValidationError('query.cursor', 'cursor is not one this ledger handed out (use next_cursor of the previous page)');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw malformed();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const { pk, sk } = (key ?? {}) as Partial<Record<string, unknown>>;
  const keys = key && typeof key === 'object' ? Object.keys(key) : [];
  if (keys.length !== 2 || typeof pk !== 'string' || typeof sk !== 'string') throw malformed();
  if (pk !== bonusKeys.manager(managerUid).pk || !sk.startsWith(bonusKeys.ledgerPrefix)) throw malformed();
  return { pk, sk };
}
