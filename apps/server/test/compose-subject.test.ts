import { describe, expect, it } from 'vitest';
import { threadingHeaders } from '../src/drafts/threading';
import { forwardSubject, replySubject } from '../src/mail/compose-subject';
import { quotePlain } from '../src/mail/quote-original';

describe('reply and forward subjects', () => {
  it.each([
    ['the engine', 'Re: the engine'],
    ['Re: the engine', 'Re: the engine'],
    ['RE: the engine', 'Re: the engine'],
    ['Re: Re: re:the engine', 'Re: the engine'],
    ['Aw: the engine', 'Re: the engine'],
    ['AW: Re[2]: the engine', 'Re: the engine'],
    ['SV: the engine', 'Re: the engine'],
    ['Fwd: the engine', 'Re: Fwd: the engine'],
    ['', 'Re: '],
  ])('a reply to "%s" is "%s"', (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
  });

  it.each([
    ['the engine', 'Fwd: the engine'],
    ['Fwd: the engine', 'Fwd: the engine'],
    ['Fw: the engine', 'Fwd: the engine'],
    ['FW: Fwd: the engine', 'Fwd: the engine'],
    ['WG: the engine', 'Fwd: the engine'],
    ['Re: the engine', 'Fwd: Re: the engine'],
  ])('a forward of "%s" is "%s"', (subject, expected) => {
    expect(forwardSubject(subject)).toBe(expected);
  });
});

describe('threading headers of a reply', () => {
  it('answer the Message-ID and extend References', () => {
    expect(
      threadingHeaders({
        messageId: '<c@x>',
        references: '<a@x>\r\n <b@x>',
        inReplyTo: '<b@x>',
      }),
    ).toEqual({ inReplyTo: '<c@x>', references: '<a@x> <b@x> <c@x>' });
  });

  it('start References from In-Reply-To when the original has none', () => {
    expect(threadingHeaders({ messageId: '<c@x>', references: null, inReplyTo: '<b@x>' })).toEqual({
      inReplyTo: '<c@x>',
      references: '<b@x> <c@x>',
    });
  });

  it('keep the first and the latest ids of a long thread, 20 at most', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `<m${i}@x>`);
    const { references } = threadingHeaders({
      messageId: '<last@x>',
      references: ids.join(' '),
      inReplyTo: null,
    });
    const kept = references!.split(' ');
    expect(kept).toHaveLength(20);
    expect(kept[0]).toBe('<m0@x>');
    expect(kept.slice(-2)).toEqual(['<m39@x>', '<last@x>']);
  });

  it('say nothing when the original has no Message-ID and no thread', () => {
    expect(threadingHeaders({ messageId: null, references: null, inReplyTo: null })).toEqual({
      inReplyTo: null,
      references: null,
    });
  });
});

describe('plain-text quoting', () => {
  it('prefixes every line once, and nests quotes already there', () => {
    const quoted = quotePlain(
      {
        from: { name: '', address: 'ada@example.net' },
        to: [],
        date: new Date('2026-11-02T08:00:00Z'),
        subject: 's',
        text: 'one\r\n\r\n> two\r\n',
        html: null,
      },
      (html) => html,
    );
    expect(quoted).toBe(
      '\n\nOn Mon, 02 Nov 2026 08:00 UTC, ada@example.net wrote:\n> one\n>\n>> two\n',
    );
  });
});
