import postcss, { type ChildNode, type Container, type Declaration } from 'postcss';

/** Decides what a `url(...)` in a message's CSS becomes: the URL to write, or null to drop it. */
export type CssImageUrl = (raw: string) => string | null;

/** Properties that run code or bind behaviour in some browser. */
const FORBIDDEN_PROPERTIES = new Set(['behavior', '-ms-behavior', '-moz-binding']);
const PROPERTY_NAME = /^-?[a-z][a-z0-9-]*$/;
/**
 * Positions that pin an element to the reading pane rather than the message: a sender's banner
 * could cover the message (or dress up as Popgate's own controls). Dropped, the element flows
 * where the message puts it.
 */
const PINNED_POSITION = /^(?:-webkit-)?(?:fixed|sticky)$/i;
/** Backslash escapes can spell anything (`\75 rl(`); angle brackets could end the style element. */
const UNSAFE_CHARACTERS = /[\\<>]/;
const UNSAFE_WORDS = /expression|javascript|vbscript|@import|-moz-binding|behavior/i;
/** Functions that load resources without url(): dropped rather than understood. */
const LOADING_FUNCTIONS =
  /(?:^|[^a-z0-9_-])(?:-webkit-|-moz-|-o-|-ms-)?(?:image-set|image|src|element|cross-fade|paint)\s*\(/i;
const URL_FUNCTION = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^\s"'()]*))\s*\)/gi;
const ANY_URL_FUNCTION = /url\s*\(/gi;
/** What Popgate itself writes into url(): its own paths and raster data URLs. */
const WRITTEN_URL =
  /url\("(?:\/api\/messages\/[A-Za-z0-9\-._~%/?=&]+|data:image\/[a-z]+;base64,[A-Za-z0-9+/=]+)"\)/g;
const FINAL_CHECK =
  /url\s*\(|[\\<]|expression\s*\(|javascript\s*:|vbscript\s*:|@import|(?:^|[\s;{])behavior\s*:|-moz-binding/i;
/**
 * CSS larger than this is dropped unread: PostCSS holds about a hundred bytes per character of a
 * stylesheet, and no mail needs a megabyte of style (word processors write a few hundred KB).
 */
const MAX_STYLESHEET_LENGTH = 1024 * 1024;
const MAX_STYLE_ATTRIBUTE_LENGTH = 64 * 1024;
const NESTING_AT_RULES = new Set(['media', 'supports']);
/** How deep @media/@supports/@keyframes may nest; deeper blocks are dropped (real CSS nests 2-3). */
const MAX_AT_RULE_DEPTH = 16;
const KEYFRAMES = /^(?:-webkit-|-moz-|-o-)?keyframes$/;

/**
 * One declaration made safe, as `prop:value`, or null to drop it. Every url() goes through
 * `imageUrl`; anything that could load a resource some other way, run script or escape the style
 * element is dropped.
 */
function cleanDeclaration(decl: Declaration, imageUrl: CssImageUrl): string | null {
  const prop = decl.prop.toLowerCase();
  if (!PROPERTY_NAME.test(prop) || FORBIDDEN_PROPERTIES.has(prop)) return null;
  const value = decl.value.replace(/\/\*[\s\S]*?\*\//g, ' ').trim();
  // Checked with whitespace removed too: old engines joined words split by comments.
  const squeezed = value.replace(/\s+/g, '');
  if (value.includes('/*') || UNSAFE_CHARACTERS.test(value) || UNSAFE_WORDS.test(squeezed)) {
    return null;
  }
  if (LOADING_FUNCTIONS.test(value)) return null;
  if (prop === 'position' && PINNED_POSITION.test(value)) return null;
  const urlCount = value.match(ANY_URL_FUNCTION)?.length ?? 0;
  let rewritten = 0;
  let refused = false;
  const cleaned = value.replace(URL_FUNCTION, (_match, dq?: string, sq?: string, bare?: string) => {
    rewritten += 1;
    const safe = imageUrl(dq ?? sq ?? bare ?? '');
    if (safe === null || /["\\\r\n<>]/.test(safe)) {
      refused = true;
      return '';
    }
    return `url("${safe}")`;
  });
  if (refused || rewritten !== urlCount) return null;
  return `${prop}:${cleaned}${decl.important ? ' !important' : ''}`;
}

function cleanDeclarations(nodes: ChildNode[], imageUrl: CssImageUrl): string[] {
  return nodes
    .filter((node): node is Declaration => node.type === 'decl')
    .map((decl) => cleanDeclaration(decl, imageUrl))
    .filter((text): text is string => text !== null);
}

/** Rules, @media/@supports and @keyframes survive; other at-rules (@import, @font-face...) go. */
function cleanContainer(container: Container, imageUrl: CssImageUrl, depth = 0): string {
  let out = '';
  for (const node of container.nodes ?? []) {
    if (node.type === 'rule') {
      const selector = node.selector.trim();
      if (!selector || /[\\<{}]|\/\*/.test(selector)) continue;
      const declarations = cleanDeclarations(node.nodes, imageUrl);
      if (declarations.length > 0) out += `${selector}{${declarations.join(';')}}`;
    } else if (node.type === 'atrule') {
      const name = node.name.toLowerCase();
      const params = node.params.trim();
      if (/[\\<{};]|\/\*|url\s*\(/i.test(params)) continue;
      if (depth >= MAX_AT_RULE_DEPTH) continue;
      if (NESTING_AT_RULES.has(name) || KEYFRAMES.test(name)) {
        const inner = cleanContainer(node, imageUrl, depth + 1);
        if (inner) out += `@${name} ${params}{${inner}}`;
      }
    }
  }
  return out;
}

/** Last line of defence: whatever is written must not hold anything the cleaning should have removed. */
function passesFinalCheck(css: string): boolean {
  return !FINAL_CHECK.test(css.replace(WRITTEN_URL, ''));
}

function parse(css: string) {
  try {
    return postcss.parse(css);
  } catch {
    return null;
  }
}

/** The text of a `<style>` element made safe; '' when it cannot be read, is too large, or nothing is left. */
export function sanitizeStylesheet(css: string, imageUrl: CssImageUrl): string {
  if (css.length > MAX_STYLESHEET_LENGTH) return '';
  // HTML comment markers around CSS are a relic for old mail readers; CSS ignores them.
  const root = parse(css.replace(/<!--|-->/g, ' '));
  if (!root) return '';
  const out = cleanContainer(root, imageUrl);
  return passesFinalCheck(out) ? out : '';
}

/** A `style` attribute made safe; '' when it is too large or nothing is left. */
export function sanitizeStyleAttribute(style: string, imageUrl: CssImageUrl): string {
  if (style.length > MAX_STYLE_ATTRIBUTE_LENGTH) return '';
  const root = parse(style);
  if (!root) return '';
  const out = cleanDeclarations(root.nodes, imageUrl).join(';');
  return passesFinalCheck(out) ? out : '';
}
