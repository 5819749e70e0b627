import { describe, expect, it } from 'vitest';
import {
  htmlToText,
  textToHtml,
  withHtmlSignature,
  withTextSignature,
} from '../src/lib/compose-body';

const work = { format: 'text' as const, content: 'Ada, at work' };
const home = { format: 'html' as const, content: '<p><strong>Ada</strong> at home</p>' };

describe('the body of a message being written', () => {
  it('turns the editor HTML into text: paragraphs, lists, quotes and links', () => {
    const html =
      '<p>Hello <strong>Bob</strong>,</p><ul><li><p>one</p></li><li><p>two</p></li></ul>' +
      '<p>See <a href="https://example.com/x">the page</a>.</p><blockquote><p>Old line</p></blockquote>';
    expect(htmlToText(html)).toBe(
      'Hello Bob,\n\n- one\n- two\n\nSee the page <https://example.com/x>.\n\n> Old line',
    );
  });

  it('turns plain text into paragraphs and a quote when switching to rich text', () => {
    expect(textToHtml('Hi <you>\nthere\n\n> quoted')).toBe(
      '<p>Hi &lt;you&gt;<br>there</p><blockquote><p>quoted</p></blockquote>',
    );
  });

  it('puts the signature at the end of a new message', () => {
    const html = withHtmlSignature('', work);
    expect(html).toContain('data-signature');
    expect(htmlToText(html)).toBe('-- \n\nAda, at work');
  });

  it('puts the signature above the quoted original of a reply', () => {
    const reply = '<p></p><p>On Monday, Bob wrote:</p><blockquote><p>Question?</p></blockquote>';
    const signed = withHtmlSignature(reply, work);
    expect(signed.indexOf('data-signature')).toBeLessThan(signed.indexOf('On Monday'));
  });

  it('swaps the signature for another identity’s without touching the rest', () => {
    const body = `<p>Dear Bob,</p>${withHtmlSignature('', work).replace('<p></p>', '')}<blockquote><p>Old</p></blockquote>`;
    const swapped = withHtmlSignature(body, home);
    expect(swapped).toContain('<p>Dear Bob,</p>');
    expect(swapped).toContain('<strong>Ada</strong> at home');
    expect(swapped).not.toContain('Ada, at work');
    expect(swapped).toContain('<blockquote><p>Old</p></blockquote>');
    expect(withHtmlSignature(swapped, null)).not.toContain('data-signature');
  });

  it('swaps a plain-text signature for another, the rest unchanged', () => {
    const text = withTextSignature('Dear Bob,\n\nSee you.', null, work);
    expect(text).toBe('Dear Bob,\n\nSee you.\n\n-- \nAda, at work');
    expect(withTextSignature(text, work, home)).toBe('Dear Bob,\n\nSee you.\n\n-- \nAda at home');
    expect(withTextSignature(text, work, null)).toBe('Dear Bob,\n\nSee you.');
  });
});

describe('a plain-text signature made from rich text', () => {
  it('is found by its "-- " line and replaced up to the quoted original', () => {
    const text = 'Hi,\n\n-- \n\nAda, at work\n\nOn Monday, Bob wrote:\n> Plans?';
    expect(withTextSignature(text, home, work)).toBe(
      'Hi,\n\n-- \nAda, at work\n\nOn Monday, Bob wrote:\n> Plans?',
    );
  });
});
