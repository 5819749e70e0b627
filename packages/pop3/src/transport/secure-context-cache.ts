import tls from 'node:tls';

/** Distinct CA bundles kept; accounts rarely bring their own, so a few suffice. */
const MAX_CONTEXTS = 32;
const contexts = new Map<string, tls.SecureContext>();

/**
 * A secure context that trusts the built-in roots plus `caPem`. Building one parses every
 * root certificate (~20 ms), so each distinct CA is built once and reused by every connection.
 */
export function secureContextTrusting(caPem: string): tls.SecureContext {
  let context = contexts.get(caPem);
  if (context) {
    // Most recently used last, so the oldest is evicted first.
    contexts.delete(caPem);
  } else {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, caPem] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  }
  contexts.set(caPem, context);
  return context;
}
