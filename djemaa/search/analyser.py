"""The one text analyser: text -> index terms, for indexing and for queries, on every database.

Written once in Python so that SQLite and PostgreSQL index and search the very same terms
(PostgreSQL never re-stems them: see backends). Each token goes through:

1. Unicode NFKC (ligatures, presentation forms, full-width letters) and case folding;
2. per script, detected on the token itself, so a post mixing French and Arabic works:
   - Latin: French elisions dropped (l'armée -> armée), accents folded (Algérie = Algerie),
     then the Snowball French stemmer (négociations ~ négocier);
   - Arabic: tashkeel and tatweel removed, أ إ آ ٱ -> ا, ى -> ي, ة -> ه, the article and the
     conjunctions glued to it stripped (والمدرسة -> مدرسه), then the Snowball Arabic stemmer;
   - digits, Arabic-Indic ones included, become ASCII digits; other scripts are only folded;
3. very common words (stop words) are dropped, before positions are counted, so that a
   phrase matches the same way in the index and in the query.

Folding happens before stemming so that a word typed with or without its accents (or its
hamza seat, or its diacritics) gives the same stem.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Words longer than this are not words (hashes, base64, URLs glued together): not indexed.
MAX_WORD_LENGTH = 40

_ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_TATWEEL = "\u0640"
# A token: letters and digits, with the marks that belong inside words (Latin combining
# accents, Arabic tashkeel, tatweel). Underscores and apostrophes separate tokens.
# (Runs of each kind rather than one character at a time: the same matches, found faster.)
_TOKEN = re.compile(rf"(?:[^\W_]+|[\u0300-\u036f{_ARABIC_MARKS}{_TATWEEL}]+)+")
_APOSTROPHES = frozenset("'’ʼ`´")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[a-z\u00c0-\u024f]", re.IGNORECASE)
_STRIP_ARABIC_MARKS = re.compile(rf"[{_ARABIC_MARKS}{_TATWEEL}]")

# French elided words: dropped when an apostrophe glues them to the next word.
ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)
# The article and the conjunctions or prepositions glued before it, longest first:
# والكتاب، فالكتاب، بالكتاب، كالكتاب، الكتاب، and للكتاب / وللكتاب (li- + al- = لل).
ARABIC_ARTICLES = ("وال", "فال", "بال", "كال", "ولل", "فلل", "ال", "لل")
_ARABIC_LETTER_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Arabic-Indic and Eastern Arabic-Indic digits: a date typed either way is one term.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})

# Words too common to tell posts apart, written as people type them; folded below.
_FRENCH_STOP_WORDS = """
    a à au aux avec ce ces cet cette dans de des du elle elles en est et il ils je la le les
    leur leurs lui ma mais me mes moi mon ne nos notre nous on ou où par pas pour qu que qui
    sa se ses son sont sur ta te tes toi ton tu un une vos votre vous y été être
"""
_ARABIC_STOP_WORDS = """
    في من على إلى عن مع هذا هذه ذلك تلك التي الذي الذين هو هي هم هن أن إن كان كانت ما لا لم
    لن قد ثم أو و يا كل بين عند بعد قبل حتى إذا ف ب ل
"""
_ENGLISH_STOP_WORDS = "the of and to in is it that for on with as was are be this an by or"

_french = snowballstemmer.stemmer("french")
_arabic = snowballstemmer.stemmer("arabic")


def fold_latin(word: str) -> str:
    """Case-folded, without accents: "Algérie" and "ALGERIE" give "algerie"."""
    decomposed = unicodedata.normalize("NFD", word.casefold().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_arabic(word: str) -> str:
    """Without tashkeel and tatweel, with one alef, ي for ى and ه for ة."""
    return _STRIP_ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTER_MAP)


def strip_arabic_article(word: str) -> str:
    """Without the article and its glued conjunction, if at least two letters remain."""
    for article in ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article) :]
    return word


def is_arabic(word: str) -> bool:
    return _ARABIC_LETTER.search(word) is not None


def fold(word: str) -> str:
    """A word normalised but not stemmed: what spelling suggestions compare and show."""
    word = unicodedata.normalize("NFKC", word).translate(_DIGITS)
    if is_arabic(word):
        return strip_arabic_article(normalise_arabic(word))
    return fold_latin(word)


STOP_WORDS = frozenset(
    fold(word)
    for word in f"{_FRENCH_STOP_WORDS} {_ARABIC_STOP_WORDS} {_ENGLISH_STOP_WORDS}".split()
)


@lru_cache(maxsize=65536)
def stem(folded: str) -> str:
    """The index term of a folded word (cached: forum text repeats its words a lot)."""
    if folded.isdigit():
        return folded
    if is_arabic(folded):
        # Snowball strips plural and feminine endings (-ات, -ة) only from words it sees with
        # the article, and takes a leading و or ف for a conjunction otherwise (وزير -> زير):
        # so every word goes in with the article. Our ة -> ه then leaves a final ه, which
        # goes too, so that حكومة and حكومات meet; so does the ي of an adjective in -ية
        # (اقتصادية ~ اقتصاد), measured with bench/search_quality.
        stemmed = _arabic.stemWord("ال" + folded)
        for ending in ("ه", "ي"):
            if len(stemmed) > 3 and stemmed.endswith(ending):
                stemmed = stemmed[:-1]
        return stemmed
    if _LATIN_LETTER.search(folded):
        stemmed = _french.stemWord(folded)
        # Snowball keeps the i of "négocier" and "négociation" but not of the present tense
        # "négocie", and leaves "négociee" (négociée, accents folded) with its -ie: without
        # this the -ier verbs would split into several terms.
        for ending in ("e", "i"):
            if len(stemmed) > 4 and stemmed.endswith(ending):
                stemmed = stemmed[:-1]
        return stemmed
    return folded


@dataclass(frozen=True)
class Token:
    """One indexed word: where it is in the text analysed, and its term."""

    start: int
    end: int
    word: str  # folded, not stemmed
    term: str


def _is_elision(text: str, typed: str, end: int) -> bool:
    return (
        text[end : end + 1] in _APOSTROPHES
        and text[end + 1 : end + 2].isalpha()
        and typed.casefold() in ELISIONS
    )


@lru_cache(maxsize=262144)
def _analysed(typed: str) -> tuple[tuple[str, str], ...]:
    """The (folded word, term) pairs of one token as typed, stop words and overlong words left
    out. Cached: forum text repeats its tokens, and this is most of the analyser's work (the
    bulk reindex of a million posts spends its time here and in own_words)."""
    pairs = []
    # NFKC may split a token ("ﬁ" stays one word, "½" becomes 1⁄2).
    for part in _TOKEN.findall(unicodedata.normalize("NFKC", typed)):
        word = fold(part)
        if word and len(word) <= MAX_WORD_LENGTH and word not in STOP_WORDS:
            pairs.append((word, stem(word)))
    return tuple(pairs)


def tokens(text: str) -> Iterator[Token]:
    """The text's indexed words with their places in `text`, in order."""
    for match in _TOKEN.finditer(text):
        typed, (start, end) = match.group(), match.span()
        if _is_elision(text, typed, end):
            continue
        # Each part of a token split by NFKC keeps the original token's place, which is what
        # snippets highlight.
        for word, term in _analysed(typed):
            yield Token(start, end, word, term)


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order."""
    return [token.term for token in tokens(text)]
