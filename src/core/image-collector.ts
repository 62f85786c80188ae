/** Article images as the scanner meets them: <img>, <picture> sources, and the figure captions they belong to. */
import type { AttrSpan, ExtractedEmbed, Occurrence, Range } from './model.ts';
import type { AttributeBuffer } from './attribute-buffer.ts';
import { canonicalImageOf } from './canonical-url.ts';
import { collapseSpace } from './html-text.ts';
import type { HttpUrl } from './http-url.ts';
import { isTrackingPixel, pickImageUrl, sourceCandidate, type SrcsetCandidate } from './image-source.ts';

interface Figure { depth: number; captionDepth: number; caption: string; images: ExtractedEmbed[] }
interface Source { range: Range; attrs: AttrSpan[]; candidate: SrcsetCandidate | undefined }
interface Picture { depth: number; sources: Source[]; embed: ExtractedEmbed | null }

export interface ImageSink {
  resolve(raw: string): HttpUrl | null;
  emit(o: Occurrence): void;
}

export class ImageCollector {
  private readonly figures: Figure[] = [];
  /** The figure whose figcaption is open: its text is being collected. */
  private captioned: Figure | null = null;
  private picture: Picture | null = null;

  constructor(private readonly sink: ImageSink) {}

  get inCaption(): boolean {
    return this.captioned !== null;
  }

  captionText(data: string): void {
    if (this.captioned !== null) this.captioned.caption += data;
  }

  openFigure(depth: number): void {
    this.figures.push({ depth, captionDepth: 0, caption: '', images: [] });
  }

  openFigcaption(depth: number): void {
    const figure = this.figures.at(-1);
    if (figure === undefined || this.captioned !== null) return;
    this.captioned = figure;
    figure.captionDepth = depth;
    figure.caption += ' ';
  }

  openPicture(depth: number): void {
    this.picture = { depth, sources: [], embed: null };
  }

  img(attrs: AttributeBuffer, range: Range): void {
    if (isTrackingPixel(attrs.getter)) return;
    const pic = this.picture;
    const raw = pickImageUrl(attrs.getter) ?? bestSource(pic);
    const u = raw === undefined ? null : this.sink.resolve(raw);
    if (u === null) return;
    const embed = this.imageEmbed(u, attrs.get('alt'));
    this.sink.emit({ kind: 'img', embed, range, attrs: attrs.spans() });
    if (pic !== null && pic.embed === null) pic.embed = embed;
  }

  source(attrs: AttributeBuffer, range: Range): void {
    if (this.picture === null) return;
    const get = attrs.getter;
    if (get('srcset') === undefined && get('data-srcset') === undefined && get('data-lazy-srcset') === undefined) return;
    this.picture.sources.push({ range, attrs: attrs.spans(), candidate: sourceCandidate(get) });
  }

  /** The element open at `depth` has closed. */
  closeAt(depth: number): void {
    const figure = this.figures.at(-1);
    if (figure === undefined && this.picture === null) return;
    if (this.captioned !== null && depth === this.captioned.captionDepth) {
      this.captioned.captionDepth = 0;
      this.captioned = null;
    }
    if (this.picture !== null && depth === this.picture.depth) this.closePicture(this.picture);
    if (figure !== undefined && depth === figure.depth) this.closeFigure(figure);
  }

  private imageEmbed(u: HttpUrl, alt: string | undefined): ExtractedEmbed {
    const canonicalUrl = canonicalImageOf(u);
    const embed: ExtractedEmbed = { provider: 'image', providerId: canonicalUrl, canonicalUrl, role: 'image', url: u.href };
    const text = alt === undefined ? '' : collapseSpace(alt);
    if (text !== '') embed.alt = text;
    this.figures.at(-1)?.images.push(embed);
    return embed;
  }

  private closePicture(pic: Picture): void {
    this.picture = null;
    let embed = pic.embed;
    if (embed === null) {
      // A picture without a usable <img>: its sources still name the photo.
      const raw = bestSource(pic);
      const u = raw === undefined ? null : this.sink.resolve(raw);
      if (u === null) return;
      embed = this.imageEmbed(u, undefined);
    }
    for (const s of pic.sources) this.sink.emit({ kind: 'img', embed, range: s.range, attrs: s.attrs });
  }

  private closeFigure(figure: Figure): void {
    this.figures.pop();
    if (this.captioned === figure) this.captioned = null;
    const caption = collapseSpace(figure.caption);
    if (caption === '') return;
    for (const image of figure.images) image.caption = caption;
  }
}

/** The widest candidate among a picture's sources (the first, when none says its width). */
function bestSource(pic: Picture | null): string | undefined {
  if (pic === null) return undefined;
  let best: SrcsetCandidate | undefined;
  for (const s of pic.sources) {
    const c = s.candidate;
    if (c !== undefined && (best === undefined || c.width > best.width)) best = c;
  }
  return best?.url;
}
