import sanitizeHtml, { type Attributes, type IOptions } from 'sanitize-html';
import { classifyImageSource } from './image-source';
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
 */
export function sanitizeMessageHtml(html: string, options: MessageHtmlOptions): SanitizedHtml {
  let remoteFound = false;

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
    for (const [key, value] of Object.entries(attribs)) {
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
        const first = value.trim().split(/\s+/)[0];
        const url = name === 'img' && first && attribs.src === undefined ? imageUrl(first) : null;
        if (url) out.src = url;
      } else if (key === 'href') {
        const href = name === 'a' ? safeLinkHref(value) : null;
        if (href) out.href = href;
      } else if (!SCRIPT_SCHEME.test(value.replace(IGNORED_IN_URLS, ''))) {
        // Not a URL here, but a value that reads as a script URL has no business in mail.
        out[key] = value;
      }
    }
    if (name === 'a' && out.href) {
      out.target = '_blank';
      out.rel = 'noopener noreferrer';
    }
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
    // An image with nothing to show and no words to stand in for it is only a hole.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs.alt,
  };
  const sanitized = sanitizeHtml(html, config).replace(CARRIED_STYLE, (_match, text: string) => {
    const css = sanitizeStylesheet(unescapeText(text), imageUrl);
    return css ? `<style>${css}</style>` : '';
  });
  return { html: sanitized, remoteImagesBlocked: remoteFound && !options.showRemoteImages };
}
