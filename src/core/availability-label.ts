import type { Availability } from './model.ts';

/** What a reader is told when the original is not (reliably) there; live and unknown get no badge. */
const LABELS: Partial<Record<Availability, string>> = {
  deleted: 'Deleted',
  protected: 'Protected account',
  suspended: 'Account suspended',
  withheld: 'Withheld',
  not_found: 'Not found',
  embedding_disabled: 'Embedding disabled',
  rate_limited: 'Rate limited',
  blocked: 'Blocked',
  error: 'Unreachable',
};

export function availabilityLabel(availability: Availability): string | undefined {
  return LABELS[availability];
}
