import type { Provider } from '../core/model.ts';
import { imageProvider } from './image.ts';
import type { ProviderDefinition } from './provider.ts';
import { webProvider } from './web.ts';
import { xProvider } from './x.ts';
import { youtubeProvider } from './youtube.ts';

/** Providers that can capture; others keep only what the article itself carried. */
export const PROVIDER_REGISTRY: Partial<Record<Provider, ProviderDefinition>> = {
  x: xProvider,
  image: imageProvider,
  youtube: youtubeProvider,
  web: webProvider,
};
