import type { EmbedIdentity, ExtractedEmbed, Role } from './model.ts';

/** An embed entry built field by field: one object shape for all (spreading identities of varied shapes is slower). */
export function extractedEmbed(identity: EmbedIdentity, role: Role, url: string): ExtractedEmbed {
  return { provider: identity.provider, providerId: identity.providerId, canonicalUrl: identity.canonicalUrl, role, url };
}
