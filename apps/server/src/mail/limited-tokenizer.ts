import { createRequire } from 'node:module';

/**
 * Attributes of one element that reach the parser; the rest of that element's attributes are
 * ignored (mail needs a dozen at most). htmlparser2 gathers an element's attributes into one object
 * before anyone sees them, and an object with a million keys costs more per key than a small one.
 */
export const MAX_ATTRIBUTES_PER_ELEMENT = 256;

type Callbacks = Record<string | symbol, unknown>;
type TokenizerClass = new (options: unknown, callbacks: Callbacks) => object;

// The very htmlparser2 that sanitize-html parses with, whatever version it resolves to.
const requireFromHere = createRequire(import.meta.url);
const { Tokenizer } = createRequire(requireFromHere.resolve('sanitize-html'))('htmlparser2') as {
  Tokenizer: TokenizerClass;
};

/**
 * A drop-in for htmlparser2's `Tokenizer` option: the real tokenizer, reading everything, with the
 * parser's callbacks wrapped so that only the first MAX_ATTRIBUTES_PER_ELEMENT attributes of each
 * element are reported. Skipped attributes leave the parser's state untouched.
 */
export function AttributeLimitingTokenizer(options: unknown, parser: Callbacks): object {
  const method = <A extends unknown[]>(name: string) =>
    (parser[name] as (...args: A) => void).bind(parser);
  const openTagName = method<[number, number]>('onopentagname');
  const attribName = method<[number, number]>('onattribname');
  const attribData = method<[number, number]>('onattribdata');
  const attribEntity = method<[number]>('onattribentity');
  const attribEnd = method<[number, number]>('onattribend');
  let attributes = 0;
  const own: Callbacks = {
    onopentagname(start: number, end: number) {
      attributes = 0;
      openTagName(start, end);
    },
    onattribname(start: number, end: number) {
      attributes += 1;
      if (attributes <= MAX_ATTRIBUTES_PER_ELEMENT) attribName(start, end);
    },
    onattribdata(start: number, end: number) {
      if (attributes <= MAX_ATTRIBUTES_PER_ELEMENT) attribData(start, end);
    },
    onattribentity(codePoint: number) {
      if (attributes <= MAX_ATTRIBUTES_PER_ELEMENT) attribEntity(codePoint);
    },
    onattribend(quote: number, end: number) {
      if (attributes <= MAX_ATTRIBUTES_PER_ELEMENT) attribEnd(quote, end);
    },
  };
  // Every other callback goes to the parser as it is, bound to it.
  const bound = new Map<string | symbol, unknown>();
  const callbacks = new Proxy(parser, {
    get(target, key) {
      if (Object.hasOwn(own, key)) return own[key as string];
      const known = bound.get(key);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(key, method);
      return method;
    },
  });
  return new Tokenizer(options, callbacks);
}
