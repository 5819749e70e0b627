import type {
  Address,
  DraftAttachmentOut,
  DraftIn,
  DraftOut,
  DraftPatch,
  DraftProblem,
  ForwardAs,
  IdentityOut,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { draftsApi } from '../api/endpoints';
import { debounce } from '../composables/useDebounced';
import { addressProblem } from '../lib/addresses';
import { htmlToText, textToHtml, withHtmlSignature, withTextSignature } from '../lib/compose-body';
import { fileSize } from '../lib/format';
import { uploadFile } from '../lib/upload';
import { useDraftsStore } from './drafts';
import { useIdentitiesStore } from './identities';
import { useOutboxStore } from './outbox';

/** How long typing pauses before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 1000;

export type BodyMode = 'rich' | 'plain';
/** Where the compose form is: nowhere, the pop-out panel over the mail, or its own page. */
export type Presentation = 'closed' | 'panel' | 'page';
export type SaveState = 'idle' | 'saving' | 'saved' | 'error';
export type RecipientField = 'to' | 'cc' | 'bcc';

export interface ComposeFields {
  identityId: string | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  /** The body in plain-text mode (in rich mode it is made from `html` when saved). */
  text: string;
  /** The editor's HTML in rich mode. */
  html: string;
}

/** A file on its way to the draft, or one the server refused (with why). */
export interface Upload {
  key: number;
  filename: string;
  size: number;
  loaded: number;
  error: string | null;
  controller: AbortController;
}

type FieldName = keyof ComposeFields;

const emptyFields = (): ComposeFields => ({
  identityId: null,
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  text: '',
  html: '',
});

/** Problems as the server reports them (422 with `problems`), or none. */
export function problemsOf(error: unknown): DraftProblem[] | null {
  if (!(error instanceof ApiError)) return null;
  const problems = error.details.problems;
  if (!Array.isArray(problems)) return null;
  return problems.filter(
    (problem): problem is DraftProblem =>
      !!problem && typeof problem.field === 'string' && typeof problem.message === 'string',
  );
}

/**
 * The message being written: one at a time, in the pop-out panel or on the compose page. The
 * draft is created on the first change and saved a second after typing pauses (and at once
 * when the form closes or the page unloads), so it survives a reload; sending hands it to the
 * outbox, which follows it with an undo toast.
 */
export const useComposeStore = defineStore('compose', () => {
  const endpoints = draftsApi(api);

  const presentation = ref<Presentation>('closed');
  const draftId = ref<string | null>(null);
  const fields = reactive<ComposeFields>(emptyFields());
  const mode = ref<BodyMode>('rich');
  const attachments = ref<DraftAttachmentOut[]>([]);
  const uploads = ref<Upload[]>([]);
  /** What this draft answers or forwards (set by the server; shown, not edited). */
  const origin = ref<{ inReplyTo: string | null; forwardOf: string | null }>({
    inReplyTo: null,
    forwardOf: null,
  });
  const saveState = ref<SaveState>('idle');
  const saveError = ref<string | null>(null);
  const problems = ref<DraftProblem[]>([]);
  const sending = ref(false);
  const sendError = ref<string | null>(null);
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  /** The largest attachment the server takes (the admin's policy), when known. */
  const maxAttachmentBytes = ref<number | null>(null);

  /** Bumped whenever another draft is opened: saves of the previous one do not land here. */
  let session = 0;
  /** Changes with each message opened (not when its draft is first saved): the form's key. */
  const formKey = ref(0);
  const dirty = new Set<FieldName>();
  /** Saves run one after another: each waits for the one before. */
  let chain: Promise<boolean> = Promise.resolve(true);
  let creating = false;

  const isOpen = computed(() => presentation.value !== 'closed');
  const identity = computed<IdentityOut | null>(() =>
    fields.identityId ? (useIdentitiesStore().byId.get(fields.identityId) ?? null) : null,
  );
  const uploading = computed(() => uploads.value.some((upload) => upload.error === null));
  const hasContent = computed(
    () =>
      fields.to.length + fields.cc.length + fields.bcc.length > 0 ||
      fields.subject.trim() !== '' ||
      bodyText().trim() !== '' ||
      attachments.value.length > 0,
  );

  function bodyText(): string {
    return mode.value === 'rich' ? htmlToText(fields.html) : fields.text;
  }

  /** The problems the server (or the send check) reported for one field. */
  const problemsFor = (field: string) =>
    problems.value.filter((problem) => problem.field === field);

  const autosave = debounce(() => void save(), AUTOSAVE_DELAY_MS);

  function reset(): void {
    session++;
    formKey.value = session;
    autosave.cancel();
    dirty.clear();
    chain = Promise.resolve(true);
    creating = false;
    draftId.value = null;
    Object.assign(fields, emptyFields());
    mode.value = 'rich';
    attachments.value = [];
    for (const upload of uploads.value) upload.controller.abort();
    uploads.value = [];
    origin.value = { inReplyTo: null, forwardOf: null };
    saveState.value = 'idle';
    saveError.value = null;
    problems.value = [];
    sending.value = false;
    sendError.value = null;
    loadError.value = null;
  }

  function fill(draft: DraftOut): void {
    draftId.value = draft.id;
    Object.assign(fields, {
      identityId: draft.identityId,
      to: draft.to.map((a) => ({ ...a })),
      cc: draft.cc.map((a) => ({ ...a })),
      bcc: draft.bcc.map((a) => ({ ...a })),
      subject: draft.subject,
      text: draft.text,
      html: draft.html ?? '',
    });
    mode.value = draft.html === null ? 'plain' : 'rich';
    attachments.value = [...draft.attachments];
    origin.value = { inReplyTo: draft.inReplyTo, forwardOf: draft.forwardOf };
    saveState.value = 'saved';
    learnLimit(draft);
  }

  /** The admin's limit, when the server tells it with a draft (maxOutgoingBytes). */
  function learnLimit(draft: DraftOut): void {
    const limit: unknown = draft.maxOutgoingBytes;
    if (typeof limit === 'number' && limit > 0) maxAttachmentBytes.value = limit;
  }

  /** Changes fields as the user edits them; the draft is saved soon after. */
  function update(patch: Partial<ComposeFields>): void {
    for (const [key, value] of Object.entries(patch) as [FieldName, never][]) {
      (fields as Record<FieldName, unknown>)[key] = value;
      dirty.add(key);
    }
    const touched = new Set(Object.keys(patch).map((key) => (key === 'html' ? 'body' : key)));
    if (touched.has('text')) touched.add('body');
    problems.value = problems.value.filter((problem) => !touched.has(problem.field));
    scheduleSave();
  }

  function scheduleSave(): void {
    saveError.value = null;
    // The draft is created at the first change; later changes are saved once typing pauses.
    if (!draftId.value && !creating) void save();
    else autosave();
  }

  function body(names: Iterable<FieldName>): DraftPatch {
    const patch: DraftPatch = {};
    const wanted = new Set(names);
    if (wanted.has('identityId')) patch.identityId = fields.identityId;
    for (const field of ['to', 'cc', 'bcc'] as const) {
      if (wanted.has(field))
        patch[field] = fields[field].map(({ name, address }) => ({ name, address }));
    }
    if (wanted.has('subject')) patch.subject = fields.subject;
    if (wanted.has('text') || wanted.has('html')) {
      // The text is always sent (the alternative the server sends with the HTML, or the whole
      // message); the HTML only in rich mode, null saying "plain text only".
      patch.text = bodyText();
      patch.html = mode.value === 'rich' ? fields.html : null;
    }
    return patch;
  }

  /**
   * Saves what changed (creating the draft the first time). One save at a time: changes made
   * meanwhile are saved right after. Answers whether everything is saved.
   */
  function save(): Promise<boolean> {
    autosave.cancel();
    const run = chain.then(runSave, runSave);
    chain = run;
    return run;
  }

  async function runSave(): Promise<boolean> {
    const mySession = session;
    if (draftId.value && dirty.size === 0) return true;
    const names = draftId.value ? [...dirty] : (Object.keys(fields) as FieldName[]);
    const patch = body(names);
    dirty.clear();
    saveState.value = 'saving';
    creating = !draftId.value;
    try {
      const saved = draftId.value
        ? await endpoints.update(draftId.value, patch)
        : await endpoints.create(patch as DraftIn);
      if (mySession !== session) return true;
      draftId.value = saved.id;
      learnLimit(saved);
      // Attachments and the server's own fields follow the server; what is typed stays.
      attachments.value = [...saved.attachments];
      origin.value = { inReplyTo: saved.inReplyTo, forwardOf: saved.forwardOf };
      useDraftsStore().upsert(saved);
      saveState.value = dirty.size ? 'saving' : 'saved';
      if (dirty.size) autosave();
      return dirty.size === 0;
    } catch (caught) {
      if (mySession !== session) return false;
      for (const name of names) dirty.add(name);
      saveState.value = 'error';
      saveError.value = (caught as Error).message;
      const reported = problemsOf(caught);
      if (reported) problems.value = reported;
      return false;
    } finally {
      if (mySession === session) creating = false;
    }
  }

  /** The page is going away: the last changes go out with keepalive (the tab may close first). */
  function saveOnUnload(): void {
    if (!draftId.value || dirty.size === 0) return;
    autosave.cancel();
    const patch = body(dirty);
    dirty.clear();
    void endpoints.update(draftId.value, patch, { keepalive: true }).catch(() => {});
  }

  // Opening.

  async function ensureIdentities(): Promise<void> {
    await useIdentitiesStore()
      .ensureLoaded()
      .catch(() => {});
  }

  /** A new, empty message (c): from the preferred identity, its signature in place. */
  async function compose(options: { to?: Address[]; where?: Presentation } = {}): Promise<void> {
    await closeQuietly();
    reset();
    presentation.value = options.where ?? 'panel';
    loading.value = true;
    const mySession = session;
    await ensureIdentities();
    if (mySession !== session) return;
    loading.value = false;
    const identities = useIdentitiesStore();
    fields.identityId = identities.preferred?.id ?? null;
    if (options.to) fields.to = options.to;
    const signature = identity.value?.signature;
    fields.html = withHtmlSignature('', signature);
    fields.text = withTextSignature('', null, signature);
  }

  /** Opens a saved draft (from Drafts, after a reload, after Undo). */
  async function openDraft(id: string, where: Presentation = 'panel'): Promise<void> {
    if (draftId.value === id && isOpen.value) {
      presentation.value = where;
      return;
    }
    await closeQuietly();
    reset();
    presentation.value = where;
    loading.value = true;
    const mySession = session;
    try {
      const [draft] = await Promise.all([endpoints.get(id), ensureIdentities()]);
      if (mySession === session) fill(draft);
    } catch (caught) {
      if (mySession === session) loadError.value = (caught as Error).message;
    } finally {
      if (mySession === session) loading.value = false;
    }
  }

  /**
   * Reply, reply all and forward: the server writes the draft (recipients, subject, the quoted
   * original, the identity of the account the message came in on); the signature goes in here.
   */
  async function startFrom(request: DraftIn): Promise<void> {
    await closeQuietly();
    reset();
    presentation.value = 'panel';
    loading.value = true;
    const mySession = session;
    try {
      const [draft] = await Promise.all([endpoints.create(request), ensureIdentities()]);
      if (mySession !== session) return;
      fill(draft);
      useDraftsStore().upsert(draft);
      const signature = identity.value?.signature;
      if (mode.value === 'rich') {
        const signed = withHtmlSignature(fields.html, signature);
        if (signed !== fields.html) update({ html: signed });
      } else {
        const signed = withTextSignature(fields.text, null, signature);
        if (signed !== fields.text) update({ text: signed });
      }
    } catch (caught) {
      if (mySession === session) loadError.value = (caught as Error).message;
    } finally {
      if (mySession === session) loading.value = false;
    }
  }

  const reply = (messageId: string, all = false) =>
    startFrom({ inReplyTo: messageId, replyAll: all });
  const forward = (messageId: string, as: ForwardAs = 'inline') =>
    startFrom({ forwardOf: messageId, forwardAs: as });

  /** Another identity: its signature replaces the previous one; the rest of the body stays. */
  function setIdentity(id: string | null): void {
    const identities = useIdentitiesStore();
    const before = fields.identityId ? identities.byId.get(fields.identityId) : undefined;
    const after = id ? identities.byId.get(id) : undefined;
    const patch: Partial<ComposeFields> = { identityId: id };
    if (mode.value === 'rich') {
      patch.html = withHtmlSignature(fields.html, after?.signature);
    } else {
      patch.text = withTextSignature(fields.text, before?.signature, after?.signature);
    }
    update(patch);
  }

  /** Plain text keeps the words (as text); rich text starts from them. */
  function setMode(next: BodyMode): void {
    if (next === mode.value) return;
    if (next === 'plain') {
      const text = htmlToText(fields.html);
      mode.value = 'plain';
      update({ text, html: '' });
    } else {
      const html = textToHtml(fields.text);
      mode.value = 'rich';
      update({ html, text: '' });
    }
  }

  // Attachments.

  let uploadKey = 0;
  async function addFiles(files: Iterable<File>): Promise<void> {
    const list = [...files];
    if (list.length === 0) return;
    const entries = list.map((file) => {
      const entry = reactive<Upload>({
        key: ++uploadKey,
        filename: file.name,
        size: file.size,
        loaded: 0,
        error: null,
        controller: new AbortController(),
      });
      if (file.size === 0) entry.error = 'This file is empty.';
      else if (maxAttachmentBytes.value !== null && file.size > maxAttachmentBytes.value) {
        entry.error = `At ${fileSize(file.size)} this file is larger than the ${fileSize(maxAttachmentBytes.value)} you can send.`;
      }
      uploads.value.push(entry);
      return { file, entry };
    });
    const mySession = session;
    // An attachment belongs to a draft: create it first if need be.
    if (!draftId.value || dirty.size) await save();
    if (mySession !== session) return;
    const id = draftId.value;
    if (!id) {
      for (const { entry } of entries) entry.error ??= saveError.value ?? 'The draft is not saved.';
      return;
    }
    await Promise.all(
      entries
        .filter(({ entry }) => entry.error === null)
        .map(({ file, entry }) => uploadOne(id, file, entry, mySession)),
    );
  }

  async function uploadOne(id: string, file: File, entry: Upload, mySession: number) {
    try {
      const attachment = await uploadFile({
        url: endpoints.attachmentUploadUrl(id, file.name),
        file,
        csrfToken: await api.csrfToken(),
        onProgress: (loaded) => (entry.loaded = loaded),
        signal: entry.controller.signal,
      });
      if (mySession !== session) return;
      attachments.value.push(attachment);
      uploads.value = uploads.value.filter((upload) => upload.key !== entry.key);
      problems.value = problems.value.filter((problem) => problem.field !== 'attachments');
    } catch (caught) {
      if (mySession !== session) return;
      if ((caught as Error).name === 'AbortError') {
        uploads.value = uploads.value.filter((upload) => upload.key !== entry.key);
      } else {
        entry.error = (caught as Error).message;
      }
    }
  }

  /** Stops an upload, or clears a refused file from the list. */
  function dismissUpload(key: number): void {
    const upload = uploads.value.find((candidate) => candidate.key === key);
    upload?.controller.abort();
    uploads.value = uploads.value.filter((candidate) => candidate.key !== key);
  }

  async function removeAttachment(attachmentId: string): Promise<void> {
    if (!draftId.value) return;
    await endpoints.removeAttachment(draftId.value, attachmentId);
    attachments.value = attachments.value.filter((attachment) => attachment.id !== attachmentId);
  }

  // Sending.

  /** What can be told before asking the server: no recipient, an address that is not one. */
  function checkBeforeSend(): DraftProblem[] {
    const found: DraftProblem[] = [];
    const everyone = fields.to.length + fields.cc.length + fields.bcc.length;
    if (everyone === 0) found.push({ field: 'to', message: 'Add at least one recipient.' });
    for (const field of ['to', 'cc', 'bcc'] as const) {
      for (const recipient of fields[field]) {
        const message = addressProblem(recipient);
        if (message) found.push({ field, value: recipient.address, message });
      }
    }
    if (!fields.identityId) {
      found.push({ field: 'identityId', message: 'Choose who this message is from.' });
    }
    return found;
  }

  /** Sends: saved first, handed to the outbox, the form closed, an undo toast shown. */
  async function send(): Promise<boolean> {
    sendError.value = null;
    if (uploading.value) {
      sendError.value = 'Wait until the attachments have finished uploading.';
      return false;
    }
    const found = checkBeforeSend();
    problems.value = found;
    if (found.length) return false;
    sending.value = true;
    const mySession = session;
    try {
      if (!(await save()) || !draftId.value) {
        if (mySession === session) sendError.value = `Not saved: ${saveError.value ?? 'try again'}`;
        return false;
      }
      const id = draftId.value;
      const item = await endpoints.send(id);
      if (mySession !== session) return true;
      useDraftsStore().forget(id);
      reset();
      presentation.value = 'closed';
      useOutboxStore().trackSend(item, (reopenId) => void openDraft(reopenId));
      return true;
    } catch (caught) {
      if (mySession !== session) return false;
      const reported = problemsOf(caught);
      if (reported?.length) problems.value = reported;
      else sendError.value = (caught as Error).message;
      return false;
    } finally {
      if (mySession === session) sending.value = false;
    }
  }

  // Closing.

  /** Saves what is left and closes; an untouched new message leaves nothing behind. */
  async function close(): Promise<void> {
    await closeQuietly();
    reset();
    presentation.value = 'closed';
  }

  async function closeQuietly(): Promise<void> {
    if (!isOpen.value) return;
    if (draftId.value && dirty.size) await save();
    else await chain;
  }

  /** Deletes the draft (if it was saved) and closes. */
  async function discard(): Promise<void> {
    const id = draftId.value;
    autosave.cancel();
    await chain;
    const savedId = draftId.value ?? id;
    reset();
    presentation.value = 'closed';
    if (savedId) {
      await endpoints.remove(savedId);
      useDraftsStore().forget(savedId);
    }
  }

  return {
    presentation,
    draftId,
    fields,
    mode,
    attachments,
    uploads,
    origin,
    saveState,
    saveError,
    problems,
    sending,
    sendError,
    loading,
    loadError,
    maxAttachmentBytes,
    formKey,
    isOpen,
    identity,
    uploading,
    hasContent,
    problemsFor,
    update,
    save,
    saveOnUnload,
    compose,
    openDraft,
    reply,
    forward,
    setIdentity,
    setMode,
    addFiles,
    dismissUpload,
    removeAttachment,
    send,
    close,
    discard,
  };
});
