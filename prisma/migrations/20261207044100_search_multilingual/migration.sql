-- Search in every language (apps/server/src/search/): the `search` tsvector, kept by triggers, now
-- holds text folded for accents and case (unaccent: Jürgen -> jurgen, отчёт -> отчет), Chinese,
-- Japanese and Korean as overlapping character pairs (会議の資料 -> 会議 議の の資 資料, so any
-- two-character substring is an indexed word), address and file name parts (carol@example.net
-- -> carol, example.net), the attachments' file names, and stems in the message's language when
-- it can be told (english, german, russian). Weights: A subject, B sender, C To/Cc, D body and
-- file names. Queries are built with the same functions (popgate_search_term), so both sides
-- fold alike.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Accents and case folded away: what both the index and a query see.
CREATE FUNCTION popgate_search_fold(input text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, input)) $$;

-- A run of CJK characters as its overlapping pairs ("会議の" -> "会議 議の"); one character stays.
CREATE FUNCTION popgate_search_pairs(run text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT CASE WHEN length(run) < 2 THEN run ELSE (
      SELECT string_agg(c || n, ' ' ORDER BY i)
        FROM (SELECT c, i, lead(c) OVER (ORDER BY i) AS n
                FROM unnest(string_to_array(run, NULL)) WITH ORDINALITY AS u(c, i)) pairs
       WHERE n IS NOT NULL) END
  $$;

-- Text as words for the 'simple' parser: folded, CJK runs as pairs. For a document (`tails`) the
-- last character of each CJK run is added at the end as a word of its own, so a one-character
-- search finds it too (a search's own pairs never include it).
CREATE FUNCTION popgate_search_words(input text, tails boolean) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT coalesce(string_agg(
             CASE WHEN r.part[1] ~ '^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]'
                  THEN popgate_search_pairs(r.part[1]) ELSE r.part[1] END, ' ' ORDER BY r.i), '')
           || CASE WHEN tails THEN ' ' || coalesce(string_agg(
                CASE WHEN r.part[1] ~ '^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]'
                     THEN right(r.part[1], 1) END, ' ' ORDER BY r.i), '') ELSE '' END
      FROM regexp_matches(popgate_search_fold(input),
             '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+|[^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+',
             'g') WITH ORDINALITY AS r(part, i)
  $$;

-- Addresses and file names also as their parts: carol@example.net -> carol example.net example
-- net, invoice-Q3.pdf -> invoice q3 pdf (the whole stays too).
CREATE FUNCTION popgate_search_parts(input text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT input || ' ' || translate(input, '@', ' ') || ' ' || regexp_replace(input, '[[:punct:]]+', ' ', 'g') $$;

-- The language whose stems a message's words get, told from a folded sample, or null.
CREATE FUNCTION popgate_search_language(sample text) RETURNS regconfig
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT (CASE
      WHEN sample ~ '[а-я]{3}' THEN 'pg_catalog.russian'
      WHEN sample ~ '\m(und|der|die|das|nicht|ist|mit|fur|sie|wir|ich|ein|eine|bitte|ihre|zur)\M' THEN 'pg_catalog.german'
      WHEN sample ~ '\m(the|and|are|with|for|you|this|that|your|please|have)\M' THEN 'pg_catalog.english'
    END)::regconfig
  $$;

-- Names and addresses of a jsonb list of {name, address}.
CREATE FUNCTION popgate_search_addresses(list jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT coalesce(string_agg(coalesce(e->>'name', '') || ' ' || popgate_search_parts(coalesce(e->>'address', '')), ' '), '')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(list) = 'array' THEN list ELSE '[]'::jsonb END) AS e
  $$;

-- File names as a document part (weight D).
CREATE FUNCTION popgate_search_names(names text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('simple', popgate_search_words(popgate_search_parts(left(names, 10000)), true)), 'D') $$;

-- The whole document. Bounded so the tsvector stays far below its 1 MB limit whatever the mail
-- holds: subject 2,000 characters, recipients 20,000, body 100,000.
CREATE FUNCTION popgate_search_document(
  subject text, from_name text, from_address text, to_list jsonb, cc_list jsonb, body text, names text
) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE
  s text := left(coalesce(subject, ''), 2000);
  b text := left(coalesce(body, ''), 100000);
  lang regconfig := popgate_search_language(popgate_search_fold(left(s || ' ' || b, 3000)));
  doc tsvector;
BEGIN
  doc := setweight(to_tsvector('simple', popgate_search_words(s, true)), 'A')
      || setweight(to_tsvector('simple', popgate_search_words(
           coalesce(from_name, '') || ' ' || popgate_search_parts(coalesce(from_address, '')), true)), 'B')
      || setweight(to_tsvector('simple', popgate_search_words(left(
           popgate_search_addresses(to_list) || ' ' || popgate_search_addresses(cc_list), 20000), true)), 'C')
      || setweight(to_tsvector('simple', popgate_search_words(b, true)), 'D');
  IF lang IS NOT NULL THEN
    doc := doc || setweight(to_tsvector(lang, popgate_search_fold(s)), 'A')
               || setweight(to_tsvector(lang, popgate_search_fold(b)), 'D');
  END IF;
  IF names IS NOT NULL AND names <> '' THEN
    doc := doc || popgate_search_names(names);
  END IF;
  RETURN doc;
END
$$;

-- One search term as a tsquery, folded and split like the documents: a word (its parts as a
-- phrase, the last a prefix when `prefix`; a single CJK character always a prefix), restricted
-- to `weights` ('' for all); a single Latin or Cyrillic word also matches its stems.
CREATE FUNCTION popgate_search_term(term text, prefix boolean, weights text) RETURNS tsquery
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
DECLARE
  words text := popgate_search_words(left(term, 200), false);
  phrase tsquery := phraseto_tsquery('simple', words);
  result text := phrase::text;
  folded text;
  stem text;
  config regconfig;
BEGIN
  IF result = '' THEN
    RETURN phrase;
  END IF;
  IF weights <> '' THEN
    result := regexp_replace(result, '(''(?:[^'']|'''')*'')', '\1:' || weights, 'g');
  END IF;
  IF prefix OR words ~ '^\s*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]\s*$' THEN
    result := CASE WHEN weights <> '' THEN regexp_replace(result, ':' || weights || '$', ':*' || weights)
                   ELSE result || ':*' END;
  END IF;
  IF numnode(phrase) = 1 THEN
    folded := popgate_search_fold(left(term, 200));
    IF folded ~ '^[a-zа-я]+$' THEN
      FOREACH config IN ARRAY ARRAY['pg_catalog.english', 'pg_catalog.german', 'pg_catalog.russian']::regconfig[] LOOP
        FOR stem IN SELECT lexeme FROM unnest(to_tsvector(config, folded)) LOOP
          IF strpos(result, quote_literal(stem)) = 0 THEN
            result := result || ' | ' || quote_literal(stem) || CASE WHEN weights <> '' THEN ':' || weights ELSE '' END;
          END IF;
        END LOOP;
      END LOOP;
    END IF;
  END IF;
  RETURN result::tsquery;
END
$$;

-- Where a search's first term occurs in a body: a window of `width` characters starting a little
-- before it, or null. Reads the first 10,000 characters only (it runs for a page's rows).
CREATE FUNCTION popgate_search_window(body text, terms text[], width integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT substr(d.b, greatest(h.hit - 40, 1), width)
      FROM (SELECT left(body, 10000) AS b) d,
           LATERAL (SELECT popgate_search_fold(d.b) AS f) f,
           LATERAL (SELECT min(p) AS hit
                      FROM unnest(terms) AS t,
                           LATERAL (SELECT strpos(f.f, t) AS p) s
                     WHERE p > 0) h
     WHERE h.hit IS NOT NULL
  $$;

CREATE OR REPLACE FUNCTION "messages_search_update"() RETURNS trigger AS $$
DECLARE
  names text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT string_agg("filename", ' ') INTO names
      FROM "attachments" WHERE "messageId" = NEW."id" AND "filename" IS NOT NULL;
  END IF;
  NEW."search" := popgate_search_document(NEW."subject", NEW."fromName", NEW."fromAddress",
    NEW."to", NEW."cc", coalesce(NEW."textBody", NEW."snippet", ''), names);
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER "messages_search_trigger" ON "messages";
CREATE TRIGGER "messages_search_trigger"
  BEFORE INSERT OR UPDATE OF "subject", "fromName", "fromAddress", "to", "cc", "textBody", "snippet" ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "messages_search_update"();

-- Attachments are written after their message (in the same transaction): their file names are
-- added to the message's document, one UPDATE per INSERT statement (a batch).
CREATE FUNCTION "attachments_search_update"() RETURNS trigger AS $$
BEGIN
  UPDATE "messages" m SET "search" = coalesce(m."search", ''::tsvector) || popgate_search_names(n.names)
    FROM (SELECT "messageId", string_agg("filename", ' ') AS names
            FROM new_attachments WHERE "filename" IS NOT NULL AND "filename" <> ''
           GROUP BY "messageId") n
   WHERE m."id" = n."messageId";
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "attachments_search_trigger"
  AFTER INSERT ON "attachments" REFERENCING NEW TABLE AS new_attachments
  FOR EACH STATEMENT EXECUTE FUNCTION "attachments_search_update"();

-- Existing messages, indexed again the new way.
UPDATE "messages" m SET "search" = popgate_search_document(m."subject", m."fromName", m."fromAddress",
  m."to", m."cc", coalesce(m."textBody", m."snippet", ''),
  (SELECT string_agg(a."filename", ' ') FROM "attachments" a WHERE a."messageId" = m."id" AND a."filename" IS NOT NULL));
