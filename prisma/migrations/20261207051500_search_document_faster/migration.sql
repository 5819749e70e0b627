-- The search document (20261207044100_search_multilingual) built for a fraction of its cost, the
-- same document: each text is folded (unaccent, lower) once and shared by the 'simple' words, the
-- language sample (now the first 3,000 characters of the folded text rather than the folded
-- first 3,000: they differ only where unaccent lengthens a character at that edge) and the stems;
-- CJK runs become their pairs by three regexp passes over the text instead of a SQL function per
-- run and a row per character, and a text without CJK characters skips them; ASCII addresses are
-- split at ASCII punctuation without the costly [[:punct:]] class; empty recipients are not parsed.
-- Queries split words with the same functions, so both sides still fold and pair alike.

-- Folded text with CJK as words for the 'simple' parser: each run set apart and as its
-- overlapping pairs; with `tails`, the last character of each run is added at the end as a word
-- of its own. Each run is marked (\x01 run \x02), its characters doubled two at a time (会議の資 ->
-- 会 会議 議の の資 資), then the run's first and last single characters dropped (-> 会議 議の の資);
-- a run of one keeps its character.
CREATE FUNCTION popgate_search_cjk(folded text, tails boolean) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
BEGIN
  IF folded ~ '[\x01\x02]' THEN
    folded := translate(folded, E'\x01\x02', '  ');
  END IF;
  RETURN regexp_replace(regexp_replace(regexp_replace(folded,
           '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+', E' \x01\\&\x02 ', 'g'),
           '([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])', '\1 \1\2 \2', 'g'),
           E'\x01[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f] | [\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]\x02|[\x01\x02]', '', 'g')
    || CASE WHEN tails THEN ' ' || regexp_replace(folded,
         '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]*([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])|[^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+', ' \1', 'g') ELSE '' END;
END
$$;

-- Folded text as words for the 'simple' parser (text without CJK as it is).
CREATE FUNCTION popgate_search_split(folded text, tails boolean) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT CASE WHEN folded ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]'
                THEN popgate_search_cjk(folded, tails) ELSE folded END
  $$;

-- Addresses and file names also as their parts, as before; ASCII (nearly every address) split at
-- ASCII punctuation, the same characters [[:punct:]] has there, which costs far more to match.
CREATE OR REPLACE FUNCTION popgate_search_parts(input text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT input || ' ' || translate(input, '@', ' ') || ' ' || CASE WHEN input ~ '^[\x01-\x7f]*$'
      THEN regexp_replace(input, '[!-/:-@\[-`{-~]+', ' ', 'g')
      ELSE regexp_replace(input, '[[:punct:]]+', ' ', 'g') END
  $$;

CREATE OR REPLACE FUNCTION popgate_search_words(input text, tails boolean) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT popgate_search_split(popgate_search_fold(input), tails) $$;

CREATE OR REPLACE FUNCTION popgate_search_document(
  subject text, from_name text, from_address text, to_list jsonb, cc_list jsonb, body text, names text
) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE
  s text := popgate_search_fold(left(coalesce(subject, ''), 2000));
  b text := popgate_search_fold(left(coalesce(body, ''), 100000));
  address text := coalesce(from_address, '');
  sample text;
  lang regconfig;
  doc tsvector;
BEGIN
  -- popgate_search_language, written out: a SQL function called from here is not inlined.
  sample := left(s || ' ' || b, 3000);
  lang := CASE
    WHEN sample ~ '[а-я]{3}' THEN 'pg_catalog.russian'::regconfig
    WHEN sample ~ '\m(und|der|die|das|nicht|ist|mit|fur|sie|wir|ich|ein|eine|bitte|ihre|zur)\M' THEN 'pg_catalog.german'::regconfig
    WHEN sample ~ '\m(the|and|are|with|for|you|this|that|your|please|have)\M' THEN 'pg_catalog.english'::regconfig
  END;
  doc := setweight(to_tsvector('simple', popgate_search_split(s, true)), 'A')
      || setweight(to_tsvector('simple', popgate_search_split(CASE WHEN address ~ '^[\x01-\x7f]*$'
           -- An ASCII address folds to its lower case (no ASCII character is unaccented).
           THEN popgate_search_fold(coalesce(from_name, '')) || ' ' || popgate_search_parts(lower(address))
           ELSE popgate_search_fold(coalesce(from_name, '') || ' ' || popgate_search_parts(address)) END, true)), 'B');
  IF (jsonb_typeof(to_list) = 'array' AND jsonb_array_length(to_list) > 0)
     OR (jsonb_typeof(cc_list) = 'array' AND jsonb_array_length(cc_list) > 0) THEN
    doc := doc || setweight(to_tsvector('simple', popgate_search_words(left(
             popgate_search_addresses(to_list) || ' ' || popgate_search_addresses(cc_list), 20000), true)), 'C');
  END IF;
  doc := doc || setweight(to_tsvector('simple', popgate_search_split(b, true)), 'D');
  IF lang IS NOT NULL THEN
    doc := doc || setweight(to_tsvector(lang, s), 'A') || setweight(to_tsvector(lang, b), 'D');
  END IF;
  IF names IS NOT NULL AND names <> '' THEN
    doc := doc || popgate_search_names(names);
  END IF;
  RETURN doc;
END
$$;
