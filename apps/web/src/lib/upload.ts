import type { DraftAttachmentOut, ErrorReply } from '@popgate/contracts';
import { ApiError, CSRF_HEADER } from '../api/client';

export interface UploadOptions {
  url: string;
  file: File;
  csrfToken: string;
  /** Bytes sent so far and the total, as the browser reports them. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Uploads one file as the request body (its type as the Content-Type). XMLHttpRequest, not
 * fetch: only it reports upload progress. Failures come back as ApiError, like every API call.
 */
export function uploadFile(options: UploadOptions): Promise<DraftAttachmentOut> {
  const { url, file, csrfToken, onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader(CSRF_HEADER, csrfToken);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // A proxy's error page: the status says enough.
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as DraftAttachmentOut);
        return;
      }
      const error = (body as Partial<ErrorReply> | null)?.error;
      const message =
        error?.message ??
        (xhr.status === 413
          ? 'This file is larger than this Popgate accepts.'
          : `The upload failed (${xhr.status}).`);
      reject(new ApiError(xhr.status, error?.code ?? `HTTP_${xhr.status}`, message));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'NETWORK', 'The server cannot be reached; check your connection'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
