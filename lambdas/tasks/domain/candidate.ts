import type { NewCandidateV0Payload } from '../../shared/registry/generated/types.js';
import type { Candidate } from '../keys.js';

/**
 * The candidate tasks keeps from a `NewCandidate` v0 event (enough to know it may be assigned tasks).
 *
 * @example
 * ```ts
 * const candidate = candidateFromEvent(event.payload, event.produced_at);
 * ```
 */
export function candidateFromEvent(payload: NewCandidateV0Payload, producedAt: string): Candidate {
  return { candidate_uid: payload.candidate_uid, name: payload.name, surname: payload.surname, registered_at: producedAt };
}
