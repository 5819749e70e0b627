import type {
  ErrorReply,
  ExportIn,
  ExportJobOut,
  ExportQuery,
  ImportJobOut,
  LabelList,
  LeaveIn,
} from '@popgate/contracts';
import { api, ApiError, CSRF_HEADER, withQuery, type ApiClient } from './client';

/** Export (a download link), import (an upload, then its progress) and leaving. */
export function portabilityApi(client: ApiClient = api) {
  return {
    /** The address of an export: the browser downloads it itself (a file of any size). */
    exportUrl: (query: ExportQuery) => withQuery('/api/export', { ...query }),
    /** A prepared export: a file whose download the browser can resume. */
    prepareExport: (body: ExportIn) => client.post<ExportJobOut>('/api/exports', body),
    exportJob: (id: string) => client.get<ExportJobOut>(`/api/exports/${encodeURIComponent(id)}`),
    exportFileUrl: (id: string) => `/api/exports/${encodeURIComponent(id)}/file`,
    importJob: (id: string) => client.get<ImportJobOut>(`/api/imports/${encodeURIComponent(id)}`),
    /** The labels imported mail came with (label: searches them). */
    labels: () => client.get<LabelList>('/api/labels'),
    /** Deletes the signed-in user with everything of theirs. */
    leave: (body: LeaveIn) => client.delete<void>('/api/auth/me', { body }),
    /** Uploads a mailbox file (XMLHttpRequest, for the upload's progress). */
    async startImport(
      file: File,
      accountId: string | null,
      onProgress?: (loaded: number, total: number) => void,
    ): Promise<ImportJobOut> {
      const token = await client.csrfToken();
      const form = new FormData();
      // The account before the file: the server reads the fields in order.
      if (accountId) form.append('accountId', accountId);
      form.append('file', file, file.name);
      return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', '/api/imports');
        xhr.setRequestHeader(CSRF_HEADER, token);
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
          if (xhr.status >= 200 && xhr.status < 300) return resolve(body as ImportJobOut);
          const error = (body as Partial<ErrorReply> | null)?.error;
          reject(
            new ApiError(
              xhr.status,
              error?.code ?? `HTTP_${xhr.status}`,
              error?.message ?? `The upload failed (${xhr.status}).`,
            ),
          );
        };
        xhr.onerror = () =>
          reject(new ApiError(0, 'NETWORK', 'The server cannot be reached; check your connection'));
        xhr.send(form);
      });
    },
  };
}
