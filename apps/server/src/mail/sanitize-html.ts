import sanitizeHtml, { type Attributes, type IOptions } from 'sanitize-html';

type ParserOptions = NonNullable<IOptions['parser']>;
import { classifyImageSource } from './image-source';
import { AttributeLimitingTokenizer } from './limited-tokenizer';
import { safeLinkHref } from './link-href';
import { sanitizeStyleAttribute, sanitizeStylesheet } from './sanitize-css';

export interface MessageHtmlOptions {
  /** Show remote images (through `proxyUrl`); otherwise they are removed. */
  showRemoteImages: boolean;
  /** The same-origin URL that serves a remote image through Popgate's proxy. */
  proxyUrl: (remoteUrl: string) => string;
  /** The URL of the message part a `cid:` reference names, or null when there is none. */
  inlinePartUrl: (contentId: string) => string | null;
}

/**
 * How deep elements may nest. htmlparser2 keeps its open elements in an array it shifts and
 * searches on every tag, so each tag costs time in proportion to the depth; bounding the depth
 * keeps sanitizing linear in the size of the message. Browsers stop nesting at 512 too (Blink).
 */
export const MAX_NESTING_DEPTH = 512;

/** The HTML nests deeper than anyone writes by hand or by tool: it is not shown as HTML. */
export class HtmlTooComplexError extends Error {
  constructor() {
    super(`elements nest deeper than ${MAX_NESTING_DEPTH} levels`);
    this.name = 'HtmlTooComplexError';
  }
}

export interface SanitizedHtml {
  html: string;
  /** The message has remote images that were removed (the reader may choose to show them). */
  remoteImagesBlocked: boolean;
}

/**
 * <style> elements travel through sanitize-html under this name: as an unknown element its text
 * comes out HTML-escaped (never raw), so it can be found whole afterwards, un-escaped, and cleaned
 * as CSS before it is written back as a real <style>.
 */
const STYLE_CARRIER = 'popgate-style';
const CARRIED_STYLE = new RegExp(`<${STYLE_CARRIER}>([^<]*)</${STYLE_CARRIER}>`, 'g');

const ALLOWED_TAGS = [
  ...['a', 'abbr', 'acronym', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'big'],
  ...['blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del'],
  ...['details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'footer'],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li'],
  ...['main', 'mark', 'ol', 'p', 'pre', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'section'],
  ...['small', 'span', 'strike', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td'],
  ...['tfoot', 'th', 'thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr', STYLE_CARRIER],
];

/** Presentation attributes mail is made of; no ids or names (they could clobber the page's DOM). */
const COMMON_ATTRIBUTES = [
  ...['style', 'class', 'title', 'lang', 'dir', 'align', 'valign', 'bgcolor', 'background'],
  ...['width', 'height', 'border', 'cellpadding', 'cellspacing', 'colspan', 'rowspan', 'color'],
  ...['face', 'size', 'nowrap', 'start', 'type', 'scope', 'abbr', 'hspace', 'vspace', 'span'],
  ...['clear', 'datetime', 'reversed', 'summary', 'frame', 'rules', 'noshade', 'open'],
];

const COMMON_ATTRIBUTE_SET = new Set(COMMON_ATTRIBUTES);

/** Whether sanitize-html keeps attribute `key` on element `name` (the allowedAttributes below). */
function attributeAllowed(name: string, key: string): boolean {
  return (
    COMMON_ATTRIBUTE_SET.has(key) ||
    (name === 'a' && (key === 'target' || key === 'rel')) ||
    (name === 'img' && key === 'alt')
  );
}

/** Not an allowed tag: an element renamed to this is discarded (its content is kept). */
const DROPPED = 'popgate-dropped';

/** Elements whose content is dropped with them: it is not text a reader should see. */
const CONTENT_DROPPED_WITH_TAG = [
  ...['script', 'style', 'textarea', 'option', 'xmp', 'title', 'noscript', 'noembed'],
  ...['noframes', 'template', 'svg', 'math', 'object', 'applet', 'select'],
];

const SCRIPT_SCHEME = /(?:java|vb)script:/i;
// eslint-disable-next-line no-control-regex -- browsers skip these when they read a URL
const IGNORED_IN_URLS = /[\s\u0000-\u001f]/g;

function unescapeText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Sanitizes a message's HTML for display: only formatting survives (no script, event handlers,
 * forms, frames, plugins, base, meta or link elements, no external CSS); links open in a new
 * window without a referrer; images come only from the message's own parts, data: raster
 * images, or — when the reader allows it — remote URLs rewritten to Popgate's proxy.
 *
 * Its time grows linearly with the size of the HTML. Throws HtmlTooComplexError when elements
 * nest deeper than MAX_NESTING_DEPTH.
 */
export function sanitizeMessageHtml(html: string, options: MessageHtmlOptions): SanitizedHtml {
  let remoteFound = false;
  let depth = 0;

  /** The URL an image may be loaded from, or null to drop it. */
  const imageUrl = (raw: string): string | null => {
    const source = classifyImageSource(raw);
    switch (source.kind) {
      case 'remote':
        remoteFound = true;
        return options.showRemoteImages ? options.proxyUrl(source.url) : null;
      case 'inline-part':
        return options.inlinePartUrl(source.contentId);
      case 'data':
        return source.url;
      case 'unusable':
        return null;
    }
  };

  const transformAll = (tagName: string, attribs: Attributes) => {
    if (tagName === 'style') return { tagName: STYLE_CARRIER, attribs: {} };
    // A literal <popgate-style> in the message is not ours.
    if (tagName === STYLE_CARRIER) return { tagName: 'span', attribs: {} };
    const name = tagName === 'body' ? 'div' : tagName;
    const out: Attributes = {};
    // for...in rather than Object.entries: a tag with a million attributes is still one pass.
    for (const key in attribs) {
      if (!Object.hasOwn(attribs, key)) continue;
      const value = attribs[key]!;
      if (key === 'style') {
        const style = sanitizeStyleAttribute(value, imageUrl);
        if (style) out.style = style;
      } else if (key === 'background') {
        const url = imageUrl(value);
        if (url && !url.startsWith('data:')) out.background = url;
      } else if (key === 'src') {
        // Only images may load anything; other elements' sources are never wanted.
        const url = name === 'img' ? imageUrl(value) : null;
        if (url) out.src = url;
      } else if (key === 'srcset') {
        // One source is enough: a srcset's first candidate stands in when there is no src.
        const first = /^\s*(\S+)/.exec(value)?.[1];
        const url = name === 'img' && first && attribs.src === undefined ? imageUrl(first) : null;
        if (url) out.src = url;
      } else if (key === 'href') {
        const href = name === 'a' ? safeLinkHref(value) : null;
        if (href) out.href = href;
      } else if (
        // Others would be dropped later; dropping them now keeps a tag's cost to what it keeps.
        attributeAllowed(name, key) &&
        // Not a URL here, but a value that reads as a script URL has no business in mail.
        !SCRIPT_SCHEME.test(value.replace(IGNORED_IN_URLS, ''))
      ) {
        out[key] = value;
      }
    }
    if (name === 'a' && out.href) {
      out.target = '_blank';
      out.rel = 'noopener noreferrer';
    }
    // An image with nothing to show and no words to stand in for it is only a hole.
    if (name === 'img' && !out.src && !out.alt) return { tagName: DROPPED, attribs: {} };
    return { tagName: name, attribs: out };
  };

  const config: IOptions = {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      '*': COMMON_ATTRIBUTES,
      a: ['href', 'target', 'rel'],
      img: ['src', 'alt'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'background', 'cite'],
    allowProtocolRelative: false,
    nonTextTags: CONTENT_DROPPED_WITH_TAG,
    disallowedTagsMode: 'discard',
    transformTags: { '*': transformAll },
    // htmlparser2's own options; its tokenizer reports a bounded number of attributes per element.
    parser: { Tokenizer: AttributeLimitingTokenizer as unknown as ParserOptions['Tokenizer'] },
    // transformAll has cleaned every style attribute already; parsing it again costs time only.
    parseStyleAttributes: false,
    // Every element htmlparser2 keeps open passes through here (voids open and close at once).
    onOpenTag: () => {
      depth += 1;
      if (depth > MAX_NESTING_DEPTH) throw new HtmlTooComplexError();
    },
    onCloseTag: () => {
      depth -= 1;
    },
  };
  const sanitized = sanitizeHtml(html, config).replace(CARRIED_STYLE, (_match, text: string) => {
    const css = sanitizeStylesheet(unescapeText(text), imageUrl);
    return css ? `<style>${css}</style>` : '';
  });
  return { html: sanitized, remoteImagesBlocked: remoteFound && !options.showRemoteImages };
}
